//go:build !tinygo

package timer_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/internal/haltest"
	"github.com/gohal/gohal/hal/timer"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// await polls f from thread code until it completes, sleeping in WFI in between, and
// returns its result and the virtual time it completed at.
func await(c *sim.Chip, f async.Future[error]) (error, time.Duration) {
	cx := async.NewContext(0)
	for {
		cs := rt.EnterCritical()
		err, ok := f.Poll(cx)
		if !ok {
			rt.WaitForInterrupt()
		}
		cs.Exit()
		if ok {
			return err, c.Now()
		}
	}
}

func concurrentMsg(second, first string) string {
	return "timer: TIMG1: " + second + " polled while a " + first + " is still pending on TIMG1; " +
		"one wait per timer at a time: await the " + first + " (or Cancel it) before waiting again"
}

// A second wait polled while one is pending would take over its waker, and the first would
// never complete: it panics at once, naming the timer and both waits. A DelayAsync panics
// before it reschedules the alarm, so the first wait completes at its own time.
func TestSecondWaitWhileOnePendingPanics(t *testing.T) {
	var err error
	var at, start time.Duration
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		o := haltest.Must(timer.NewOneShot(p.TIMG1, timer.Config{})).IntoAsync()
		defer o.Close()
		cx := async.NewContext(0)
		fs := new(struct {
			f, g timer.WaitFuture
			d    timer.DelayFuture
		})
		start = c.Now()
		require.NoError(t, o.Schedule(1000))
		fs.f = o.WaitAsync()
		_, done := fs.f.Poll(cx)
		require.False(t, done)
		fs.g = o.WaitAsync()
		require.PanicsWithValue(t, concurrentMsg("WaitAsync", "WaitAsync"), func() { fs.g.Poll(cx) })
		fs.d = o.DelayAsync(10)
		require.PanicsWithValue(t, concurrentMsg("DelayAsync", "WaitAsync"), func() { fs.d.Poll(cx) })
		err, at = await(c, &fs.f)
	})
	assert.NoError(t, err)
	assert.InDelta(t, 1000, (at - start).Microseconds(), 20, "the first wait completes at its alarm")
}

// A wait polled while a DelayAsync is pending panics, naming both.
func TestWaitWhileDelayPendingPanics(t *testing.T) {
	var err error
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		o := haltest.Must(timer.NewOneShot(p.TIMG1, timer.Config{})).IntoAsync()
		defer o.Close()
		cx := async.NewContext(0)
		fs := new(struct {
			d timer.DelayFuture
			w timer.WaitFuture
		})
		fs.d = o.DelayAsync(500)
		_, done := fs.d.Poll(cx)
		require.False(t, done)
		fs.w = o.WaitAsync()
		require.PanicsWithValue(t, concurrentMsg("WaitAsync", "DelayAsync"), func() { fs.w.Poll(cx) })
		err, _ = await(c, &fs.d)
	})
	assert.NoError(t, err)
}

// Waits one after another (a periodic timer's ticks), a wait cancelled and replaced, and a
// delay after a cancelled delay, are not concurrent.
func TestSequentialAndCancelledWaitsDoNotPanic(t *testing.T) {
	var errs [4]error
	var ticks [3]time.Duration
	var start time.Duration
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		pt := haltest.Must(timer.NewPeriodic(p.TIMG1, timer.Config{})).IntoAsync()
		cx := async.NewContext(0)
		fs := new(struct {
			w      [4]timer.WaitFuture
			d1, d2 timer.DelayFuture
		})
		start = c.Now()
		require.NoError(t, pt.Start(500))
		fs.w[0] = pt.WaitAsync()
		errs[0], ticks[0] = await(c, &fs.w[0])
		fs.w[1] = pt.WaitAsync() // armed, then given up on
		_, done := fs.w[1].Poll(cx)
		require.False(t, done)
		fs.w[1].Cancel()
		fs.w[2] = pt.WaitAsync()
		errs[1], ticks[1] = await(c, &fs.w[2])
		fs.w[3] = pt.WaitAsync()
		errs[2], ticks[2] = await(c, &fs.w[3])
		pt.Close()

		o := haltest.Must(timer.NewOneShot(p.TIMG1, timer.Config{})).IntoAsync()
		defer o.Close()
		fs.d1 = o.DelayAsync(1000)
		_, done = fs.d1.Poll(cx)
		require.False(t, done)
		fs.d1.Cancel()
		fs.d2 = o.DelayAsync(100)
		errs[3], _ = await(c, &fs.d2)
	})
	assert.Equal(t, [4]error{}, errs)
	for i, at := range ticks {
		assert.InDelta(t, 500*(i+1), (at - start).Microseconds(), 20, "tick %d", i)
	}
}
