//go:build !tinygo

package timer_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/internal/haltest"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/timer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// run runs firmware after hal.Init on a fresh simulated chip (haltest.Run).
func run(t *testing.T, firmware func(c *sim.Chip, p *hal.Peripherals)) *sim.Chip {
	t.Helper()
	return haltest.Run(t, nil, firmware, sim.Timeout(10*time.Second))
}

func spawnRun(tasks ...async.Task) (*executor.Executor, error) {
	ex, err := executor.Thread(executor.Options{})
	if err != nil {
		return nil, err
	}
	defer ex.Close()
	for _, tk := range tasks {
		if _, err := ex.Spawner().Spawn(tk); err != nil {
			return nil, err
		}
	}
	ex.Run()
	return ex, nil
}

func TestOneShotDelayFollowsEspHalSequence(t *testing.T) {
	var elapsed time.Duration
	var errDelay, errWaitAgain, errZero, errLong error
	var cfg, alarmLo uint32
	var count uint64
	var clkOn bool
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		o := haltest.Must(timer.NewOneShot(p.TIMG1, timer.Config{}))
		clkOn = esp32c3.SYSTEM.PERIP_CLK_EN0.Read().TIMERGROUP1_CLK_EN()
		start := c.Now()
		errDelay = o.Delay(250 * async.Microsecond)
		elapsed = c.Now() - start
		cfg = uint32(esp32c3.TIMG1.T0CONFIG.Read())
		alarmLo = uint32(esp32c3.TIMG1.T0ALARMLO.Read())
		count = o.Counter()
		errWaitAgain = o.Wait() // the alarm was consumed: nothing to wait for
		errZero = o.Schedule(0)
		errLong = o.Schedule(timer.MaxDuration + 1)
		o.Close()
	})
	require.NoError(t, errDelay)
	assert.True(t, clkOn)
	assert.GreaterOrEqual(t, elapsed, 250*time.Microsecond)
	assert.Less(t, elapsed, 260*time.Microsecond)
	assert.NotZero(t, cfg&(1<<9), "USE_XTAL")
	assert.Equal(t, uint32(2), cfg>>13&0xFFFF, "DIVIDER: XTAL/2 = 20 MHz")
	assert.Zero(t, cfg&(1<<29), "AUTORELOAD off for a one-shot")
	assert.Zero(t, cfg&(1<<10), "the hardware cleared ALARM_EN at the alarm")
	assert.Equal(t, uint32(250*timer.TicksPerMicrosecond), alarmLo, "ALARMLO = µs × 20")
	assert.GreaterOrEqual(t, count, uint64(250*timer.TicksPerMicrosecond), "the counter runs on past the alarm")
	assert.ErrorIs(t, errWaitAgain, timer.ErrNotScheduled)
	assert.EqualError(t, errZero, "timer: TIMG1: a timer duration must be at least 1 µs")
	assert.ErrorContains(t, errLong, "timer: TIMG1: a timer duration must be at most MaxDuration")
}

func TestPeriodicTicksDoNotDrift(t *testing.T) {
	var ticks []time.Duration
	var start time.Duration
	var errStopped error
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		tk := haltest.Must(timer.NewPeriodic(p.TIMG0, timer.Config{}))
		start = c.Now()
		if err := tk.Start(async.Millisecond); err != nil {
			panic(err)
		}
		for i := 0; i < 5; i++ {
			if err := tk.Wait(); err != nil {
				panic(err)
			}
			ticks = append(ticks, c.Now()-start)
			timer.Delay{}.DelayUs(300) // work between ticks, shorter than a period
		}
		tk.Stop()
		errStopped = tk.Wait()
		tk.Close()
	})
	require.Len(t, ticks, 5)
	for i, at := range ticks {
		want := time.Duration(i+1) * time.Millisecond
		assert.GreaterOrEqual(t, at, want, "tick %d", i)
		assert.Less(t, at, want+10*time.Microsecond, "tick %d at %v", i, at)
	}
	assert.ErrorIs(t, errStopped, timer.ErrNotScheduled)
}

func TestOwnershipAndTheRuntimeClock(t *testing.T) {
	var errTwice, errRuntime, errPrio, errAfterClose error
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		o := haltest.Must(timer.NewOneShot(p.TIMG1, timer.Config{}))
		//gohalvet:ignore consumed a test of the run-time ownership error
		_, errTwice = timer.NewPeriodic(p.TIMG1, timer.Config{})
		o.Close()
		o2, err := timer.NewPeriodic(p.TIMG1, timer.Config{})
		errAfterClose = err
		if err == nil {
			o2.Close()
		}
		_, errPrio = timer.NewOneShot(p.TIMG1, timer.Config{Priority: 16})
		// Under TinyGo hal.Init claims TIMG0 for the runtime's clock; do the same here.
		if err := periph.Claim(periph.KindTIMG, 0, "TinyGo's runtime clock (time.Now, time.Sleep)"); err != nil {
			panic(err)
		}
		_, errRuntime = timer.NewOneShot(p.TIMG0, timer.Config{})
	})
	var inUse *periph.InUseError
	require.ErrorAs(t, errTwice, &inUse)
	assert.Equal(t, "TIMG1 is already in use by timer.OneShot (wanted by timer.Periodic)", errTwice.Error())
	assert.NoError(t, errAfterClose)
	assert.EqualError(t, errPrio, "timer: TIMG1: interrupt priority must be 1..15 (0 for the default)")
	require.ErrorAs(t, errRuntime, &inUse)
	assert.Equal(t, "TIMG0 is already in use by TinyGo's runtime clock (time.Now, time.Sleep) (wanted by timer.OneShot)", errRuntime.Error())
}

func TestConsumedTimersPanicWithAMessage(t *testing.T) {
	var msgs []string
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		o := haltest.Must(timer.NewOneShot(p.TIMG1, timer.Config{}))
		a := o.IntoAsync()
		msgs = append(msgs, haltest.PanicMessage(func() { o.Schedule(10) }))
		b := a.IntoBlocking()
		msgs = append(msgs, haltest.PanicMessage(func() { a.WaitAsync() }))
		b.Close()
		msgs = append(msgs, haltest.PanicMessage(func() { b.Wait() }))
	})
	assert.Equal(t, []string{
		"timer: TIMG1 OneShot used after IntoAsync consumed it",
		"timer: TIMG1 AsyncOneShot used after IntoBlocking consumed it",
		"timer: TIMG1 OneShot used after Close",
	}, msgs)
}

// seq runs a list of timer futures one after another, recording when each completed.
type seq struct {
	c    *sim.Chip
	next []func() async.Future[error]
	cur  async.Future[error]
	at   []time.Duration
	errs []error
}

func (s *seq) Poll(cx *async.Context) bool {
	for len(s.at) < len(s.next) {
		if s.cur == nil {
			s.cur = s.next[len(s.at)]()
		}
		err, ok := s.cur.Poll(cx)
		if !ok {
			return false
		}
		s.at = append(s.at, s.c.Now())
		s.errs = append(s.errs, err)
		s.cur = nil
	}
	return true
}

func TestAsyncOneShotAndPeriodic(t *testing.T) {
	var one, per *seq
	var start time.Duration
	var enaAfter uint32
	var idle float64
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		o := haltest.Must(timer.NewOneShot(p.TIMG1, timer.Config{})).IntoAsync()
		pt := haltest.Must(timer.NewPeriodic(p.TIMG0, timer.Config{Priority: 2})).IntoAsync()
		start = c.Now()
		one = &seq{c: c, next: []func() async.Future[error]{
			func() async.Future[error] { f := o.WaitAsync(); return &f }, // nothing scheduled
			func() async.Future[error] { f := o.DelayAsync(500 * async.Microsecond); return &f },
			func() async.Future[error] { f := o.DelayAsync(2500 * async.Microsecond); return &f },
		}}
		if err := pt.Start(1000 * async.Microsecond); err != nil {
			panic(err)
		}
		tick := func() async.Future[error] { f := pt.WaitAsync(); return &f }
		per = &seq{c: c, next: []func() async.Future[error]{tick, tick, tick, tick}}
		ex, err := spawnRun(one, per)
		if err != nil {
			panic(err)
		}
		idle = ex.Idle()
		enaAfter = uint32(esp32c3.TIMG1.INT_ENA_TIMG.Read()) | uint32(esp32c3.TIMG0.INT_ENA_TIMG.Read())
		o.Close()
		pt.Close()
	})
	require.Len(t, one.at, 3)
	assert.ErrorIs(t, one.errs[0], timer.ErrNotScheduled)
	assert.NoError(t, one.errs[1])
	assert.NoError(t, one.errs[2])
	us := time.Microsecond
	assert.InDelta(t, float64(500*us), float64(one.at[1]-start), float64(15*us))
	assert.InDelta(t, float64(3000*us), float64(one.at[2]-start), float64(30*us))
	require.Len(t, per.at, 4)
	for i, at := range per.at {
		want := time.Duration(i+1) * time.Millisecond
		assert.GreaterOrEqual(t, at-start, want, "tick %d", i)
		assert.Less(t, at-start, want+15*us, "tick %d at %v", i, at-start)
		assert.NoError(t, per.errs[i])
	}
	assert.Zero(t, enaAfter, "the handler disabled INT_ENA.T0 each time")
	assert.Greater(t, idle, 0.9, "the core slept in WFI while the timers ran")
}

func TestCancelledTimerWaitDisablesItsInterrupt(t *testing.T) {
	var which int
	var ena uint32
	var pending bool
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		o := haltest.Must(timer.NewOneShot(p.TIMG1, timer.Config{})).IntoAsync()
		if err := o.Schedule(3000); err != nil {
			panic(err)
		}
		w := o.WaitAsync()
		to := async.After(1000)
		sel := async.Select[error, async.Instant](&w, &to)
		if _, err := spawnRun(async.TaskFunc(func(cx *async.Context) bool {
			r, ok := sel.Poll(cx)
			which = r.Which
			return ok
		})); err != nil {
			panic(err)
		}
		ena = uint32(esp32c3.TIMG1.INT_ENA_TIMG.Read())
		timer.Delay{}.DelayMs(3) // past the alarm: it fires, but its interrupt is off
		pending = rt.SourcePending(timer.Source(1))
		if err := o.Wait(); err != nil { // the alarm is still there to be consumed
			panic(err)
		}
		o.Close()
	})
	assert.Equal(t, 1, which)
	assert.Zero(t, ena)
	assert.False(t, pending)
}

func TestDelayBusyWaitsOnTheSystimer(t *testing.T) {
	var d []time.Duration
	var asyncAt time.Duration
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		var dl timer.Delay
		measure := func(f func()) {
			s := c.Now()
			f()
			d = append(d, c.Now()-s)
		}
		measure(func() { dl.DelayNs(500) })
		measure(func() { dl.DelayUs(100) })
		measure(func() { dl.DelayMs(2) })
		measure(func() { dl.Sleep(40 * async.Microsecond) })
		s := c.Now()
		tm := dl.DelayAsync(700 * async.Microsecond)
		if _, err := spawnRun(async.TaskFunc(func(cx *async.Context) bool {
			_, ok := tm.Poll(cx)
			return ok
		})); err != nil {
			panic(err)
		}
		asyncAt = c.Now() - s
	})
	want := []time.Duration{500 * time.Nanosecond, 100 * time.Microsecond, 2 * time.Millisecond, 40 * time.Microsecond}
	require.Len(t, d, len(want))
	for i, w := range want {
		assert.GreaterOrEqual(t, d[i], w, "delay %d", i)
		assert.Less(t, d[i], w+time.Microsecond, "delay %d took %v", i, d[i])
	}
	assert.GreaterOrEqual(t, asyncAt, 700*time.Microsecond)
	assert.Less(t, asyncAt, 720*time.Microsecond)
}

func TestTimerMovedAcrossIntoAsyncAndIntoBlocking(t *testing.T) {
	var errs []error
	var at []time.Duration
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		start := c.Now()
		a := haltest.Must(timer.NewOneShot(p.TIMG1, timer.Config{})).IntoAsync()
		delay := func(a *timer.AsyncOneShot, d async.Duration) {
			f := a.DelayAsync(d)
			if _, err := spawnRun(async.TaskFunc(func(cx *async.Context) bool {
				err, ok := f.Poll(cx)
				if ok {
					errs = append(errs, err)
				}
				return ok
			})); err != nil {
				panic(err)
			}
			at = append(at, c.Now()-start)
		}
		delay(a, 1000)
		b := a.IntoBlocking()
		errs = append(errs, b.Delay(1000))
		at = append(at, c.Now()-start)
		a = b.IntoAsync()
		delay(a, 1000)
		a.Close()
	})
	require.Len(t, at, 3)
	for i, a := range at {
		assert.NoError(t, errs[i])
		want := time.Duration(i+1) * time.Millisecond
		assert.InDelta(t, float64(want), float64(a), float64(40*time.Microsecond), "delay %d", i+1)
	}
}
