package auth

import "syscall"

// lowerThreadPriority gives the calling OS thread the lowest scheduling
// priority (nice 19; on Linux a thread's nice value is its own). It needs
// no privilege, and reports whether it took effect.
func lowerThreadPriority() bool {
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19) == nil
}
