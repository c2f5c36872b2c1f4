package tui

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestWaitCallsWaitsForACallUnderWay: WaitCalls returns only once every
// service call's cancel has run (a cancel run twice counts once), and
// gives up when its context ends.
func TestWaitCallsWaitsForACallUnderWay(t *testing.T) {
	_, cancel := callCtx()
	short, stop := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stop()
	if err := WaitCalls(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitCalls with a call under way: %v, want the deadline", err)
	}
	cancel()
	cancel()
	if n := calls.Load(); n < 0 {
		t.Fatalf("%d calls under way after a cancel run twice", n)
	}
	// Other tests of the package may have calls of their own under way:
	// they end within callTimeout.
	long, stop2 := context.WithTimeout(context.Background(), 2*callTimeout)
	defer stop2()
	if err := WaitCalls(long); err != nil {
		t.Fatalf("WaitCalls once the call ended: %v", err)
	}
}
