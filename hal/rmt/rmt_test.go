//go:build !tinygo

package rmt_test

import (
	"image/color"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/rmt"
	"github.com/gohal/gohal/hal/rmt/ws2812"
	"github.com/gohal/gohal/hal/systimer"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// run runs firmware after hal.Init on a fresh simulated chip, with attach called on the
// chip first; assertions are made after Run on what the firmware recorded.
func run(t *testing.T, attach func(c *sim.Chip), firmware func(c *sim.Chip, p *hal.Peripherals)) *sim.Chip {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(10*time.Second))
	if attach != nil {
		attach(c)
	}
	var initErr error
	err := c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		if err != nil {
			initErr = err
			return
		}
		firmware(c, p)
	})
	require.NoError(t, err)
	require.NoError(t, initErr)
	return c
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
		}
	}()
	f()
	return ""
}

// wheel returns n colours around the colour wheel, shifted by k.
func wheel(n, k int) []color.RGBA {
	out := make([]color.RGBA, n)
	for i := range out {
		pos := byte((i*256/n + k) & 0xFF)
		switch {
		case pos < 85:
			out[i] = color.RGBA{R: 255 - pos*3, G: pos * 3, A: 255}
		case pos < 170:
			pos -= 85
			out[i] = color.RGBA{G: 255 - pos*3, B: pos * 3, A: 255}
		default:
			pos -= 170
			out[i] = color.RGBA{R: pos * 3, B: 255 - pos*3, A: 255}
		}
	}
	return out
}

func rgb(cs []color.RGBA) []sim.RGB {
	out := make([]sim.RGB, len(cs))
	for i, c := range cs {
		out[i] = sim.RGB{R: c.R, G: c.G, B: c.B}
	}
	return out
}

const leds = 12

func TestWS2812ChainGetsTheColoursSent(t *testing.T) {
	var chain *sim.WS2812Chain
	colours := wheel(leds, 0)
	var errWrite error
	var took time.Duration
	c := run(t, func(c *sim.Chip) { chain = c.AttachWS2812(8, leds) }, func(c *sim.Chip, p *hal.Peripherals) {
		tx := must(rmt.NewTx(p.RMT0, p.GPIO8, rmt.TxConfig{TickHz: ws2812.TickHz}))
		defer tx.Close()
		dev := must(ws2812.New(tx, make([]rmt.PulseCode, ws2812.CodesFor(leds))))
		start := c.Now()
		errWrite = dev.WriteColors(colours)
		took = c.Now() - start
	})
	require.NoError(t, errWrite)
	assert.Empty(t, chain.Errors())
	assert.Equal(t, rgb(colours), chain.Colors(), "GRB on the wire, RGB in the LEDs")
	assert.Equal(t, 1, chain.Frames())
	trs := c.RMT().Transmissions(0)
	require.Len(t, trs, 1)
	assert.Equal(t, ws2812.CodesFor(leds), trs[0].Codes)
	start, end, extra := chain.LastFrame()
	assert.Zero(t, extra)
	frame := end - start
	// 287 bits of 1.25 µs, then the last bit's high time (its low time merges into the
	// reset): the last bit is blue's LSB.
	last := ws2812.T0H
	if colours[leds-1].B&1 != 0 {
		last = ws2812.T1H
	}
	assert.Equal(t, 287*1250*time.Nanosecond+last, frame, "frame time at 25 ns ticks is exact")
	assert.Equal(t, 288*1250*time.Nanosecond+ws2812.ResetTime, trs[0].End-trs[0].Start, "transmission: the bits and the reset")
	t.Logf("12-LED frame: data %v (first rise to last bit's fall), RMT transmission %v with the %v reset; Transmit returned after %v",
		frame, trs[0].End-trs[0].Start, ws2812.ResetTime, took)
}
