//go:build !unix

package cli

// lockFile is a no-op where advisory file locks are not available: two
// commands refreshing one session at the same moment may then end it.
func lockFile(string) (func(), error) { return func() {}, nil }
