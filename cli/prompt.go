package cli

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"time"

	"charm.land/huh/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/epic-events/crm/domain"
)

// prompter asks for missing fields on a terminal (huh forms on stderr), and
// on nothing else: a script gets an error naming what is missing.
type prompter struct {
	e env
}

func newPrompter(e env) *prompter { return &prompter{e: e} }

// interactive: stdin and stderr are both terminals.
func (p *prompter) interactive() bool {
	in, ok := p.e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return false
	}
	out, ok := p.e.stderr.(*os.File)
	return ok && term.IsTerminal(int(out.Fd()))
}

// need is one required field of a command: its flag, its label in a
// prompt, where its value goes and the domain's check of it.
type need struct {
	flag  string
	label string
	value *string
	check func(string) error
}

// fill asks for the needs whose value is empty, all in one form; without a
// terminal it names them in a usage error (exit 2).
func (p *prompter) fill(cmd *cobra.Command, needs ...need) error {
	var missing []need
	for _, n := range needs {
		if strings.TrimSpace(*n.value) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if !p.interactive() {
		names := make([]string, len(missing))
		for i, n := range missing {
			names[i] = "--" + n.flag
		}
		return usagef(cmd, "missing %s", strings.Join(names, ", "))
	}
	fields := make([]huh.Field, len(missing))
	for i, n := range missing {
		fields[i] = huh.NewInput().Title(n.label).Value(n.value).Validate(n.check)
	}
	return p.run(cmd, huh.NewGroup(fields...))
}

// ask asks for one value.
func (p *prompter) ask(label, initial string, check func(string) error) (string, error) {
	v := initial
	err := p.run(nil, huh.NewGroup(huh.NewInput().Title(label).Value(&v).Validate(check)))
	return strings.TrimSpace(v), err
}

func (p *prompter) run(cmd *cobra.Command, group *huh.Group) error {
	form := huh.NewForm(group).WithInput(p.e.stdin).WithOutput(p.e.stderr).WithShowHelp(false)
	var err error
	if cmd != nil {
		err = form.RunWithContext(cmd.Context())
	} else {
		err = form.Run()
	}
	if errors.Is(err, huh.ErrUserAborted) {
		return errCancelled
	}
	return err
}

// errCancelled: the person left a prompt or declined a confirmation.
// Exit 1, and nothing to log.
var errCancelled = &kindError{msg: "cancelled: nothing was changed"}

// The checks of the prompts are the domain's own, so that a person gets the
// sentence the UI's forms show.

func checkRequired(label string) func(string) error {
	return func(s string) error {
		t, err := domain.CleanText(s, false)
		if err != nil {
			return err
		}
		if t == "" {
			return errors.New("enter " + label)
		}
		return nil
	}
}

func checkEmail(s string) error {
	_, err := domain.NormalizeEmail(s)
	return err
}

func checkMoney(s string) error {
	_, err := domain.ParseMoney(s)
	return err
}

func checkDate(s string) error {
	_, err := domain.ParseDateTime(s, time.Local)
	return err
}

func checkID(s string) error {
	if n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64); err != nil || n <= 0 {
		return errors.New("enter a record number like 42")
	}
	return nil
}

// confirm asks a yes/no question (no by default).
func (p *prompter) confirm(question string) (bool, error) {
	ok := false
	err := p.run(nil, huh.NewGroup(huh.NewConfirm().Title(question).Value(&ok)))
	return ok, err
}
