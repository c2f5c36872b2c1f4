package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/getsentry/sentry-go"
)

func TestSentryEventsAreScrubbed(t *testing.T) {
	mock := &sentry.MockTransport{}
	sentryTransport = mock
	defer func() { sentryTransport = nil }()
	rep, err := newReporter("https://public@o0.ingest.example.com/1", "test", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil || !rep.sentry {
		t.Fatalf("reporter not enabled: %v", err)
	}
	defer sentry.Init(sentry.ClientOptions{}) //nolint:errcheck // back to a disabled client

	rep.Notify("contract.sign", 42)
	rep.Error("ui", errors.New("dial postgres://app:pw1234@db/crm failed for ana@x.fr"))
	rep.Panic("ui update", "boom for ana@x.fr password=hunter2hunter2")
	rep.Close()

	events := mock.Events()
	if len(events) != 3 {
		t.Fatalf("%d events sent, want 3 (notify, error, panic)", len(events))
	}
	if events[0].Message != "contract.sign" || events[0].Tags["entity_id"] != "42" || events[0].Level != sentry.LevelInfo {
		t.Errorf("notify event: message %q tags %v level %v", events[0].Message, events[0].Tags, events[0].Level)
	}
	if events[2].Level != sentry.LevelFatal {
		t.Errorf("panic level %v", events[2].Level)
	}
	for i, ev := range events {
		all := fmt.Sprintf("%+v %+v", *ev, ev.Exception)
		for _, leak := range []string{"ana@x.fr", "pw1234", "hunter2", "public@o0"} {
			if strings.Contains(all, leak) {
				t.Errorf("event %d leaks %q", i, leak)
			}
		}
	}
}

// panicky is a model that panics where told.
type panicky struct{ in string }

func (p panicky) Init() tea.Cmd {
	if p.in == "cmd" {
		return func() tea.Msg { panic("in a command") }
	}
	return nil
}

func (p panicky) Update(tea.Msg) (tea.Model, tea.Cmd) {
	if p.in == "update" {
		panic("in update")
	}
	return p, nil
}

func (p panicky) View() tea.View {
	if p.in == "view" {
		panic("in view")
	}
	return tea.NewView("fine")
}

func TestGuardTurnsPanicsIntoACleanExit(t *testing.T) {
	rep := &reporter{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	isQuit := func(c tea.Cmd) bool {
		if c == nil {
			return false
		}
		_, ok := c().(tea.QuitMsg)
		return ok
	}

	g := newGuard(context.Background(), panicky{in: "update"}, rep, "test")
	_, cmd := g.Update(tea.KeyPressMsg{})
	if !g.crashed || !isQuit(cmd) {
		t.Errorf("update panic: crashed %v, quit %v", g.crashed, isQuit(cmd))
	}
	if v := g.View(); v.Content != "" {
		t.Errorf("view after crash: %q, want a blank frame (the caller says what happened)", v.Content)
	}

	g = newGuard(context.Background(), panicky{in: "view"}, rep, "test")
	if v := g.View(); v.Content != "" || !g.crashed {
		t.Errorf("view panic: %q crashed %v", v.Content, g.crashed)
	}

	ended, cancel := context.WithCancel(context.Background())
	cancel() // the program is over: Init's wait for a View panic returns at once
	g = newGuard(ended, panicky{in: "cmd"}, rep, "test")
	var msg tea.Msg
	for _, c := range g.Init()().(tea.BatchMsg) {
		if m, ok := c().(crashMsg); ok {
			msg = m
		}
	}
	if msg == nil {
		t.Fatal("a panicking command did not come back as crashMsg")
	}
	if _, cmd := g.Update(msg); !g.crashed || !isQuit(cmd) {
		t.Errorf("command panic did not end the program")
	}

	g = newGuard(context.Background(), panicky{}, rep, "test")
	if _, cmd := g.Update(tea.KeyPressMsg{}); g.crashed || cmd != nil {
		t.Errorf("a healthy model was stopped")
	}
	if v := g.View(); v.Content != "fine" {
		t.Errorf("healthy view %q", v.Content)
	}
}
