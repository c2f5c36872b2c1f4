package store_test

import (
	"testing"

	"github.com/epic-events/crm/store"
)

// The MySQL poller holds back at the first id that does not follow: an
// insert committed after a later one must not be skipped.
func TestFeedHoleAt(t *testing.T) {
	for _, tc := range []struct {
		last int64
		seqs []int64
		want int
	}{
		{0, nil, -1},
		{0, []int64{5, 6, 7}, -1}, // nothing read yet: start anywhere
		{0, []int64{5, 7}, 1},
		{4, []int64{5, 6}, -1},
		{4, []int64{6, 7}, 0}, // 5 is not committed yet
		{4, []int64{5, 6, 8}, 2},
	} {
		if got := store.HoleAt(tc.last, tc.seqs...); got != tc.want {
			t.Errorf("holeAt(%d, %v) = %d, want %d", tc.last, tc.seqs, got, tc.want)
		}
	}
}
