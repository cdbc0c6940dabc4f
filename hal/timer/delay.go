package timer

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/systimer"
)

// Delay waits for a span of time without a timer of its own. Its blocking methods
// busy-wait on the SYSTIMER's unit 0 (16 MHz, running from reset, read as
// hal/systimer.Ticks reads it), so they work anywhere (before hal.Init, in an interrupt
// handler, under TinyGo, which keeps TIMG0 for itself) at a resolution of 62.5 ns; they
// keep the CPU busy and are meant for short waits. DelayAsync waits through the async time
// driver (the SYSTIMER alarm hal.Init or hal/executor starts) and lets the core sleep. The
// zero Delay is ready to use:
//
//	var d timer.Delay
//	d.DelayUs(15)                                // blocking
//	t := d.DelayAsync(20 * async.Millisecond)    // an async.Timer: poll it from a task
type Delay struct{}

// DelayNs busy-waits at least ns nanoseconds.
func (Delay) DelayNs(ns uint32) { spinTicks((uint64(ns)*systimer.TicksPerMicrosecond + 999) / 1000) }

// DelayUs busy-waits at least us microseconds.
func (Delay) DelayUs(us uint32) { spinTicks(uint64(us) * systimer.TicksPerMicrosecond) }

// DelayMs busy-waits at least ms milliseconds.
func (Delay) DelayMs(ms uint32) { spinTicks(uint64(ms) * 1000 * systimer.TicksPerMicrosecond) }

// Sleep busy-waits at least d (nothing for d ≤ 0).
func (Delay) Sleep(d async.Duration) {
	if d > 0 {
		spinTicks(uint64(d) * systimer.TicksPerMicrosecond)
	}
}

// DelayAsync returns a timer that completes d from now, on the async time driver: an
// async.Timer, so keep it at one address while it is pending and Cancel it if unwanted.
func (Delay) DelayAsync(d async.Duration) async.Timer { return async.After(d) }

// spinTicks waits until the SYSTIMER has counted n more ticks.
func spinTicks(n uint64) {
	if n == 0 {
		return
	}
	end := systimer.Ticks() + n
	for systimer.Ticks() < end {
	}
}
