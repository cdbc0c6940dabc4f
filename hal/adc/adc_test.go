//go:build !tinygo

package adc_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/adc"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/internal/haltest"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/pac/esp32c3"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// run runs firmware after hal.Init on a fresh simulated chip (haltest.Run).
func run(t *testing.T, setup func(c *sim.Chip), firmware func(c *sim.Chip, p *hal.Peripherals)) *sim.Chip {
	t.Helper()
	return haltest.Run(t, setup, firmware)
}

// ranges are ESP-IDF's recommended input ranges per attenuation, in mV.
var ranges = [4]float64{750, 1050, 1300, 2500}

func TestMillivoltsWithinOnePercentAcrossTheRange(t *testing.T) {
	type reading struct {
		atten adc.Attenuation
		in    float64
		raw   uint16
		mv    uint16
	}
	var got []reading
	var calibrated bool
	run(t, nil, func(c *sim.Chip, p *hal.Peripherals) {
		a := haltest.Must(adc.New(p.ADC1, adc.Config{}))
		defer a.Close()
		pins := []periph.Pin{p.GPIO0, p.GPIO1, p.GPIO3, p.GPIO4}
		for at := adc.Atten0dB; at <= adc.Atten11dB; at++ {
			ch := haltest.Must(a.Enable(pins[at], at))
			calibrated = ch.Calibrated()
			for i := 1; i <= 20; i++ {
				in := ranges[at] * float64(i) / 20
				c.ADC().SetVoltage(ch.Number(), in)
				raw := haltest.Must(a.ReadRaw(ch))
				mv := haltest.Must(a.ReadMillivolts(ch))
				got = append(got, reading{at, in, raw, mv})
			}
		}
	})
	assert.True(t, calibrated)
	require.Len(t, got, 80)
	cal := sim.DefaultADCCalibration
	for _, r := range got {
		assert.InDelta(t, r.in, float64(r.mv), math.Max(r.in*0.01, 1), "%v at %.1f mV: %d mV", r.atten, r.in, r.mv)
		// Uncalibrated, the raw code is off by the chip's gain error from what an ideal
		// chip reads.
		ideal := sim.IdealCode(r.in, int(r.atten))
		if r.in > ranges[r.atten]/4 {
			assert.NotEqual(t, ideal, uint32(r.raw), "%v at %.1f mV", r.atten, r.in)
			assert.InDelta(t, cal.Gain[r.atten], float64(r.raw)/float64(ideal), 0.002, "%v at %.1f mV", r.atten, r.in)
		}
	}
}

func TestUncalibratedRawMisreadsTheVoltage(t *testing.T) {
	// Reading raw codes as if the chip were ideal (code × Vref / 2000) is off by the gain
	// error, several percent; the calibrated reading is not.
	var raw, mv uint16
	run(t, nil, func(c *sim.Chip, p *hal.Peripherals) {
		c.ADC().SetVoltage(1, 2000)
		a := haltest.Must(adc.New(p.ADC1, adc.Config{}))
		ch := haltest.Must(a.Enable(p.GPIO1, adc.Atten11dB))
		raw = haltest.Must(a.ReadRaw(ch))
		mv = haltest.Must(a.ReadMillivolts(ch))
	})
	naive := float64(raw) * 1370 / 2000
	assert.Greater(t, math.Abs(naive-2000), 40.0, "naive %.0f mV", naive)
	assert.InDelta(t, 2000, float64(mv), 20)
}

func TestConversionTakesVirtualTimeAndFollowsEspHal(t *testing.T) {
	var elapsed time.Duration
	var onetime, ctrl uint32
	var clkOn bool
	run(t, func(c *sim.Chip) { c.ADC().SetVoltage(4, 500) }, func(c *sim.Chip, p *hal.Peripherals) {
		a := haltest.Must(adc.New(p.ADC1, adc.Config{}))
		ch := haltest.Must(a.Enable(p.GPIO4, adc.Atten6dB))
		clkOn = esp32c3.SYSTEM.PERIP_CLK_EN0.Read().APB_SARADC_CLK_EN()
		ctrl = uint32(esp32c3.APB_SARADC.CTRL.Read())
		start := c.Now()
		haltest.Must(a.ReadRaw(ch))
		elapsed = c.Now() - start
		onetime = uint32(esp32c3.APB_SARADC.ONETIME_SAMPLE.Read())
	})
	assert.True(t, clkOn)
	assert.Equal(t, uint32(3), ctrl>>27&3, "XPD_SAR_FORCE")
	assert.NotZero(t, ctrl&1, "START_FORCE")
	assert.GreaterOrEqual(t, elapsed, sim.DefaultADCConversionTime)
	assert.Less(t, elapsed, sim.DefaultADCConversionTime+5*time.Microsecond)
	assert.NotZero(t, onetime&(1<<31), "SARADC1_ONETIME_SAMPLE")
	assert.Zero(t, onetime&(1<<29), "ONETIME_START cleared after the reading (esp-hal's reset)")
	assert.Equal(t, uint32(4), onetime>>25&0xF, "channel")
	assert.Equal(t, uint32(2), onetime>>23&3, "attenuation")
}

func TestChannelErrorsAndTimeout(t *testing.T) {
	var errNotEnabled, errNil, errNotADC, errAtten, errADC2, errTimeout, errInUse error
	var calibrated bool
	var mv uint16
	run(t, func(c *sim.Chip) {
		c.ADC().SetCalibration(sim.ADCCalibration{Gain: [4]float64{1, 1, 1, 1}}) // no eFuse calibration
		c.ADC().SetVoltage(0, 1000)
	}, func(c *sim.Chip, p *hal.Peripherals) {
		_, errADC2 = adc.New(periph.StealADC(2), adc.Config{})
		a := haltest.Must(adc.New(p.ADC1, adc.Config{}))
		three := haltest.Must(a.Enable(p.GPIO3, adc.Atten0dB))
		a.Disable(three)
		_, errNotEnabled = a.ReadRaw(three)
		_, errNil = a.ReadRaw(nil)
		_, errNotADC = a.Enable(p.GPIO5, adc.Atten0dB)
		_, errAtten = a.Enable(p.GPIO0, 4)
		ch := haltest.Must(a.Enable(p.GPIO0, adc.Atten11dB))
		calibrated = ch.Calibrated()
		mv = haltest.Must(a.ReadMillivolts(ch))
		//gohalvet:ignore consumed a test of the run-time ownership error
		_, errInUse = adc.New(p.ADC1, adc.Config{})
		a.Close()
		//gohalvet:ignore consumed ADC1 and GPIO0 are free again after Close
		b := haltest.Must(adc.New(p.ADC1, adc.Config{Timeout: 5 * time.Microsecond}))
		//gohalvet:ignore consumed ADC1 and GPIO0 are free again after Close
		ch = haltest.Must(b.Enable(p.GPIO0, adc.Atten11dB))
		_, errTimeout = b.ReadRaw(ch)
	})
	assert.EqualError(t, errNotEnabled, "adc: ADC1: GPIO3 (channel 3) is not enabled: Enable(GPIO3, attenuation) before reading it")
	assert.EqualError(t, errNil, "adc: ADC1: no channel (nil): Enable a pin and read the *Channel it returns")
	var ce *adc.ChannelError
	require.True(t, errors.As(errNotEnabled, &ce))
	assert.Equal(t, 3, ce.Pin)
	assert.EqualError(t, errNotADC, "adc: ADC1: GPIO5 is not an ADC1 pin: ADC1's channels are GPIO0..GPIO4")
	assert.EqualError(t, errAtten, "adc: ADC1: GPIO0 attenuation 4 does not exist: Atten0dB, Atten2p5dB, Atten6dB or Atten11dB")
	assert.ErrorContains(t, errADC2, "only ADC1 is supported")
	var inUse *periph.InUseError
	assert.True(t, errors.As(errInUse, &inUse))
	assert.False(t, calibrated)
	assert.InDelta(t, 1000, float64(mv), 2, "an ideal chip read through the nominal reference")
	assert.ErrorIs(t, errTimeout, adc.ErrTimeout)
}

func TestAsyncConversionWakesByInterrupt(t *testing.T) {
	var mvs []uint16
	var errs []error
	var ena uint32
	c := run(t, func(c *sim.Chip) {
		c.Machine().Record(0)
		c.ADC().SetConversionTime(2 * time.Millisecond) // long enough to see the core sleep
		c.ADC().SetVoltageFunc(2, func(at time.Duration) float64 { return 100 + float64(at/time.Millisecond)*10 })
	}, func(c *sim.Chip, p *hal.Peripherals) {
		a := haltest.Must(adc.New(p.ADC1, adc.Config{}))
		ch := haltest.Must(a.Enable(p.GPIO2, adc.Atten11dB))
		four := haltest.Must(a.Enable(p.GPIO4, adc.Atten11dB))
		a.Disable(four)
		aa := a.IntoAsync()
		defer aa.Close()
		ex := haltest.Must(executor.Thread(executor.Options{Tasks: 1}))
		defer ex.Close()
		haltest.Must(ex.Spawner().Spawn(async.Go(func(tk *async.T) {
			for i := 0; i < 5; i++ {
				mv, err := aa.AwaitMillivolts(tk, ch)
				mvs = append(mvs, mv)
				errs = append(errs, err)
			}
			_, err := aa.AwaitRaw(tk, four)
			errs = append(errs, err)
			ena = uint32(esp32c3.APB_SARADC.INT_ENA.Read())
		})))
		ex.Run()
	})
	require.Len(t, mvs, 5)
	for i := 0; i < 5; i++ {
		require.NoError(t, errs[i])
		want := 100 + 10*float64(2*i) // sampled at the start of each 2 ms conversion
		assert.InDelta(t, want, float64(mvs[i]), math.Max(want*0.01, 1.5), "reading %d", i)
	}
	assert.ErrorContains(t, errs[5], "GPIO4 (channel 4) is not enabled")
	assert.Zero(t, ena&(1<<31), "the handler disabled APB_SARADC1_DONE")
	assert.Greater(t, c.Machine().SleepTime(0), 9*time.Millisecond, "the core slept during the conversions")
}

func TestTwoConversionsAtOncePanic(t *testing.T) {
	var msg string
	run(t, func(c *sim.Chip) { c.ADC().SetVoltage(0, 100) }, func(c *sim.Chip, p *hal.Peripherals) {
		a := haltest.Must(adc.New(p.ADC1, adc.Config{}))
		ch := haltest.Must(a.Enable(p.GPIO0, adc.Atten0dB))
		aa := a.IntoAsync()
		defer aa.Close()
		f1 := aa.ReadRawAsync(ch)
		f2 := aa.ReadMillivoltsAsync(ch)
		cx := async.NewContext(0)
		f1.Poll(cx)
		func() {
			defer func() { msg, _ = recover().(string) }()
			f2.Poll(cx)
		}()
		f1.Cancel()
	})
	assert.Equal(t, "adc: ADC1: ReadMillivoltsAsync polled while a ReadRawAsync is still pending; one conversion at a time: await the ReadRawAsync (or Cancel it) first", msg)
}
