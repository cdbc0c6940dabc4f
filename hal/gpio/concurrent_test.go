//go:build !tinygo

package gpio_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/gpio"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// await polls f from thread code until it completes, sleeping in WFI in between, and
// returns the virtual time it completed at.
func await(c *sim.Chip, f *gpio.WaitFuture) time.Duration {
	cx := async.NewContext(0)
	for {
		cs := rt.EnterCritical()
		_, ok := f.Poll(cx)
		if !ok {
			rt.WaitForInterrupt()
		}
		cs.Exit()
		if ok {
			return c.Now()
		}
	}
}

func concurrentMsg(second, first string) string {
	return "gpio: GPIO4: " + second + " polled while a " + first + " is still pending on GPIO4; " +
		"one wait per pin at a time: await the " + first + " (or Cancel it) before waiting again"
}

// A second wait polled while one is pending on the same pin would take over its waker and
// async bit, and the first would never complete: it panics at once, naming the pin and
// both waits (a level wait whose level holds too), and leaves the first untouched. A wait
// on another pin meanwhile is fine.
func TestSecondWaitOnAPinWhileOnePendingPanics(t *testing.T) {
	var first, other time.Duration
	run(t, func(c *sim.Chip) {
		c.GPIO().DriveAt(time.Millisecond, 4, true)
		c.GPIO().DriveAt(2*time.Millisecond, 5, true)
	}, func(c *sim.Chip, p *hal.Peripherals) {
		in, err := gpio.NewInput(p.GPIO4, gpio.InputConfig{Pull: gpio.PullDown})
		require.NoError(t, err)
		a := in.IntoAsync()
		defer a.Close()
		in5, err := gpio.NewInput(p.GPIO5, gpio.InputConfig{Pull: gpio.PullDown})
		require.NoError(t, err)
		b := in5.IntoAsync()
		defer b.Close()
		cx := async.NewContext(0)
		fs := new(struct{ f, g, h, o gpio.WaitFuture })
		fs.f = a.WaitForRisingEdge()
		_, done := fs.f.Poll(cx)
		require.False(t, done)
		fs.g = a.WaitForFallingEdge()
		require.PanicsWithValue(t, concurrentMsg("WaitForFallingEdge", "WaitForRisingEdge"), func() { fs.g.Poll(cx) })
		fs.h = a.WaitForLow() // the pin is low: it would complete at once
		require.PanicsWithValue(t, concurrentMsg("WaitForLow", "WaitForRisingEdge"), func() { fs.h.Poll(cx) })
		fs.h = a.Wait(gpio.AnyEdge)
		require.PanicsWithValue(t, concurrentMsg("WaitForAnyEdge", "WaitForRisingEdge"), func() { fs.h.Poll(cx) })
		fs.o = b.WaitForRisingEdge()
		_, done = fs.o.Poll(cx)
		require.False(t, done, "another pin's wait arms")
		first = await(c, &fs.f)
		other = await(c, &fs.o)
	})
	assert.Equal(t, time.Millisecond, first.Round(100*time.Microsecond), "the first wait completes on its edge")
	assert.Equal(t, 2*time.Millisecond, other.Round(100*time.Microsecond))
}

// Waits one after another, and a wait cancelled and replaced, are not concurrent.
func TestSequentialAndCancelledWaitsDoNotPanic(t *testing.T) {
	var at [3]time.Duration
	run(t, func(c *sim.Chip) {
		c.GPIO().DriveAt(1*time.Millisecond, 4, true)
		c.GPIO().DriveAt(2*time.Millisecond, 4, false)
		c.GPIO().DriveAt(3*time.Millisecond, 4, true)
	}, func(c *sim.Chip, p *hal.Peripherals) {
		in, err := gpio.NewInput(p.GPIO4, gpio.InputConfig{Pull: gpio.PullDown})
		require.NoError(t, err)
		a := in.IntoAsync()
		defer a.Close()
		cx := async.NewContext(0)
		fs := new([4]gpio.WaitFuture)
		fs[0] = a.WaitForRisingEdge()
		at[0] = await(c, &fs[0])
		fs[1] = a.WaitForRisingEdge() // armed, then given up on
		_, done := fs[1].Poll(cx)
		require.False(t, done)
		fs[1].Cancel()
		fs[2] = a.WaitForFallingEdge()
		at[1] = await(c, &fs[2])
		fs[3] = a.WaitForHigh()
		at[2] = await(c, &fs[3])
		_, done = fs[1].Poll(cx) // the cancelled wait, polled again, re-arms
		require.False(t, done)
		fs[1].Cancel()
	})
	assert.Equal(t, time.Millisecond, at[0].Round(100*time.Microsecond))
	assert.Equal(t, 2*time.Millisecond, at[1].Round(100*time.Microsecond))
	assert.Equal(t, 3*time.Millisecond, at[2].Round(100*time.Microsecond))
}
