//go:build !tinygo

package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

func TestWS2812OnTheSimulator(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var out bytes.Buffer
	o := options()
	o.UART0 = simrun.Port{TX: &out}
	r, err := simrun.Run(firmware, o)
	require.NoError(t, err)
	require.NoError(t, stats.Err)
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(out.String(), "\r", "")), "\n")
	require.Len(t, lines, 2, out.String())
	assert.Equal(t, "ws2812: 12 LEDs on GPIO8, a frame every 20 ms for 3 s", lines[0])
	assert.Equal(t, 150, stats.Frames)

	// The chain shows the last frame the firmware sent, with no timing rejected.
	wheel(stats.LastShift)
	want := make([]sim.RGB, leds)
	for i, c := range colours {
		want[i] = sim.RGB{R: c.R, G: c.G, B: c.B}
	}
	assert.Equal(t, want, chain.Colors())
	assert.Equal(t, 150, chain.Frames())
	assert.Empty(t, chain.Errors())
	assert.Equal(t, "ws2812: 150 frames sent, 444 us each; LED 0 is #"+want[0].String()[1:], lines[1])

	// Each frame: 288 bits of 1.25 µs and the 80 µs reset, 440 µs on the line.
	trs := r.Chip.RMT().Transmissions(0)
	require.Len(t, trs, 150)
	for _, tr := range trs {
		assert.Equal(t, "440µs", (tr.End - tr.Start).String())
	}
	assert.Greater(t, r.WFI(), 0.95, "the core sleeps between and during frames")
	t.Logf("%v; the chain shows %s", r, shows(chain))
}
