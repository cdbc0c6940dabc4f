//go:build !tinygo

package ledc_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/internal/haltest"
	"github.com/gohal/gohal/hal/ledc"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/pac/esp32c3"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// run runs firmware after hal.Init on a fresh simulated chip (haltest.Run).
func run(t *testing.T, setup func(c *sim.Chip), firmware func(c *sim.Chip, p *hal.Peripherals)) *sim.Chip {
	t.Helper()
	return haltest.Run(t, setup, firmware)
}

// measureEdges returns the mean period and high time of the complete periods in edges.
func measureEdges(t *testing.T, edges []sim.Edge) (period, high time.Duration, n int) {
	t.Helper()
	var rises []int
	for i, e := range edges {
		if e.Level {
			rises = append(rises, i)
		}
	}
	require.GreaterOrEqual(t, len(rises), 2, "edges: %v", edges)
	var sumP, sumH time.Duration
	for k := 0; k+1 < len(rises); k++ {
		r, next := rises[k], rises[k+1]
		require.Greater(t, next, r+1, "a fall between two rises")
		sumP += edges[next].At - edges[r].At
		sumH += edges[r+1].At - edges[r].At
		n++
	}
	return sumP / time.Duration(n), sumH / time.Duration(n), n
}

func TestFrequencyAndDutyOnThePin(t *testing.T) {
	var pwm sim.PWM
	var ok bool
	var edges []sim.Edge
	var conf, tconf, outSel uint32
	var freq uint32
	c := run(t, func(c *sim.Chip) { c.LEDC().EmitEdges(true) }, func(c *sim.Chip, p *hal.Peripherals) {
		tm := haltest.Must(ledc.NewTimer(p.LEDCTimer1, ledc.TimerConfig{Frequency: 5000, Resolution: 13}))
		freq = tm.Frequency()
		ch := haltest.Must(ledc.NewChannel(p.LEDC2, tm, p.GPIO5, ledc.ChannelConfig{}))
		if err := ch.SetDutyPercent(25); err != nil {
			panic(err)
		}
		if err := ch.WaitFade(); err != nil { // the update reaches the next period
			panic(err)
		}
		w := c.GPIO().Watch(5)
		for start := c.Now(); c.Now()-start < 2*time.Millisecond; {
			esp32c3.LEDC.DATE.Read()
		}
		edges = w.Edges()
		pwm, ok = c.LEDC().Measure(5)
		conf = uint32(esp32c3.LEDC.CONF.Read())
		tconf = uint32(esp32c3.LEDC.LSTIMER[1].CONF.Read())
		outSel = uint32(esp32c3.GPIO.FUNC_OUT_SEL_CFG[5].Read())
	})
	_ = c
	require.True(t, ok)
	assert.Equal(t, uint32(5000), freq)
	assert.True(t, pwm.Running)
	assert.Equal(t, 2, pwm.Channel)
	assert.Equal(t, 1, pwm.Timer)
	assert.InDelta(t, 5000, pwm.Frequency, 0.001)
	assert.Equal(t, 200*time.Microsecond, pwm.Period)
	assert.Equal(t, 50*time.Microsecond, pwm.High)
	assert.InDelta(t, 0.25, pwm.Duty, 1e-9)
	assert.Equal(t, uint32(2048), pwm.Steps)
	period, high, n := measureEdges(t, edges)
	assert.GreaterOrEqual(t, n, 8)
	assert.InDelta(t, float64(200*time.Microsecond), float64(period), 2, "period from the edges")
	assert.InDelta(t, float64(50*time.Microsecond), float64(high), 2, "pulse width from the edges")
	assert.Equal(t, uint32(1), conf&3, "APB_CLK_SEL = APB")
	assert.NotZero(t, conf&(1<<31), "CLK_EN")
	assert.Equal(t, uint32(13), tconf&0xF, "DUTY_RES")
	assert.Equal(t, uint32(500<<4), tconf&(0x3FFFF<<4), "CLK_DIV = 80 MHz × 256 / (5000 × 2^13) = 500 (1.953125)")
	assert.Zero(t, tconf&(3<<22), "neither paused nor held in reset")
	assert.Equal(t, uint32(ledc.SignalBase+2), outSel&0xFF, "GPIO5 carries LEDC_LS_SIG_OUT2")
}

func TestServoPulseWidths(t *testing.T) {
	var highs []time.Duration
	var duties []uint32
	run(t, nil, func(c *sim.Chip, p *hal.Peripherals) {
		tm := haltest.Must(ledc.NewTimer(p.LEDCTimer0, ledc.TimerConfig{Frequency: 50, Resolution: 14}))
		ch := haltest.Must(ledc.NewChannel(p.LEDC0, tm, p.GPIO4, ledc.ChannelConfig{}))
		for _, w := range []time.Duration{time.Millisecond, 1500 * time.Microsecond, 2 * time.Millisecond} {
			d := tm.DutyFor(w)
			duties = append(duties, d)
			if err := ch.SetDuty(d); err != nil {
				panic(err)
			}
			if err := ch.WaitFade(); err != nil {
				panic(err)
			}
			pwm, _ := c.LEDC().Measure(4)
			highs = append(highs, pwm.High)
		}
	})
	assert.Equal(t, []uint32{819, 1229, 1638}, duties)
	for i, want := range []time.Duration{time.Millisecond, 1500 * time.Microsecond, 2 * time.Millisecond} {
		assert.InDelta(t, float64(want), float64(highs[i]), float64(time.Microsecond), "pulse %d", i)
	}
}

func TestInvalidTimerConfigsNameTheNearestPair(t *testing.T) {
	var errFast, errSlow, errRes, errZero, errClock, errDuty, errPct error
	run(t, nil, func(c *sim.Chip, p *hal.Peripherals) {
		_, errFast = ledc.NewTimer(p.LEDCTimer0, ledc.TimerConfig{Frequency: 40_000, Resolution: 12})
		_, errSlow = ledc.NewTimer(p.LEDCTimer0, ledc.TimerConfig{Frequency: 1, Resolution: 10})
		_, errRes = ledc.NewTimer(p.LEDCTimer0, ledc.TimerConfig{Frequency: 1000, Resolution: 15})
		_, errZero = ledc.NewTimer(p.LEDCTimer0, ledc.TimerConfig{Resolution: 8})
		tm := haltest.Must(ledc.NewTimer(p.LEDCTimer0, ledc.TimerConfig{Frequency: 1000, Resolution: 8}))
		_, errClock = ledc.NewTimer(p.LEDCTimer1, ledc.TimerConfig{Frequency: 1000, Resolution: 8, Clock: ledc.ClockXTAL})
		_, errDuty = ledc.NewChannel(p.LEDC0, tm, p.GPIO3, ledc.ChannelConfig{Duty: 257})
		ch := haltest.Must(ledc.NewChannel(p.LEDC0, tm, p.GPIO3, ledc.ChannelConfig{Duty: 256}))
		errPct = ch.SetDutyPercent(101)
	})
	var fe *ledc.FrequencyError
	require.True(t, errors.As(errFast, &fe))
	assert.Equal(t, uint32(40_000), fe.NearestFrequency)
	assert.Equal(t, uint8(10), fe.NearestResolution)
	assert.Equal(t, uint32(19_531), fe.AltFrequency)
	assert.Equal(t, uint8(12), fe.AltResolution)
	assert.EqualError(t, errFast, "ledc: LEDC_TIMER0: 40000 Hz at 12 bits is not reachable from APB (80 MHz): the divider would be 0.48, "+
		"and the timer divides by 1 to 1023.996; the nearest reachable is 40000 Hz at 10 bits (or 19531 Hz at 12 bits)")

	require.True(t, errors.As(errSlow, &fe))
	assert.Equal(t, uint32(5), fe.NearestFrequency)
	assert.Equal(t, uint8(14), fe.NearestResolution)
	assert.Equal(t, uint32(77), fe.AltFrequency)
	assert.EqualError(t, errSlow, "ledc: LEDC_TIMER0: 1 Hz at 10 bits is not reachable from APB (80 MHz): the divider would be 78125.00, "+
		"and the timer divides by 1 to 1023.996; the nearest reachable is 5 Hz at 14 bits (or 77 Hz at 10 bits)")

	assert.EqualError(t, errRes, "ledc: LEDC_TIMER0: Resolution 15 is not 1..14 bits (the C3's LEDC timers count 14 bits)")
	assert.EqualError(t, errZero, "ledc: LEDC_TIMER0: Frequency must be at least 1 Hz")
	assert.EqualError(t, errClock, "ledc: LEDC_TIMER1: the LEDC clock is APB (80 MHz), which the open timers share; XTAL (40 MHz) cannot be used until they are closed")
	assert.EqualError(t, errDuty, "ledc: LEDC0: duty 257 is above the timer's 256 (8 bits; 256 is 100%)")
	assert.EqualError(t, errPct, "ledc: LEDC0: duty 101% is above 100%")
}

func TestEveryReachablePairIsAccepted(t *testing.T) {
	// The nearest pairs an error names are themselves accepted.
	for _, clk := range []ledc.Clock{ledc.ClockAPB, ledc.ClockXTAL, ledc.ClockRCFast} {
		for _, req := range []ledc.TimerConfig{{Frequency: 40_000, Resolution: 12}, {Frequency: 1, Resolution: 10}, {Frequency: 3_000_000, Resolution: 5}, {Frequency: 20_000_000, Resolution: 3}} {
			req.Clock = clk
			var err, errNear, errAlt error
			var fe *ledc.FrequencyError
			run(t, nil, func(c *sim.Chip, p *hal.Peripherals) {
				_, err = ledc.NewTimer(p.LEDCTimer0, req)
				if !errors.As(err, &fe) {
					return
				}
				var tm *ledc.Timer
				tm, errNear = ledc.NewTimer(p.LEDCTimer0, ledc.TimerConfig{Frequency: fe.NearestFrequency, Resolution: fe.NearestResolution, Clock: clk})
				if errNear == nil {
					tm.Close()
				}
				tm, errAlt = ledc.NewTimer(p.LEDCTimer0, ledc.TimerConfig{Frequency: fe.AltFrequency, Resolution: fe.AltResolution, Clock: clk})
				if errAlt == nil {
					tm.Close()
				}
			})
			require.True(t, errors.As(err, &fe), "%v %+v: %v", clk, req, err)
			assert.NoError(t, errNear, "%v %+v", clk, req)
			assert.NoError(t, errAlt, "%v %+v", clk, req)
		}
	}
}

func TestBlockingFadeEndsAtTheRightTime(t *testing.T) {
	var start, end, periodStart time.Duration
	var before, after sim.PWM
	var errFade, errShort, errLong error
	var conf1 uint32
	var fading bool
	run(t, nil, func(c *sim.Chip, p *hal.Peripherals) {
		tm := haltest.Must(ledc.NewTimer(p.LEDCTimer0, ledc.TimerConfig{Frequency: 50, Resolution: 14}))
		ch := haltest.Must(ledc.NewChannel(p.LEDC1, tm, p.GPIO6, ledc.ChannelConfig{Duty: tm.DutyFor(time.Millisecond)}))
		if err := ch.WaitFade(); err != nil {
			panic(err)
		}
		before, _ = c.LEDC().Measure(6)
		periodStart = c.Now() // WaitFade returned at the period boundary the duty took effect
		start = c.Now()
		if err := ch.StartFade(tm.DutyFor(2*time.Millisecond), time.Second); err != nil {
			panic(err)
		}
		conf1 = uint32(esp32c3.LEDC.LSCH[1].CONF1.Read())
		fading = ch.Fading()
		errFade = ch.WaitFade()
		end = c.Now()
		after, _ = c.LEDC().Measure(6)
		errShort = ch.StartFade(0, 20*time.Millisecond) // 1638 steps in one period
		errLong = ch.StartFade(tm.DutyFor(2*time.Millisecond)+1, time.Hour)
	})
	require.NoError(t, errFade)
	assert.True(t, fading)
	assert.InDelta(t, float64(time.Millisecond), float64(before.High), float64(time.Microsecond))
	assert.InDelta(t, float64(2*time.Millisecond), float64(after.High), float64(time.Microsecond))
	assert.Equal(t, uint32(1638), after.Steps, "the fade ends on its target exactly")
	// 819 → 1638 over 50 periods: DUTY_NUM 50, DUTY_CYCLE 1, DUTY_SCALE 16 (the start moves
	// up by 19 steps so that 50 × 16 lands on 1638).
	assert.Equal(t, uint32(50), conf1>>20&0x3FF, "DUTY_NUM")
	assert.Equal(t, uint32(1), conf1>>10&0x3FF, "DUTY_CYCLE")
	assert.Equal(t, uint32(16), conf1&0x3FF, "DUTY_SCALE")
	assert.NotZero(t, conf1&(1<<30), "DUTY_INC")
	// The fade starts at the next period boundary (20 ms after the last one) and lasts 50
	// periods: it ends 51 periods after periodStart, give or take the accesses in between.
	assert.InDelta(t, float64(periodStart+51*20*time.Millisecond), float64(end), float64(50*time.Microsecond), "fade end at %v (started %v)", end, start)
	assert.EqualError(t, errShort, "ledc: LEDC1: a fade of 1638 steps takes at least 2 PWM periods (40.0 ms): the duty changes by at most 1023 steps per period")
	assert.EqualError(t, errLong, "ledc: LEDC1: the fade is too long: this one can last at most 1023 PWM periods (20460.0 ms): DUTY_NUM and DUTY_CYCLE are 10 bits each")
}

func TestAsyncFadeWakesTheTaskByInterrupt(t *testing.T) {
	var start, end time.Duration
	var errAwait error
	var ena uint32
	var steps uint32
	c := run(t, func(c *sim.Chip) { c.Machine().Record(0) }, func(c *sim.Chip, p *hal.Peripherals) {
		tm := haltest.Must(ledc.NewTimer(p.LEDCTimer2, ledc.TimerConfig{Frequency: 1000, Resolution: 10}))
		ch := haltest.Must(ledc.NewChannel(p.LEDC5, tm, p.GPIO7, ledc.ChannelConfig{Duty: 1024}))
		if err := ch.WaitFade(); err != nil {
			panic(err)
		}
		ac := ch.IntoAsync()
		defer ac.Close()
		ex := haltest.Must(executor.Thread(executor.Options{Tasks: 1}))
		defer ex.Close()
		haltest.Must(ex.Spawner().Spawn(async.Go(func(tk *async.T) {
			start = c.Now()
			errAwait = ac.AwaitFade(tk, 0, 100*time.Millisecond) // 100 periods, the core sleeps
			end = c.Now()
			ena = uint32(esp32c3.LEDC.INT_ENA.Read())
		})))
		ex.Run() // returns when the task is done; an end without the interrupt would be ErrIdle
		pwm, _ := c.LEDC().Measure(7)
		steps = pwm.Steps
	})
	require.NoError(t, errAwait)
	assert.Zero(t, steps)
	assert.Zero(t, ena&(1<<9), "the handler disabled DUTY_CHNG_END of LEDC5")
	assert.GreaterOrEqual(t, end-start, 100*time.Millisecond)
	assert.Less(t, end-start, 102*time.Millisecond)
	assert.Greater(t, c.Machine().SleepTime(0), 90*time.Millisecond, "the core slept while the hardware faded")
}

func TestOwnershipAndConsumedDrivers(t *testing.T) {
	var errSecond, errPin error
	var closeTimer, useAfter, twoWaits string
	run(t, nil, func(c *sim.Chip, p *hal.Peripherals) {
		tm := haltest.Must(ledc.NewTimer(p.LEDCTimer3, ledc.TimerConfig{Frequency: 1000, Resolution: 10}))
		ch := haltest.Must(ledc.NewChannel(p.LEDC3, tm, p.GPIO8, ledc.ChannelConfig{}))
		//gohalvet:ignore consumed a test of the run-time ownership error
		_, errSecond = ledc.NewChannel(p.LEDC3, tm, p.GPIO9, ledc.ChannelConfig{})
		//gohalvet:ignore consumed a test of the run-time ownership error
		_, errPin = ledc.NewChannel(p.LEDC4, tm, p.GPIO8, ledc.ChannelConfig{})
		closeTimer = haltest.PanicMessage(tm.Close)
		ac := ch.IntoAsync()
		useAfter = haltest.PanicMessage(func() { _ = ch.SetDuty(1) })
		f1 := ac.FadeAsync(0, 50*time.Millisecond)
		f2 := ac.WaitFadeAsync()
		w := haltest.Must(executor.Thread(executor.Options{Tasks: 1}))
		defer w.Close()
		cx := async.NewContext(0)
		f1.Poll(cx)
		twoWaits = haltest.PanicMessage(func() { f2.Poll(cx) })
		f1.Cancel()
		ac.Close()
		tm.Close()
	})
	var inUse *periph.InUseError
	require.True(t, errors.As(errSecond, &inUse))
	assert.Equal(t, "LEDC3", inUse.Resource)
	require.True(t, errors.As(errPin, &inUse))
	assert.Equal(t, "GPIO8", inUse.Resource)
	assert.Equal(t, "LEDC3 output", inUse.Owner)
	assert.Equal(t, "ledc: LEDC_TIMER3 closed while 1 channel(s) use it: close them first", closeTimer)
	assert.Equal(t, "ledc: LEDC3 Channel used after IntoAsync consumed it", useAfter)
	assert.Equal(t, "ledc: LEDC3: WaitFadeAsync polled while a FadeAsync is still pending on LEDC3; one wait per channel at a time: await the FadeAsync (or Cancel it) first", twoWaits)
}
