package esp32c3

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/rt/mmio"
)

func TestADCEfuseBlock2HoldsTheCalibration(t *testing.T) {
	c := New(Log(io.Discard))
	var w [8]uint32
	require.NoError(t, c.Run(func() {
		for i := range w {
			w[i] = mmio.At[mmio.U32](efuseBLK2 + uintptr(4*i)).Load()
		}
	}))
	field := func(bit, width int) uint32 {
		v := uint64(w[bit/32]) | uint64(w[bit/32+1])<<32
		return uint32(v>>(bit%32)) & (1<<width - 1)
	}
	assert.Equal(t, uint32(1), field(128, 2), "BLK_VERSION_MAJOR")
	cal := DefaultADCCalibration
	for n := 0; n < 4; n++ {
		assert.Equal(t, uint32(cal.InitCode[n]-1000), field(148+10*n, 10), "ADC1_INIT_CODE_ATTEN%d", n)
	}
	assert.Equal(t, uint32(42), field(188, 10), "ADC1_CAL_VOL_ATTEN0: 2000 × 1.021 = 2042")
	assert.Equal(t, uint32(1<<9|32), field(198, 10), "ADC1_CAL_VOL_ATTEN1: 2000 × 0.984 = 1968, negative")
}

func TestADCOneShotConversion(t *testing.T) {
	c := New(Log(io.Discard))
	c.ADC().SetVoltage(2, 1370)
	r := mmio.At[[0x20]mmio.U32](adcBase)
	var data, raw uint32
	var took time.Duration
	var level bool
	require.NoError(t, c.Run(func() {
		mmio.At[mmio.U32](0x600C_0010).Store(mmio.At[mmio.U32](0x600C_0010).Load() | 1<<adcSysBit)
		r[adcINTENA/4].Store(adcDone1)
		r[adcONETIME/4].Store(adcOneADC1 | 2<<25 | 3<<23)
		start := c.Now()
		r[adcONETIME/4].Store(adcOneADC1 | 2<<25 | 3<<23 | adcOneStart)
		for r[adcINTRAW/4].Load()&adcDone1 == 0 {
		}
		took = c.Now() - start
		level = c.Machine().Source(int(SourceAPBADC))
		data = r[adcSAR1DATA/4].Load()
		r[adcINTCLR/4].Store(adcDone1)
		raw = r[adcINTRAW/4].Load()
	}))
	assert.InDelta(t, float64(DefaultADCConversionTime), float64(took), float64(time.Microsecond))
	assert.True(t, level, "APB_ADC raised with DONE enabled")
	assert.Equal(t, uint32(1946), data&0xFFF, "1370 mV at 11 dB: 2000 × 0.973")
	assert.Equal(t, uint32(2), data>>13&0xF, "the channel in bits 16:13")
	assert.Zero(t, raw)
	assert.Equal(t, 1, c.ADC().Conversions())
}
