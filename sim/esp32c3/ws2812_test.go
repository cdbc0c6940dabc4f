package esp32c3

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ws2812Drive schedules the bits of data on pin from at, each bit's high and low time from
// timing(bitIndex, value), and returns the end of the last bit's high time.
func ws2812Drive(c *Chip, pin int, at time.Duration, data []byte, timing func(i int, one bool) (hi, lo time.Duration)) time.Duration {
	g := c.GPIO()
	i := 0
	var end time.Duration
	for _, b := range data {
		for k := 7; k >= 0; k-- {
			hi, lo := timing(i, b>>k&1 != 0)
			g.DriveAt(at, pin, true)
			g.DriveAt(at+hi, pin, false)
			end = at + hi
			at += hi + lo
			i++
		}
	}
	return end
}

func nominal(_ int, one bool) (time.Duration, time.Duration) {
	if one {
		return WS2812T1H, WS2812T1L
	}
	return WS2812T0H, WS2812T0L
}

func TestWS2812ChainLatchesGRBDataAfterAReset(t *testing.T) {
	c := newPeriphChip(t)
	c.GPIO().Drive(4, false)
	w := c.AttachWS2812(4, 2)
	// Two LEDs and one byte more, which leaves through the last LED's DOUT.
	end := ws2812Drive(c, 4, 10*time.Microsecond, []byte{0x10, 0x20, 0x30, 0x01, 0x02, 0x03, 0xFF}, nominal)
	runFor(c, end+20*time.Microsecond)
	assert.Equal(t, []RGB{{}, {}}, w.Colors(), "not latched before 50 µs of low")
	runFor(c, 40*time.Microsecond)
	assert.Equal(t, []RGB{{R: 0x20, G: 0x10, B: 0x30}, {R: 0x02, G: 0x01, B: 0x03}}, w.Colors())
	_, _, extra := w.LastFrame()
	assert.Equal(t, 8, extra)
	assert.Equal(t, 1, w.Frames())
	assert.Empty(t, w.Errors())
	// Worst-case timing inside the tolerances is accepted.
	edge := func(i int, one bool) (time.Duration, time.Duration) {
		hi, lo := nominal(i, one)
		if i%2 == 0 {
			return hi + WS2812Tolerance, lo - WS2812Tolerance
		}
		return hi - WS2812Tolerance, lo + WS2812Tolerance
	}
	at := c.Now() + 100*time.Microsecond
	ws2812Drive(c, 4, at, []byte{1, 2, 3, 4, 5, 6}, edge)
	runFor(c, time.Millisecond)
	assert.Equal(t, []RGB{{R: 2, G: 1, B: 3}, {R: 5, G: 4, B: 6}}, w.Colors())
	assert.Empty(t, w.Errors())
}

func TestWS2812ChainRejectsTimingOutsideTheTolerances(t *testing.T) {
	c := newPeriphChip(t)
	c.GPIO().Drive(4, false)
	w := c.AttachWS2812(4, 3)
	good := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}
	ws2812Drive(c, 4, 10*time.Microsecond, good, nominal)
	runFor(c, time.Millisecond)
	require.Equal(t, []RGB{{2, 1, 3}, {5, 4, 6}, {8, 7, 9}}, w.Colors())

	at := c.Now() + 100*time.Microsecond
	ws2812Drive(c, 4, at, []byte{11, 12, 13, 14, 15, 16, 17, 18}, func(i int, one bool) (time.Duration, time.Duration) {
		hi, lo := nominal(i, one)
		switch i {
		case 3: // LED 0: a high time 151 ns too long
			hi += WS2812Tolerance + time.Nanosecond
		case 30: // LED 1: a low time 200 ns short
			lo -= 200 * time.Nanosecond
		}
		return hi, lo
	})
	runFor(c, time.Millisecond)
	assert.Equal(t, []RGB{{2, 1, 3}, {5, 4, 6}, {8, 7, 9}}, w.Colors(),
		"LEDs 0 and 1 keep their colours; LED 2 got only 16 of its 24 bits and keeps its colour too")
	errs := w.Errors()
	require.Len(t, errs, 3)
	assert.Equal(t, 0, errs[0].LED)
	assert.Equal(t, 3, errs[0].Bit)
	assert.Equal(t, 1, errs[1].LED)
	assert.Equal(t, 6, errs[1].Bit)
	assert.Equal(t, 2, errs[2].LED)
	assert.Contains(t, errs[2].Problem, "the frame ended after 16 of LED 2's 24 bits")
	assert.Equal(t, 2, w.Frames())
}
