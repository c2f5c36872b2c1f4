//go:build race

package tui

// raceDetector is true in `go test -race` builds, which run several times
// slower: the key storm draws fewer keys there (the full storm runs in the
// ordinary test run).
const raceDetector = true
