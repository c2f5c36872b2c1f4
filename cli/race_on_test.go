//go:build race

package cli

// raceEnabled: argon2id under the race detector is an order of magnitude
// slower, so the load test logs in fewer sessions (the fault modes stay).
const raceEnabled = true
