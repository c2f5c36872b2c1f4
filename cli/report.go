package cli

import (
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/getsentry/sentry-go"
)

// Patterns of text that must never leave the machine or reach the log: the
// credentials of a URL, a key=value password, an e-mail address (personal
// data) and a JWT.
var (
	reURLCreds = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@`)
	rePassword = regexp.MustCompile(`(?i)\b(password|passwd|pwd|secret|sslpassword)=("[^"]*"|'[^']*'|\S+)`)
	reEmail    = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	reJWT      = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`)
)

// scrub removes secrets and personal data from free text.
func scrub(s string) string {
	s = reURLCreds.ReplaceAllString(s, "${1}[redacted]@")
	s = rePassword.ReplaceAllString(s, "${1}=[redacted]")
	s = reJWT.ReplaceAllString(s, "[token]")
	s = reEmail.ReplaceAllString(s, "[email]")
	return s
}

// sentryTransport replaces Sentry's HTTP transport in tests.
var sentryTransport sentry.Transport

// reporter sends unexpected errors, panics and notable business events to
// Sentry when SENTRY_DSN is set, and always to the structured log.
type reporter struct {
	log    *slog.Logger
	sentry bool
}

// newReporter initialises Sentry when dsn is set. The DSN itself is never
// logged: only whether reporting is on.
func newReporter(dsn, release string, log *slog.Logger) (*reporter, error) {
	r := &reporter{log: log}
	if dsn == "" {
		return r, nil
	}
	err := sentry.Init(sentry.ClientOptions{
		Dsn:              dsn,
		Release:          release,
		AttachStacktrace: true,
		// No automatic user data, cookies, headers or bodies.
		DataCollection: &sentry.DataCollection{
			UserInfo:    sentry.Set(false),
			Cookies:     &sentry.KeyValueCollectionBehavior{Mode: sentry.CollectionOff},
			QueryParams: &sentry.KeyValueCollectionBehavior{Mode: sentry.CollectionOff},
			HTTPHeaders: &sentry.HeaderCollectionConfig{
				Request:  &sentry.KeyValueCollectionBehavior{Mode: sentry.CollectionOff},
				Response: &sentry.KeyValueCollectionBehavior{Mode: sentry.CollectionOff},
			},
		},
		ServerName: "epic-events", // not the host name
		Transport:  sentryTransport,
		BeforeSend: func(e *sentry.Event, _ *sentry.EventHint) *sentry.Event {
			return scrubEvent(e)
		},
		BeforeBreadcrumb: func(b *sentry.Breadcrumb, _ *sentry.BreadcrumbHint) *sentry.Breadcrumb {
			b.Message = scrub(b.Message)
			for k, v := range b.Data {
				if s, ok := v.(string); ok {
					b.Data[k] = scrub(s)
				}
			}
			return b
		},
	})
	if err != nil {
		// The error text could quote the DSN: say only that it is invalid.
		return r, fmt.Errorf("%s is not a valid Sentry DSN: error reporting is off", envSentryDSN)
	}
	r.sentry = true
	log.Info("error reporting enabled", "sentry", true)
	return r, nil
}

// scrubEvent strips personal data and secrets from an event before it is
// sent: no user, no request, no server name, and every free-text field
// scrubbed.
func scrubEvent(e *sentry.Event) *sentry.Event {
	if e == nil {
		return nil
	}
	e.User = sentry.User{}
	e.Request = nil
	e.ServerName = ""
	e.Message = scrub(e.Message)
	for i := range e.Exception {
		e.Exception[i].Value = scrub(e.Exception[i].Value)
		if st := e.Exception[i].Stacktrace; st != nil {
			for j := range st.Frames {
				st.Frames[j].Vars = nil
			}
		}
	}
	for i := range e.Breadcrumbs {
		e.Breadcrumbs[i].Message = scrub(e.Breadcrumbs[i].Message)
		e.Breadcrumbs[i].Data = nil
	}
	for k, v := range e.Tags {
		e.Tags[k] = scrub(v)
	}
	// Contexts may carry the device/OS; drop anything but the runtime.
	for k := range e.Contexts {
		if k != "runtime" && k != "os" {
			delete(e.Contexts, k)
		}
	}
	return e
}

// Error records an unexpected error.
func (r *reporter) Error(msg string, err error) {
	r.log.Error(msg, "err", scrub(err.Error()))
	if r.sentry {
		sentry.WithScope(func(s *sentry.Scope) {
			s.SetTag("where", msg)
			sentry.CaptureException(err)
		})
	}
}

// Panic records a recovered panic with its stack.
func (r *reporter) Panic(where string, v any) {
	stack := string(debug.Stack())
	r.log.Error("panic", "where", where, "panic", scrub(fmt.Sprint(v)), "stack", stack)
	if r.sentry {
		sentry.WithScope(func(s *sentry.Scope) {
			s.SetTag("where", where)
			s.SetLevel(sentry.LevelFatal)
			sentry.CurrentHub().Recover(v)
		})
		sentry.Flush(2 * time.Second)
	}
}

// Notify is domain.Config.Notify: collaborator changes and contract
// signatures become Sentry events (by action and id only, no personal data)
// and a breadcrumb for whatever error might follow.
func (r *reporter) Notify(action string, entityID int64) {
	r.log.Info("business event", "action", action, "id", entityID)
	if !r.sentry {
		return
	}
	sentry.AddBreadcrumb(&sentry.Breadcrumb{
		Category: "domain",
		Message:  action,
		Data:     map[string]any{"id": entityID},
		Level:    sentry.LevelInfo,
	})
	sentry.WithScope(func(s *sentry.Scope) {
		s.SetLevel(sentry.LevelInfo)
		s.SetTag("action", action)
		s.SetTag("entity_id", fmt.Sprint(entityID))
		sentry.CaptureMessage(action)
	})
}

// Close flushes pending Sentry events.
func (r *reporter) Close() {
	if r.sentry {
		sentry.Flush(2 * time.Second)
	}
}
