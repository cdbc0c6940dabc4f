package esp32c3

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/rt/mmio"
)

// ledcRegs is the LEDC block as 32-bit words.
var ledcRegs = mmio.At[[0x40]mmio.U32](ledcBase)

// ledcSetup clocks the LEDC from the APB and starts timer 0 at 50 Hz, 14 bits, with channel
// 0 on GPIO4 at duty d (in steps), as esp-hal's sequence writes it.
func ledcSetup(d uint32) {
	mmio.At[mmio.U32](0x600C_0010).Store(mmio.At[mmio.U32](0x600C_0010).Load() | 1<<ledcSysBit)
	ledcRegs[ledcCONF/4].Store(1 | 1<<31)
	ledcRegs[ledcTimer0/4].Store(14 | 25000<<4) // 80 MHz × 256 / (50 × 2^14) = 25000
	ledcRegs[ledcTimer0/4].Store(14 | 25000<<4 | ledcTmParaUp)
	ledcRegs[0].Store(ledcSigOutEn)
	ledcRegs[ledcChDUTY/4].Store(d << 4)
	ledcRegs[ledcChCONF1/4].Store(ledcDutyStart | 1<<30 | 1<<20 | 1<<10)
	ledcRegs[0].Store(ledcSigOutEn | ledcChParaUp)
	mmio.At[mmio.U32](gpioBase + gpioFUNCOUT0 + 4*4).Store(LEDCSignal0)
	mmio.At[mmio.U32](gpioBase + gpioENABLEW1TS).Store(1 << 4)
}

func TestLEDCMeasureAndEdges(t *testing.T) {
	c := New(Log(io.Discard))
	c.LEDC().EmitEdges(true)
	w := c.GPIO().Watch(4)
	var pwm PWM
	var ok bool
	var dutyR uint32
	require.NoError(t, c.Run(func() {
		ledcSetup(1229) // 1.5 ms
		for c.Now() < 100*time.Millisecond {
			ledcRegs[ledcDATE/4].Load()
		}
		pwm, ok = c.LEDC().Measure(4)
		dutyR = ledcRegs[ledcChDUTYR/4].Load()
	}))
	require.True(t, ok)
	assert.Equal(t, 20*time.Millisecond, pwm.Period)
	assert.InDelta(t, 50, pwm.Frequency, 1e-9)
	assert.InDelta(t, float64(1500*time.Microsecond), float64(pwm.High), float64(time.Microsecond))
	assert.Equal(t, uint32(1229<<4), dutyR)
	edges := w.Edges()
	// The duty takes effect at the first period boundary (20 ms after the timer started):
	// four pulses in 100 ms.
	var rises, falls int
	for i, e := range edges {
		if e.At < 20*time.Millisecond {
			continue // the pad enabled before the first period
		}
		if e.Level {
			rises++
			require.Less(t, i+1, len(edges))
			assert.InDelta(t, float64(1500244*time.Nanosecond), float64(edges[i+1].At-e.At), 2, "pulse %d: 1229/16384 of 20 ms", rises)
		} else {
			falls++
		}
	}
	assert.Equal(t, 4, rises)
	assert.Equal(t, 4, falls)
	_, ok = c.LEDC().Measure(5)
	assert.False(t, ok, "GPIO5 carries no LEDC signal")
}

func TestLEDCFadeEndsAtItsPeriodAndInterrupts(t *testing.T) {
	c := New(Log(io.Discard))
	var end time.Duration
	var raw uint32
	var mid, last PWM
	require.NoError(t, c.Run(func() {
		ledcSetup(819)
		for ledcRegs[ledcINTRAW/4].Load()&(1<<4) == 0 {
		}
		// 819 → 819 + 10 × 80 = 1619, a step every 2 periods: 20 periods.
		ledcRegs[ledcINTCLR/4].Store(1 << 4)
		ledcRegs[ledcINTENA/4].Store(1 << 4)
		ledcRegs[ledcChCONF1/4].Store(ledcDutyStart | 1<<30 | 10<<20 | 2<<10 | 80)
		start := c.Now()
		ledcRegs[0].Store(ledcSigOutEn | ledcChParaUp)
		for ledcRegs[ledcINTST/4].Load() == 0 || !c.Machine().Source(int(SourceLEDC)) {
			if c.Now()-start > 230*time.Millisecond && mid.Steps == 0 {
				mid = c.LEDC().MeasureChannel(0)
			}
		}
		end = c.Now() - start
		raw = ledcRegs[ledcINTRAW/4].Load()
		last = c.LEDC().MeasureChannel(0)
	}))
	// The update waited for the next boundary (the previous change ended on one: 20 ms),
	// then 20 periods.
	assert.InDelta(t, float64(21*20*time.Millisecond), float64(end), float64(20*time.Microsecond))
	assert.NotZero(t, raw&(1<<4))
	assert.Equal(t, uint32(819+5*80), mid.Steps, "halfway through (10.5 periods in): five steps")
	assert.Equal(t, uint32(1619), last.Steps)
}
