package tui

import (
	"regexp"
	"time"
)

// stable hides the times the store stamps with the wall clock (a client's
// first and last contact), which the services' test clock does not reach,
// so goldens do not change from one run to the next. Same width, so the
// layout is still checked.
func stable(screen string) string {
	now := time.Now().In(testLoc)
	for _, d := range []time.Time{now, now.Add(-24 * time.Hour)} {
		re := regexp.MustCompile(regexp.QuoteMeta(d.Format("02/01/2006")) + ` \d\d:\d\d`)
		screen = re.ReplaceAllString(screen, "dd/mm/yyyy hh:mm")
	}
	return screen
}
