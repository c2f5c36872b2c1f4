package tui

import (
	"context"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// newEventForm creates the event of a signed contract (ev == nil) or edits
// ev. Dates are typed as dd/mm/yyyy HH:MM or ISO in the user's zone; the
// notes take several lines (enter = new line there, tab leaves them).
func newEventForm(e *env, ev *domain.Event, contract *domain.Contract) Screen {
	var cur domain.Event
	spec := formSpec{kind: "event"}
	if ev != nil {
		cur = *ev
		spec.title = "Edit event " + domain.StripControl(ev.Name)
		spec.note = "contract #" + strconv.FormatInt(ev.ContractID, 10) + " · " + ev.ClientName
	} else {
		spec.title = "New event"
		if contract != nil {
			cur.ContractID = contract.ID
			spec.note = "for contract #" + strconv.FormatInt(contract.ID, 10) + " · " + contract.ClientName
		}
	}
	attendees := ""
	if ev != nil {
		attendees = strconv.Itoa(ev.Attendees)
	}
	start := newField("start", "Start", fieldText, e.fmtTime(cur.Start))
	start.hint = "dd/mm/yyyy HH:MM or 2026-06-30 18:00"
	end := newField("end", "End", fieldText, e.fmtTime(cur.End))
	end.hint = start.hint
	notes := newField("notes", "Notes", fieldNotes, cur.Notes)
	notes.hint = "enter: new line · tab: next field"
	fields := []*formField{
		newField("name", "Name", fieldText, cur.Name), start, end,
		newField("location", "Location", fieldText, cur.Location),
		newField("attendees", "Attendees", fieldText, attendees),
		notes,
	}
	if ev != nil {
		opts := make([]string, len(domain.EventStatuses))
		for i, s := range domain.EventStatuses {
			opts[i] = string(s)
		}
		fields = append(fields, newChoice("status", "Status", opts, string(ev.Status)))
		id := ev.ID
		spec.reload = reloadRecord(func(ctx context.Context, svc *domain.Services, sess *domain.Session) (domain.Event, error) {
			return svc.Events.Get(ctx, sess, id)
		}, func(got domain.Event, loc *time.Location) (int64, map[string]string) {
			return got.Version, map[string]string{
				"name": got.Name, "start": domain.FormatDateTime(got.Start, loc), "end": domain.FormatDateTime(got.End, loc),
				"location": got.Location, "attendees": strconv.Itoa(got.Attendees), "notes": got.Notes,
				"status": string(got.Status),
			}
		})
	}
	spec.save = saveEvent(ev, cur.ContractID)
	return newFormScreen(e, spec, cur.Version, fields...)
}

func saveEvent(orig *domain.Event, contractID int64) func(f *formScreen) (tea.Cmd, map[string]string) {
	return func(f *formScreen) (tea.Cmd, map[string]string) {
		errs := map[string]string{}
		loc := f.e.loc
		date := func(name string) time.Time {
			s := strings.TrimSpace(f.get(name))
			if s == "" {
				return time.Time{} // the service says it is required
			}
			t, err := domain.ParseDateTime(s, loc)
			if err != nil {
				errs[name] = err.Error()
			}
			return t
		}
		in := domain.EventInput{
			ContractID: contractID,
			Name:       f.get("name"),
			Location:   f.get("location"),
			Notes:      f.get("notes"),
			Start:      date("start"),
			End:        date("end"),
		}
		if a := strings.TrimSpace(f.get("attendees")); a != "" {
			n, err := strconv.Atoi(strings.ReplaceAll(a, " ", ""))
			if err != nil {
				errs["attendees"] = "enter a whole number of attendees, e.g. 120"
			}
			in.Attendees = n
		}
		if orig != nil {
			in.Status = domain.EventStatus(f.get("status"))
		}
		if len(errs) > 0 {
			return nil, errs
		}
		return saveRecord(f, func(ctx context.Context, svc *domain.Services, sess *domain.Session, version int64) (domain.Event, error) {
			if orig == nil {
				return svc.Events.Create(ctx, sess, in)
			}
			return svc.Events.Update(ctx, sess, orig.ID, version, in)
		}, func(got domain.Event) (int64, string) {
			return got.ID, "event " + domain.StripControl(got.Name) + " saved"
		}), nil
	}
}
