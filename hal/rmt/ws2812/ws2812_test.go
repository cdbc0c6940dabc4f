package ws2812

import (
	"image/color"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal/rmt"
)

func TestTimingAtTickRates(t *testing.T) {
	for _, c := range []struct {
		hz                 uint32
		t0h, t0l, t1h, t1l uint16
		reset              uint16
	}{
		{40_000_000, 16, 34, 32, 18, 3200},
		{80_000_000, 32, 68, 64, 36, 6400},
		{10_000_000, 4, 9, 8, 5, 800}, // 850 → 900 ns and 450 → 500 ns: within ±150
	} {
		tm, err := NewTiming(c.hz)
		require.NoError(t, err, c.hz)
		assert.Equal(t, rmt.Pulse(true, c.t0h, false, c.t0l), tm.Zero, c.hz)
		assert.Equal(t, rmt.Pulse(true, c.t1h, false, c.t1l), tm.One, c.hz)
		assert.Equal(t, rmt.Pulse(false, c.reset, false, 0), tm.Reset, c.hz)
	}
	_, err := NewTiming(2_000_000) // 500 ns ticks
	assert.ErrorContains(t, err, "too coarse")
}

func TestEncodeSendsGreenRedBlueMSBFirst(t *testing.T) {
	tm, err := NewTiming(TickHz)
	require.NoError(t, err)
	buf := make([]rmt.PulseCode, CodesFor(1))
	codes, err := tm.EncodeColors(buf, []color.RGBA{{R: 0x80, G: 0x01, B: 0x00, A: 0}})
	require.NoError(t, err)
	require.Len(t, codes, 25)
	for i, c := range codes[:24] {
		one := i == 7 || i == 8 // green's LSB, red's MSB
		if one {
			assert.Equal(t, tm.One, c, i)
		} else {
			assert.Equal(t, tm.Zero, c, i)
		}
	}
	assert.Equal(t, tm.Reset, codes[24])
	same, err := tm.Encode(make([]rmt.PulseCode, 25), []byte{0x01, 0x80, 0x00})
	require.NoError(t, err)
	assert.Equal(t, codes, same)
	_, err = tm.EncodeColors(buf[:24], []color.RGBA{{}})
	assert.ErrorIs(t, err, ErrShortBuffer)
	assert.Zero(t, testing.AllocsPerRun(100, func() { tm.EncodeColors(buf, []color.RGBA{{R: 1}}) }))
}
