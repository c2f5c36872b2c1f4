package auth

import (
	"runtime"
	"syscall"
	"testing"
)

// niceOfThisThread is the calling thread's nice value.
func niceOfThisThread(t *testing.T) int {
	t.Helper()
	// The raw system call answers 20 - nice.
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		t.Fatal(err)
	}
	return 20 - p
}

// A password check runs at nice 19 on a thread of its own, which dies with
// it: no other goroutine ever runs at that priority.
func TestHashingRunsAtLowestPriority(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := niceOfThisThread(t)
	var inside int
	atLowPriority(func() { inside = niceOfThisThread(t) })
	if inside != 19 {
		t.Errorf("nice while hashing = %d, want 19", inside)
	}
	if after := niceOfThisThread(t); after != before {
		t.Errorf("the caller's thread went from nice %d to %d", before, after)
	}
	// Later goroutines never inherit it: each new thread starts at the
	// process's value.
	for range 20 {
		got := make(chan int)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			got <- niceOfThisThread(t)
		}()
		if n := <-got; n == 19 {
			t.Fatal("a later goroutine runs on a thread left at nice 19")
		}
	}
}
