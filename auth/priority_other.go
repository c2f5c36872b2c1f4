//go:build !linux

package auth

// lowerThreadPriority cannot lower one thread's priority on this system.
func lowerThreadPriority() bool { return false }
