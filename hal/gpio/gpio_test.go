//go:build !tinygo

package gpio_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/gpio"
	"github.com/gohal/gohal/hal/internal/haltest"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// run runs firmware after hal.Init on a fresh simulated chip (haltest.Run).
func run(t *testing.T, setup func(c *sim.Chip), firmware func(c *sim.Chip, p *hal.Peripherals)) *sim.Chip {
	t.Helper()
	return haltest.Run(t, setup, firmware, sim.Timeout(10*time.Second))
}

// spawnRun runs tasks on a thread-mode executor until they have all finished.
func spawnRun(tasks ...async.Task) error {
	ex, err := executor.Thread(executor.Options{})
	if err != nil {
		return err
	}
	defer ex.Close()
	for _, tk := range tasks {
		if _, err := ex.Spawner().Spawn(tk); err != nil {
			return err
		}
	}
	ex.Run()
	return nil
}

func ioMux(n int) uint32 { return uint32(esp32c3.IO_MUX.GPIO[n].Read()) }

func TestOutputSetsLevelsThroughW1TSAndW1TC(t *testing.T) {
	var w5, w6 *sim.PinWatch
	var set []bool
	var mux5 uint32
	var enabled bool
	c := run(t, func(c *sim.Chip) {
		w5 = c.GPIO().Watch(5)
		w6 = c.GPIO().Watch(6)
	}, func(c *sim.Chip, p *hal.Peripherals) {
		o, err := gpio.NewOutput(p.GPIO5, gpio.Low, gpio.OutputConfig{Drive: gpio.Drive40mA})
		if err != nil {
			panic(err)
		}
		hi, err := gpio.NewOutput(p.GPIO6, gpio.High, gpio.OutputConfig{})
		if err != nil {
			panic(err)
		}
		mux5 = ioMux(5)
		enabled = esp32c3.GPIO.ENABLE.Read().DATA()&(1<<5) != 0
		set = append(set, o.IsSetHigh())
		o.SetHigh()
		set = append(set, o.IsSetHigh())
		o.Toggle()
		set = append(set, o.IsSetHigh())
		o.Toggle()
		set = append(set, o.IsSetHigh())
		o.Set(gpio.Low)
		set = append(set, o.IsSetLow())
		hi.SetLow()
		o.Close()
		hi.Close()
	})
	assert.Equal(t, []bool{false, true, false, true, true}, set)
	assert.True(t, enabled, "ENABLE bit of GPIO5")
	assert.Equal(t, uint32(3), mux5>>10&3, "FUN_DRV for 40 mA")
	assert.Equal(t, uint32(1), mux5>>12&7, "MCU_SEL = GPIO")
	assert.Zero(t, mux5&(1<<9), "FUN_IE off on a push-pull output")
	assert.Zero(t, c.GPIO().OUTWrites(), "OUT itself is never written (no read-modify-write)")

	// GPIO5 came out of reset pulled high: one fall when the low output was enabled, then
	// rise, fall, rise, fall, and no glitch; Close gives the pad back to its reset pull-up.
	levels := func(es []sim.Edge) (l []bool) {
		for _, e := range es {
			l = append(l, e.Level)
		}
		return l
	}
	assert.Equal(t, []bool{false, true, false, true, false, true}, levels(w5.Edges()))
	// GPIO6 started high and stayed high until SetLow: its initial level showed at once.
	assert.Equal(t, []bool{false, true}, levels(w6.Edges()))
}

func TestInputPullsAndLevels(t *testing.T) {
	var got []bool
	var mux uint32
	run(t, func(c *sim.Chip) {
		c.GPIO().DriveAt(time.Millisecond, 4, true)
	}, func(c *sim.Chip, p *hal.Peripherals) {
		in, err := gpio.NewInput(p.GPIO4, gpio.InputConfig{Pull: gpio.PullDown})
		if err != nil {
			panic(err)
		}
		mux = ioMux(4)
		got = append(got, in.IsHigh())
		if err := in.ApplyConfig(gpio.InputConfig{Pull: gpio.PullUp}); err != nil {
			panic(err)
		}
		got = append(got, in.IsHigh())
		if err := in.ApplyConfig(gpio.InputConfig{Pull: gpio.PullDown}); err != nil {
			panic(err)
		}
		got = append(got, in.Level() == gpio.High)
		if err := in.WaitForHighTimeout(10 * async.Millisecond); err != nil { // driven at 1 ms
			panic(err)
		}
		got = append(got, in.IsHigh(), in.IsLow())
		in.Close()
	})
	assert.Equal(t, []bool{false, true, false, true, false}, got)
	assert.NotZero(t, mux&(1<<9), "FUN_IE on")
	assert.NotZero(t, mux&(1<<7), "FUN_WPD on")
	assert.Zero(t, mux&(1<<8), "FUN_WPU off")
}

func TestOpenDrainReadsTheLine(t *testing.T) {
	var got []bool
	var padDriver bool
	run(t, func(c *sim.Chip) {
		c.GPIO().DriveAt(time.Millisecond, 4, false) // another device pulls the line low
		c.GPIO().ReleaseAt(2*time.Millisecond, 4)
	}, func(c *sim.Chip, p *hal.Peripherals) {
		od, err := gpio.NewOutputOpenDrain(p.GPIO4, gpio.High, gpio.OutputConfig{Pull: gpio.PullUp})
		if err != nil {
			panic(err)
		}
		padDriver = esp32c3.GPIO.PIN[4].Read().PAD_DRIVER()
		got = append(got, od.IsHigh()) // released: the pull-up holds it high
		od.SetLow()
		got = append(got, od.IsLow())
		od.SetHigh()
		got = append(got, od.IsHigh())
		if err := od.WaitForFallingEdgeTimeout(10 * async.Millisecond); err != nil {
			panic(err)
		}
		got = append(got, od.IsSetHigh(), od.IsLow()) // wired-AND: set high, read low
		if err := od.WaitForRisingEdgeTimeout(10 * async.Millisecond); err != nil {
			panic(err)
		}
		got = append(got, od.IsHigh())
		od.Close()
	})
	assert.True(t, padDriver, "PAD_DRIVER = open drain")
	assert.Equal(t, []bool{true, true, true, true, true, true}, got)
}

func TestFlexReconfiguresAtRunTime(t *testing.T) {
	type step struct {
		mode gpio.Mode
		high bool
	}
	var steps []step
	var sawEdgeAt, setAt time.Duration
	run(t, nil, func(c *sim.Chip, p *hal.Peripherals) {
		f, err := gpio.NewFlex(p.GPIO3)
		if err != nil {
			panic(err)
		}
		rec := func() { steps = append(steps, step{f.Mode(), f.IsHigh()}) }
		rec() // input, floating at the reset pull-up's high
		f.SetLow()
		if err := f.SetAsOutput(gpio.OutputConfig{}); err != nil {
			panic(err)
		}
		rec()
		f.SetHigh()
		rec()
		if err := f.SetAsOpenDrain(gpio.OutputConfig{Pull: gpio.PullUp}); err != nil {
			panic(err)
		}
		rec()
		f.SetLow()
		rec()
		if err := f.SetAsInput(gpio.InputConfig{Pull: gpio.PullUp}); err != nil {
			panic(err)
		}
		rec()
		// An async Flex output observing its own edges: the input buffer stays on.
		if err := f.SetAsOutput(gpio.OutputConfig{}); err != nil {
			panic(err)
		}
		af := f.IntoAsync()
		af.SetLow()
		w := af.WaitForRisingEdge()
		task := async.TaskFunc(func(cx *async.Context) bool {
			if _, ok := w.Poll(cx); !ok {
				if setAt == 0 {
					setAt = c.Now()
					af.SetHigh() // from the task itself: the wait is armed, the edge follows
				}
				return false
			}
			sawEdgeAt = c.Now()
			return true
		})
		if err := spawnRun(task); err != nil {
			panic(err)
		}
		af.Close()
	})
	assert.Equal(t, []step{
		{gpio.ModeInput, true},
		{gpio.ModeOutput, false},
		{gpio.ModeOutput, true},
		{gpio.ModeOpenDrain, true},
		{gpio.ModeOpenDrain, false},
		{gpio.ModeInput, true},
	}, steps)
	require.NotZero(t, sawEdgeAt)
	assert.Less(t, sawEdgeAt-setAt, 20*time.Microsecond)
}

func TestOwnershipAndConfigErrors(t *testing.T) {
	var errTwice, errFlash, errDrive, errPull, errAfterClose error
	var muxAfterClose uint32
	run(t, nil, func(c *sim.Chip, p *hal.Peripherals) {
		in, err := gpio.NewInput(p.GPIO5, gpio.InputConfig{Pull: gpio.PullDown})
		if err != nil {
			panic(err)
		}
		//gohalvet:ignore consumed a test of the run-time ownership error
		_, errTwice = gpio.NewOutput(p.GPIO5, gpio.Low, gpio.OutputConfig{})
		_, errFlash = gpio.NewFlex(p.GPIO12)
		_, errDrive = gpio.NewOutput(p.GPIO7, gpio.Low, gpio.OutputConfig{Drive: 9})
		_, errPull = gpio.NewInput(p.GPIO7, gpio.InputConfig{Pull: 3})
		in.Close()
		muxAfterClose = ioMux(5)
		o, errAfterClose := gpio.NewOutput(p.GPIO5, gpio.Low, gpio.OutputConfig{})
		if errAfterClose == nil {
			o.Close()
		}
	})
	var inUse *periph.InUseError
	require.ErrorAs(t, errTwice, &inUse)
	assert.Equal(t, "GPIO5 is already in use by gpio.Input (wanted by gpio.Output)", errTwice.Error())
	var cfgErr *gpio.ConfigError
	require.ErrorAs(t, errFlash, &cfgErr)
	assert.Contains(t, errFlash.Error(), "gpio: GPIO12: GPIO12–GPIO17 are wired to the SPI flash")
	assert.Equal(t, "gpio: GPIO7: drive strength must be Drive5mA, Drive10mA, Drive20mA or Drive40mA", errDrive.Error())
	assert.Equal(t, "gpio: GPIO7: pull must be PullNone, PullUp or PullDown", errPull.Error())
	assert.NoError(t, errAfterClose)
	assert.Equal(t, uint32(0xB00), muxAfterClose, "Close returns IO_MUX to its reset value")
	assert.Empty(t, periph.Owner(periph.KindPin, 7), "a refused configuration claims nothing")
}

func TestConsumedDriversPanicWithAMessage(t *testing.T) {
	var msgs []string
	run(t, nil, func(c *sim.Chip, p *hal.Peripherals) {
		in, err := gpio.NewInput(p.GPIO9, gpio.InputConfig{})
		if err != nil {
			panic(err)
		}
		a := in.IntoAsync()
		msgs = append(msgs, haltest.PanicMessage(func() { in.IsHigh() }))
		msgs = append(msgs, haltest.PanicMessage(func() { in.IntoAsync() }))
		f := a.WaitForFallingEdge()
		b := a.IntoBlocking()
		msgs = append(msgs, haltest.PanicMessage(func() { a.WaitForLow() }))
		msgs = append(msgs, haltest.PanicMessage(func() { f.Poll(async.NewContext(0)) }))
		f.Cancel() // harmless on a converted pin
		b.Close()
		msgs = append(msgs, haltest.PanicMessage(func() { b.IsLow() }))
		msgs = append(msgs, haltest.PanicMessage(func() { b.Close() }))

		o, err := gpio.NewOutput(p.GPIO8, gpio.Low, gpio.OutputConfig{})
		if err != nil {
			panic(err)
		}
		o.Close()
		msgs = append(msgs, haltest.PanicMessage(func() { o.Toggle() }))
	})
	assert.Equal(t, []string{
		"gpio: GPIO9 Input used after IntoAsync consumed it",
		"gpio: GPIO9 Input used after IntoAsync consumed it",
		"gpio: GPIO9 AsyncInput used after IntoBlocking consumed it",
		"gpio: GPIO9 AsyncInput used after IntoBlocking consumed it",
		"gpio: GPIO9 Input used after Close",
		"gpio: GPIO9 Input used after Close",
		"gpio: GPIO8 Output used after Close",
	}, msgs)
}

func TestBlockingWaitsAndTimeouts(t *testing.T) {
	type result struct {
		err     error
		elapsed time.Duration
	}
	var res []result
	run(t, func(c *sim.Chip) {
		g := c.GPIO()
		g.DriveAt(time.Millisecond, 9, false)
		g.ReleaseAt(time.Millisecond+100*time.Nanosecond, 9) // a 100 ns pulse
		g.DriveAt(5*time.Millisecond, 9, false)
		g.ReleaseAt(6*time.Millisecond, 9)
	}, func(c *sim.Chip, p *hal.Peripherals) {
		in, err := gpio.NewInput(p.GPIO9, gpio.InputConfig{Pull: gpio.PullUp})
		if err != nil {
			panic(err)
		}
		do := func(f func() error) {
			start := c.Now()
			err := f()
			res = append(res, result{err, c.Now() - start})
		}
		do(func() error { return in.WaitForFallingEdgeTimeout(3 * async.Millisecond) })  // the pulse at 1 ms
		do(func() error { return in.WaitForHighTimeout(async.Millisecond) })             // high already
		do(func() error { return in.WaitForRisingEdgeTimeout(500 * async.Microsecond) }) // high, no edge: times out
		do(func() error { return in.WaitForLowTimeout(gpio.Forever) })                   // 5 ms
		do(func() error { return in.WaitForAnyEdgeTimeout(10 * async.Millisecond) })     // 6 ms
		do(func() error { return in.WaitTimeout(gpio.FallingEdge, 0) })                  // poll once
		in.Close()
	})
	require.Len(t, res, 6)
	assert.NoError(t, res[0].err)
	assert.InDelta(t, float64(time.Millisecond), float64(res[0].elapsed), float64(20*time.Microsecond), "pulse seen at 1 ms")
	assert.NoError(t, res[1].err)
	assert.Less(t, res[1].elapsed, 5*time.Microsecond)
	assert.ErrorIs(t, res[2].err, gpio.ErrTimeout)
	assert.InDelta(t, float64(500*time.Microsecond), float64(res[2].elapsed), float64(20*time.Microsecond))
	assert.NoError(t, res[3].err)
	assert.NoError(t, res[4].err)
	assert.ErrorIs(t, res[5].err, gpio.ErrTimeout)
}

// waitSeq awaits a sequence of pin waits one after another, recording when each completed.
type waitSeq struct {
	c     *sim.Chip
	next  []func() gpio.WaitFuture
	cur   gpio.WaitFuture
	armed bool
	at    []time.Duration
}

func (s *waitSeq) Poll(cx *async.Context) bool {
	for len(s.at) < len(s.next) {
		if !s.armed {
			s.cur = s.next[len(s.at)]()
			s.armed = true
		}
		if _, ok := s.cur.Poll(cx); !ok {
			return false
		}
		s.at = append(s.at, s.c.Now())
		s.armed = false
	}
	return true
}

func TestAsyncWaitsHaveExactEdgeSemantics(t *testing.T) {
	var at []time.Duration
	var intEna, intType uint32
	var armedLeft bool
	run(t, func(c *sim.Chip) {
		g := c.GPIO()
		g.DriveAt(1*time.Millisecond, 9, false)
		g.ReleaseAt(2*time.Millisecond, 9)
		g.DriveAt(3*time.Millisecond, 9, false)
		g.ReleaseAt(4*time.Millisecond, 9)
	}, func(c *sim.Chip, p *hal.Peripherals) {
		in, err := gpio.NewInput(p.GPIO9, gpio.InputConfig{Pull: gpio.PullUp})
		if err != nil {
			panic(err)
		}
		a := in.IntoAsync()
		s := &waitSeq{c: c, next: []func() gpio.WaitFuture{
			a.WaitForHigh,        // high already: at once
			a.WaitForRisingEdge,  // armed while high: not the level, not the fall at 1 ms; the rise at 2 ms
			a.WaitForLow,         // the fall at 3 ms
			a.WaitForLow,         // low already: at once
			a.WaitForAnyEdge,     // the rise at 4 ms
			a.WaitForFallingEdge, // nothing more: stopped below
		}}
		stopper := &stopAfter{c: c, at: 6 * time.Millisecond}
		ex, err := executor.Thread(executor.Options{})
		if err != nil {
			panic(err)
		}
		ex.Spawner().Spawn(s)
		stopper.ex = ex
		ex.Spawner().Spawn(stopper)
		ex.Run()
		s.cur.Cancel()
		ex.Close()
		at = s.at
		v := esp32c3.GPIO.PIN[9].Read()
		intEna, intType = v.INT_ENA(), v.INT_TYPE()
		armedLeft = rt.SourcePending(gpio.Source)
		a.Close()
	})
	ms := time.Millisecond
	require.Len(t, at, 5)
	want := []time.Duration{0, 2 * ms, 3 * ms, 3 * ms, 4 * ms}
	for i, w := range want {
		assert.GreaterOrEqual(t, at[i], w, "wait %d", i)
		assert.Less(t, at[i], w+30*time.Microsecond, "wait %d completed at %v, want %v", i, at[i], w)
	}
	assert.Zero(t, intEna, "Cancel disabled the pin's interrupt")
	assert.Zero(t, intType)
	assert.False(t, armedLeft)
}

// stopAfter stops its executor at a virtual time.
type stopAfter struct {
	c     *sim.Chip
	ex    *executor.Executor
	at    time.Duration
	timer async.Timer
	armed bool
}

func (s *stopAfter) Poll(cx *async.Context) bool {
	if !s.armed {
		s.timer = async.At(async.Instant(s.at / time.Microsecond))
		s.armed = true
	}
	if _, ok := s.timer.Poll(cx); !ok {
		return false
	}
	s.ex.Stop()
	return true
}

func TestSelectCancelsTheLosingPinWait(t *testing.T) {
	var which int
	var intEna uint32
	var pendingAfterEdge bool
	run(t, func(c *sim.Chip) {
		c.GPIO().DriveAt(3*time.Millisecond, 9, false) // after the timeout
	}, func(c *sim.Chip, p *hal.Peripherals) {
		in, err := gpio.NewInput(p.GPIO9, gpio.InputConfig{Pull: gpio.PullUp})
		if err != nil {
			panic(err)
		}
		a := in.IntoAsync()
		press := a.WaitForFallingEdge()
		timer := async.After(async.Millisecond)
		sel := async.Select[struct{}, async.Instant](&press, &timer)
		task := async.TaskFunc(func(cx *async.Context) bool {
			r, ok := sel.Poll(cx)
			which = r.Which
			return ok
		})
		if err := spawnRun(task); err != nil {
			panic(err)
		}
		intEna = esp32c3.GPIO.PIN[9].Read().INT_ENA()
		if err := a.WaitForLowTimeout(5 * async.Millisecond); err != nil { // past the edge
			panic(err)
		}
		pendingAfterEdge = rt.SourcePending(gpio.Source)
		a.Close()
	})
	assert.Equal(t, 1, which, "the timer won")
	assert.Zero(t, intEna, "the cancelled wait disabled the pin's interrupt")
	assert.False(t, pendingAfterEdge, "a cancelled wait leaves no interrupt to fire")
}

func TestTwoPinsWaitedOnByTwoTasks(t *testing.T) {
	var a9, a10 *waitSeq
	run(t, func(c *sim.Chip) {
		g := c.GPIO()
		g.DriveAt(1*time.Millisecond, 10, true)
		g.DriveAt(2*time.Millisecond, 9, false)
		g.DriveAt(3*time.Millisecond, 10, false)
	}, func(c *sim.Chip, p *hal.Peripherals) {
		in9, err := gpio.NewInput(p.GPIO9, gpio.InputConfig{Pull: gpio.PullUp})
		if err != nil {
			panic(err)
		}
		in10, err := gpio.NewInput(p.GPIO10, gpio.InputConfig{Pull: gpio.PullDown})
		if err != nil {
			panic(err)
		}
		p9, p10 := in9.IntoAsync(), in10.IntoAsync()
		a9 = &waitSeq{c: c, next: []func() gpio.WaitFuture{p9.WaitForFallingEdge}}
		a10 = &waitSeq{c: c, next: []func() gpio.WaitFuture{p10.WaitForRisingEdge, p10.WaitForFallingEdge}}
		if err := spawnRun(a9, a10); err != nil {
			panic(err)
		}
		p9.Close()
		p10.Close()
	})
	require.Len(t, a9.at, 1)
	require.Len(t, a10.at, 2)
	assert.InDelta(t, float64(2*time.Millisecond), float64(a9.at[0]), float64(30*time.Microsecond))
	assert.InDelta(t, float64(1*time.Millisecond), float64(a10.at[0]), float64(30*time.Microsecond))
	assert.InDelta(t, float64(3*time.Millisecond), float64(a10.at[1]), float64(30*time.Microsecond))
}

func TestInterruptPriorityIsValidated(t *testing.T) {
	err := gpio.SetInterruptPriority(0)
	var cfg *gpio.ConfigError
	require.True(t, errors.As(err, &cfg), "%v", err)
	require.NoError(t, gpio.SetInterruptPriority(gpio.DefaultPriority))
}

func TestPinMovedAcrossIntoAsyncAndIntoBlocking(t *testing.T) {
	var at []time.Duration
	var errBlocking error
	run(t, func(c *sim.Chip) {
		g := c.GPIO()
		for i := 1; i <= 3; i++ {
			g.DriveAt(time.Duration(i)*time.Millisecond, 9, false)
			g.ReleaseAt(time.Duration(i)*time.Millisecond+300*time.Microsecond, 9)
		}
	}, func(c *sim.Chip, p *hal.Peripherals) {
		in, err := gpio.NewInput(p.GPIO9, gpio.InputConfig{Pull: gpio.PullUp})
		if err != nil {
			panic(err)
		}
		a := in.IntoAsync()
		s := &waitSeq{c: c, next: []func() gpio.WaitFuture{a.WaitForFallingEdge}}
		if err := spawnRun(s); err != nil {
			panic(err)
		}
		at = append(at, s.at...)
		b := a.IntoBlocking() // the handler is unbound: no async pin is left
		errBlocking = b.WaitForFallingEdgeTimeout(5 * async.Millisecond)
		at = append(at, c.Now())
		a = b.IntoAsync() // bound again
		s = &waitSeq{c: c, next: []func() gpio.WaitFuture{a.WaitForFallingEdge}}
		if err := spawnRun(s); err != nil {
			panic(err)
		}
		at = append(at, s.at...)
		a.Close()
	})
	require.NoError(t, errBlocking)
	require.Len(t, at, 3)
	for i, a := range at {
		want := time.Duration(i+1) * time.Millisecond
		assert.InDelta(t, float64(want), float64(a), float64(30*time.Microsecond), "press %d", i+1)
	}
}
