package tui

import (
	"fmt"
	"testing"

	"github.com/epic-events/crm/domain"
)

// The status line shows the domain's own sentence for a refusal, an ended
// session, a save without change and a storage that cannot write — never
// the wrapping of the layers below.
func TestUserMessageSpeaksTheDomainsSentence(t *testing.T) {
	t.Parallel()
	refusal := &domain.Refusal{Action: domain.ActClientUpdate, Reason: domain.ReasonNotOwn,
		Sentence: "Bruno Keller is Sara Lopez's client: you may edit only your own clients"}
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("update client: %w", refusal), refusal.Sentence},
		{fmt.Errorf("update contract: %w", domain.ErrNoChange), "nothing changed: there was nothing to save"},
		{fmt.Errorf("check session: %w", &domain.SessionEndedError{Why: domain.EndLogout}),
			"your session has ended: you logged out of this session — log in again"},
		{domain.ErrSessionEnded, "your session has ended: log in again"},
		{fmt.Errorf("create client: add audit entry: %w", domain.ErrDiskFull), domain.ErrDiskFull.Error()},
		{fmt.Errorf("create client: %w", domain.ErrReadOnly), domain.ErrReadOnly.Error()},
		{domain.ErrWrongCredentials, "wrong email or password"},
	} {
		if got := userMessage(c.err); got != c.want {
			t.Errorf("userMessage(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
