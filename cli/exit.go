package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/epic-events/crm/domain"
)

// Exit codes a script can act on. They are documented in the root --help
// and in the README; exitCode is the one place that picks them.
const (
	exitOK          = 0
	exitFailure     = 1 // anything else (details in the log)
	exitUsage       = 2 // the command line does not parse, or a required field is missing
	exitNotFound    = 3 // no such record (or one the user may not see)
	exitRefused     = 4 // not allowed: permission or a business rule
	exitConflict    = 5 // the record changed since it was read
	exitInvalid     = 6 // the input breaks a rule (per-field messages)
	exitSession     = 7 // not logged in, or the session has ended
	exitUnavailable = 8 // the database cannot be reached
)

// exitCodesHelp is the table shown in the root --help and the README.
const exitCodesHelp = "Exit codes:\n" +
	"  0 ok · 2 usage (bad flag, missing field) · 3 not found · 4 refused\n" +
	"  (permission or rule) · 5 conflict (changed since read) · 6 invalid input\n" +
	"  7 not logged in / session ended · 8 database unavailable · 1 other"

// exitCode maps an error to the process's exit code from its type.
func exitCode(err error) int {
	var u *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &u):
		return exitUsage
	case errors.Is(err, domain.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return exitUnavailable
	case errors.Is(err, domain.ErrUnauthenticated):
		return exitSession
	case errors.Is(err, domain.ErrForbidden), errors.Is(err, domain.ErrThrottled):
		return exitRefused
	case errors.Is(err, domain.ErrNotFound):
		return exitNotFound
	case errors.Is(err, domain.ErrInvalid):
		return exitInvalid
	case errors.Is(err, domain.ErrConflict):
		return exitConflict
	}
	return exitFailure
}

// codeName is the stable name of an exit code in JSON errors.
func codeName(code int) string {
	switch code {
	case exitUsage:
		return "usage"
	case exitNotFound:
		return "not_found"
	case exitRefused:
		return "refused"
	case exitConflict:
		return "conflict"
	case exitInvalid:
		return "invalid"
	case exitSession:
		return "unauthenticated"
	case exitUnavailable:
		return "unavailable"
	}
	return "error"
}

// kindError is an error of the command layer that belongs to one of the
// domain's kinds (so exitCode maps it), with its own sentence.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// errorf returns a kindError of kind with a formatted sentence.
func errorf(kind error, format string, args ...any) error {
	return &kindError{msg: fmt.Sprintf(format, args...), kind: kind}
}

// oneLine is err's sentence on one line: the domain's typed errors are
// written for users; the rest was already summarised by the command.
func oneLine(err error) string {
	var ve *domain.ValidationError
	msg := err.Error()
	if errors.As(err, &ve) {
		msg = validationText(ve)
	} else if errors.Is(err, domain.ErrNotFound) && !isKindError(err) {
		msg = notFoundText(msg)
	}
	msg = domain.StripControl(strings.ReplaceAll(strings.TrimSpace(msg), "\n", "; "))
	return msg
}

func isKindError(err error) bool {
	var k *kindError
	return errors.As(err, &k)
}

// notFoundText words a "not found" the command did not name: the domain's
// text ("get client: not found") says what was looked for.
func notFoundText(msg string) string {
	what, _, _ := strings.Cut(msg, ": ")
	if what == msg || what == "" {
		return "not found (or you may not see it)"
	}
	return what + ": not found (or you may not see it)"
}

// validationText joins the field messages, the record-wide one first, each
// after the domain's name of its field.
func validationText(ve *domain.ValidationError) string {
	keys := make([]string, 0, len(ve.Fields))
	for k := range ve.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if k == "" {
			parts = append([]string{ve.Fields[k]}, parts...)
			continue
		}
		parts = append(parts, k+": "+ve.Fields[k])
	}
	return strings.Join(parts, "; ")
}

// jsonError is the error object printed on stderr with -o json / jsonl.
type jsonError struct {
	Error struct {
		Code    string            `json:"code"`
		Exit    int               `json:"exit"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

// printError writes err on one line of w: plain text, or a JSON object
// when the command's output is machine-readable.
func printError(w io.Writer, err error, asJSON bool) {
	code := exitCode(err)
	if !asJSON {
		fmt.Fprintln(w, "epic-events: "+oneLine(err))
		return
	}
	var je jsonError
	je.Error.Code = codeName(code)
	je.Error.Exit = code
	je.Error.Message = oneLine(err)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		je.Error.Fields = ve.Fields
	}
	b, _ := json.Marshal(je)
	fmt.Fprintln(w, string(b))
}
