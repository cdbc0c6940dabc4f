package esp32c3

import (
	"sync/atomic"
	"time"

	"github.com/gohal/gohal/rt/host"
)

// timeSync couples the Go clock the firmware sees (time.Now, time.Sleep, time.Since) to
// virtual time. See the package documentation, section Time.
type timeSync struct {
	// bubble is set while RunInBubble runs the firmware in a synctest bubble.
	bubble atomic.Bool

	// Bubble mode. Used only by the firmware's thread-mode goroutines on core 0, which all
	// live in the bubble (the firmware's main and the coroutines it resumes) and hand over
	// to each other with happens-before edges.
	epoch    time.Time // the bubble's fake time at virtual time 0
	lastFake time.Time // the fake time when virtual time was last brought level with it

	// Outside a bubble: the wall-clock gap detector.
	wallBase time.Time    // monotonic reference
	lastWall atomic.Int64 // wall time of the last register access of any core, since wallBase
	warned   atomic.Bool
}

// sleepGap is how long core 0's thread mode may go, in wall-clock time, between two
// register accesses before the simulator notes, once, that the firmware may have slept on
// the wall clock (outside a bubble).
const sleepGap = 5 * time.Millisecond

// beforeAccess runs before every register access the models or the bus observer see, on
// the accessing goroutine, with no lock held.
func (c *Chip) beforeAccess() {
	t := &c.tsync
	if t.bubble.Load() {
		if host.Depth() == 0 && host.CoreID() == 0 {
			t.sync(c)
		}
		return
	}
	if c.cfg.realTime {
		return
	}
	now := int64(time.Since(t.wallBase))
	last := t.lastWall.Swap(now)
	if last == 0 || t.warned.Load() || now-last < int64(sleepGap) {
		return
	}
	if host.Depth() != 0 || host.CoreID() != 0 || c.m.Now() == 0 {
		return
	}
	if !t.warned.Swap(true) {
		c.Logf("note: core 0 ran %v of wall-clock time between two register accesses while virtual time "+
			"did not move. If the firmware called time.Sleep (directly or in a driver), that sleep took "+
			"no virtual time, and time.Now/time.Since report wall-clock time: run it with "+
			"Chip.RunInBubble under go test to make Go's clock virtual (package doc, section Time)",
			time.Duration(now-last).Round(time.Millisecond))
	}
}

// start begins bubble mode on the firmware's goroutine: the bubble's fake clock and virtual
// time are level from here on.
func (t *timeSync) start(c *Chip) {
	now := time.Now()
	t.epoch = now.Add(-c.m.Now())
	t.lastFake = now
}

// sync brings virtual time and the bubble's fake clock level, on the firmware's goroutine
// in the bubble: fake time that passed since the last sync (the firmware slept or waited on
// a timer) passes in virtual time as a stall of core 0, with events and interrupts at their
// times; then virtual time the core spent on register accesses (and waiting for
// interrupts) passes on the fake clock, by sleeping in the bubble, which returns at once
// when nothing else in the bubble runs.
func (t *timeSync) sync(c *Chip) {
	if d := time.Since(t.lastFake); d > 0 {
		c.m.Stall(d)
	}
	if lag := time.Until(t.epoch.Add(c.m.Now())); lag > 0 {
		time.Sleep(lag)
	}
	t.lastFake = time.Now()
}
