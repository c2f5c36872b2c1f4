package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
)

// Where the advice sends people to choose another database.
const chooseDB = "--db or EPIC_DATABASE_URL"

// startupError says why the program could not start in the terms of the
// one starting it: the problem and where, then what to do. The driver's
// detail goes to the log only. A server that may just be down stays
// domain.ErrUnavailable (exit 8, as documented); the rest exits 1.
func startupError(err error, logFile string) error {
	var oe *store.OpenError
	if !errors.As(err, &oe) {
		return errorf(err, "cannot open the database: %s\nthe log (%s) has the details", domain.StripControl(scrub(firstWords(err))), logFile)
	}
	w := oe.Where
	var msg string
	switch oe.Problem {
	case store.OpenDirMissing:
		msg = fmt.Sprintf("the directory %s does not exist\ncreate it (mkdir -p %s) or choose another database with %s", w, w, chooseDB)
	case store.OpenDirNotWritable:
		why := "not writable"
		if errors.Is(oe.Err, os.ErrPermission) {
			why = "permission denied"
		}
		msg = fmt.Sprintf("cannot write to %s (%s)\ngive your user write access to it, or choose another database with %s", w, why, chooseDB)
	case store.OpenNotDatabase:
		msg = fmt.Sprintf("%s is not an Epic Events database (not an SQLite file)\nchoose the right file with %s, or move this one away to start afresh", w, chooseDB)
	case store.OpenMissing:
		msg = fmt.Sprintf("there is no database at %s yet\n`epic-events migrate up` (or starting epic-events) creates it", w)
	case store.OpenRefused:
		msg = fmt.Sprintf("PostgreSQL at %s refuses connections (no server listening there)\nstart the server, or fix the host and port in %s", w, chooseDB)
	case store.OpenUnknownHost:
		msg = fmt.Sprintf("the host of %s is unknown\nfix the host name in %s", w, chooseDB)
	case store.OpenTimeout:
		msg = fmt.Sprintf("PostgreSQL at %s did not answer in time\ncheck the server and the network, then start again", w)
	case store.OpenAuth:
		msg = fmt.Sprintf("PostgreSQL at %s refused the user name or the password\nfix them in %s", w, chooseDB)
	case store.OpenNoSuchDB:
		msg = fmt.Sprintf("PostgreSQL at %s: no such database\ncreate it (createdb, then `epic-events migrate up`) or fix its name in %s", w, chooseDB)
	default:
		msg = fmt.Sprintf("cannot open the database %s\nthe log (%s) has the details", w, logFile)
	}
	return &kindError{msg: msg, kind: oe}
}

// firstWords is an error's text up to its first line break.
func firstWords(err error) string {
	s := err.Error()
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

// dataDirError says that the data directory cannot be made.
func dataDirError(dir string, err error) error {
	why := "it cannot be created"
	if errors.Is(err, os.ErrPermission) {
		why = "permission denied"
	}
	return fmt.Errorf("cannot create the data directory %s (%s)\nset XDG_DATA_HOME to a directory you may write to, or create this one", dir, why)
}

// schemaBehindError says that the schema needs migrating first.
func schemaBehindError(where string, pending int) error {
	s := "s"
	if pending == 1 {
		s = ""
	}
	return fmt.Errorf("the database %s is %d migration%s behind this version of epic-events\nrun `epic-events migrate up` as the database owner, then start again", where, pending, s)
}
