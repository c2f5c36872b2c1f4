package tui

import (
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store/storetest"
)

// stormKeys are the keys a storm draws from: letters and digits, every key
// the app binds, arrows and the editing keys of the text fields, with and
// without alt, ctrl and shift.
var stormKeys = func() []tea.KeyPressMsg {
	var ks []tea.KeyPressMsg
	text := func(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }
	for _, r := range "abcdefghijklmnopqrstuvwxyzSGP0123456789 /?@.-+éß界" {
		ks = append(ks, text(r))
	}
	for _, r := range "nedSpvaxfsrgGjk1234567:" { // the app's keys, drawn more often
		ks = append(ks, text(r))
	}
	for _, c := range []rune{tea.KeyUp, tea.KeyDown, tea.KeyLeft, tea.KeyRight, tea.KeyHome, tea.KeyEnd,
		tea.KeyPgUp, tea.KeyPgDown, tea.KeyBackspace, tea.KeyDelete, tea.KeyEnter, tea.KeyTab, tea.KeyEscape, tea.KeySpace} {
		ks = append(ks, tea.KeyPressMsg{Code: c}, tea.KeyPressMsg{Code: c, Mod: tea.ModAlt},
			tea.KeyPressMsg{Code: c, Mod: tea.ModCtrl}, tea.KeyPressMsg{Code: c, Mod: tea.ModShift})
	}
	for _, r := range "abdefhklnprstuwgcv<>" {
		ks = append(ks, tea.KeyPressMsg{Code: r, Mod: tea.ModAlt}, tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl},
			tea.KeyPressMsg{Code: r, Mod: tea.ModAlt | tea.ModShift})
	}
	return ks
}()

// stormMsg draws the next message: mostly keys, sometimes a paste (with
// control bytes and escape sequences) or a resize (small windows too).
func stormMsg(rng *rand.Rand) tea.Msg {
	switch n := rng.IntN(100); {
	case n < 4:
		pastes := []string{"a\nb", "\x1b[31mred\x1b[0m", "tab\there", "nul\x00", "c1\u009b2J", "del\x7f", "Chloé Martin",
			"line one\r\nline two", "\x1b]52;c;aGVsbG8=\a", strings.Repeat("long ", 80), "+33 6 12 34 56 78", "12 345,67"}
		return tea.PasteMsg{Content: pastes[rng.IntN(len(pastes))]}
	case n < 6:
		return tea.WindowSizeMsg{Width: 30 + rng.IntN(120), Height: 8 + rng.IntN(40)}
	}
	return stormKeys[rng.IntN(len(stormKeys))]
}

// stormDriver is a minimal Bubble Tea event loop around the App: commands
// run on their own goroutines (service calls reach the real store) and
// their messages come back on msgs; a tick that has not fired by the end
// is dropped.
type stormDriver struct {
	app   *App
	msgs  chan tea.Msg
	done  chan struct{}
	crash chan string
}

func (d *stormDriver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		defer func() {
			if v := recover(); v != nil {
				select {
				case d.crash <- fmt.Sprintf("a command panicked: %v\n%s", v, debug.Stack()):
				default:
				}
			}
		}()
		msg := cmd()
		select {
		case d.msgs <- msg:
		case <-d.done:
		}
	}()
}

var cmdSliceType = reflect.TypeFor[tea.Cmd]()

// send hands msg to the App as Bubble Tea would: batches and sequences
// are opened, quitting is only noted (the storm goes on), and every
// update is followed by a render.
func (d *stormDriver) send(msg tea.Msg) {
	if msg == nil {
		return
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdSliceType {
		for i := range v.Len() {
			c, _ := v.Index(i).Interface().(tea.Cmd)
			d.run(c)
		}
		return
	}
	if _, ok := msg.(tea.QuitMsg); ok {
		return
	}
	_, cmd := d.app.Update(msg)
	_ = d.app.View()
	d.run(cmd)
}

// settle handles what came back within wait.
func (d *stormDriver) settle(wait time.Duration) {
	deadline := time.After(wait)
	for {
		select {
		case m := <-d.msgs:
			d.send(m)
		case <-deadline:
			return
		}
	}
}

// storm drives n messages drawn from rng through an App on w's store.
func storm(t *testing.T, w *world, opts Options, seed uint64, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	d := &stormDriver{app: New(opts), msgs: make(chan tea.Msg, 64), done: make(chan struct{}), crash: make(chan string, 1)}
	defer close(d.done)
	var last []string
	defer func() {
		if v := recover(); v != nil {
			t.Fatalf("panic %v with seed %d (EPIC_STORM_SEED=%d reruns it) after %q\n%s", v, seed, seed, last, debug.Stack())
		}
	}()
	d.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.run(d.app.Init())
	d.settle(300 * time.Millisecond)
	for i := range n {
		msg := stormMsg(rng)
		last = append(last, fmt.Sprint(msg))
		if len(last) > 12 {
			last = last[1:]
		}
		d.send(msg)
		wait := time.Duration(0)
		if i%25 == 0 {
			wait = 20 * time.Millisecond // let service calls come back now and then
		}
		d.settle(wait)
		select {
		case c := <-d.crash:
			t.Fatalf("%s\nseed %d (EPIC_STORM_SEED=%d reruns it), after %q", c, seed, seed, last)
		default:
		}
	}
	d.settle(200 * time.Millisecond)
}

// TestKeyStorm drives a few thousand random keys, pastes of control bytes
// and resizes through the root model on every role's screens (and the
// setup and login screens) on a real store, and asserts nothing panics. The seed is
// random each run and printed on failure; EPIC_STORM_SEED replays one.
func TestKeyStorm(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("EPIC_STORM_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("EPIC_STORM_SEED: %v", err)
		}
		seed = v
	}
	keys := 2000
	if raceDetector {
		keys = 800
	}
	t.Logf("seed %d, %d keys per run", seed, keys)
	t.Run("setup", func(t *testing.T) {
		// An empty database: the first-run setup screen.
		db := storetest.New(t, "sqlite")
		kr, err := auth.NewKeyRing([]byte("0123456789abcdef0123456789abcdef-storm"), nil)
		if err != nil {
			t.Fatal(err)
		}
		svc := domain.New(domain.Config{Store: db, Tokens: kr, Hasher: auth.NewHasher()})
		storm(t, &world{db: db, svc: svc}, Options{Services: svc, DBLabel: "sqlite storm.db", NoColor: true}, seed, keys/2)
	})
	w := newWorld(t)
	for i, email := range []string{"", "margaret@epic.test", "sam@epic.test", "sue@epic.test"} {
		name := email
		if name == "" {
			name = "logged out"
		}
		t.Run(name, func(t *testing.T) {
			opts := w.options(nil)
			if email != "" {
				opts.Session = w.session(t, email)
			}
			storm(t, w, opts, seed+uint64(i)+1, keys)
		})
	}
}
