package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// saveRecord is the command a record form ends with: save creates or
// updates the record (version is the one the form was loaded with), saved
// names the result for the list and the status line.
func saveRecord[T any](f *formScreen,
	save func(ctx context.Context, svc *domain.Services, sess *domain.Session, version int64) (T, error),
	saved func(got T) (id int64, text string)) tea.Cmd {
	svc, sess, version := f.e.svc, f.e.sess, f.version
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		got, err := save(ctx, svc, sess, version)
		id, text := saved(got)
		return formSavedMsg{id: id, err: err, text: text}
	}
}

// reloadRecord is a record form's reload: get reads the record again,
// values gives its version and the fields' text (dates in loc).
func reloadRecord[T any](get func(ctx context.Context, svc *domain.Services, sess *domain.Session) (T, error),
	values func(got T, loc *time.Location) (version int64, vals map[string]string)) func(*formScreen) tea.Cmd {
	return func(f *formScreen) tea.Cmd {
		svc, sess, loc := f.e.svc, f.e.sess, f.e.loc
		return func() tea.Msg {
			ctx, cancel := callCtx()
			defer cancel()
			got, err := get(ctx, svc, sess)
			version, vals := values(got, loc)
			return formReloadedMsg{version: version, err: err, values: vals}
		}
	}
}
