//go:build !race

package tui

// raceDetector: see race_on_test.go.
const raceDetector = false
