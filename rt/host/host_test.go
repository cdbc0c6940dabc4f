//go:build !tinygo

package host

import (
	"reflect"
	"testing"
)

// These tests drive the interrupt controller directly and run firmware that records which
// line's handler runs; rt's own tests cover the API built on it.

func runLines(t *testing.T, setup func(c *Core), raise []int) []int {
	t.Helper()
	m := New(Config{Sources: 8})
	var order []int
	err := m.Run(func() {
		c := CurrentCore()
		for s := 0; s < 8; s++ {
			s := s
			c.Bind(s, func() {
				m.SetSource(s, false)
				order = append(order, s)
			})
		}
		setup(c)
		st := Enter()
		for _, s := range raise {
			m.SetSource(s, true)
		}
		Exit(st) // everything raised becomes takeable here, in the model's order
	})
	if err != nil {
		t.Fatal(err)
	}
	return order
}

func TestEqualPrioritiesTakeTheLowestLineFirst(t *testing.T) {
	got := runLines(t, func(c *Core) {
		for s, line := range []uint32{9, 4, 6} {
			c.MapSource(s, line)
			c.SetLine(int(line), 3, false, true)
		}
	}, []int{0, 1, 2})
	if want := []int{1, 2, 0}; !reflect.DeepEqual(got, want) { // lines 4, 6, 9
		t.Fatalf("order %v, want %v", got, want)
	}
}

func TestPriorityZeroMasksAndDisabledLinesWait(t *testing.T) {
	got := runLines(t, func(c *Core) {
		c.MapSource(0, 5)
		c.SetLine(5, 0, false, true) // priority 0: masked even though enabled
		c.MapSource(1, 6)
		c.SetLine(6, 1, false, false) // disabled
		c.MapSource(2, 7)
		c.SetLine(7, 1, false, true)
	}, []int{0, 1, 2})
	if want := []int{2}; !reflect.DeepEqual(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func TestEdgeLineLatchesAPulse(t *testing.T) {
	m := New(Config{Sources: 4})
	c := m.Core(0)
	c.MapSource(3, 10)
	c.SetLine(10, 2, true, true)
	m.SetSource(3, true)
	m.SetSource(3, false)
	if c.Status() != 1<<10 || load32(&c.pending) != 1<<10 {
		t.Fatalf("a pulse on an edge line: status %#x pending %#x", c.Status(), load32(&c.pending))
	}
	c.Clear(1 << 10)
	if c.Status() != 0 {
		t.Fatal("Clear left the latch set")
	}
	c.SetLineEdge(10, false)
	m.SetSource(3, true)
	m.SetSource(3, false)
	if c.Status() != 0 {
		t.Fatal("a level line remembered a pulse")
	}
}
