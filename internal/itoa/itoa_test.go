package itoa

import (
	"math"
	"strconv"
	"testing"
)

func TestItoa(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 99, 100, 115200, -1, -42, math.MaxInt32, math.MinInt32, math.MaxInt, math.MinInt} {
		if got, want := Itoa(n), strconv.Itoa(n); got != want {
			t.Errorf("Itoa(%d) = %q, want %q", n, got, want)
		}
	}
	for _, v := range []uint64{0, 7, 4_000_000_000, math.MaxUint32, math.MaxUint64} {
		if got, want := Utoa(v), strconv.FormatUint(v, 10); got != want {
			t.Errorf("Utoa(%d) = %q, want %q", v, got, want)
		}
	}
}
