//go:build !tinygo

package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// The example on the simulator: the sweep's four fades, each reported when the LEDC
// interrupt ends it, and GPIO4's measured pulses: 20 ms apart, held at 1, 1.25, 1.5, 1.75
// and 2 ms (to the timer's 14-bit step, 1.22 µs).
func TestServoSweepsFromOneToTwoMilliseconds(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var out bytes.Buffer
	var w *sim.PinWatch
	r, err := simrun.Run(firmware, simrun.Options{
		UART0: simrun.Port{TX: &out},
		Setup: func(c *sim.Chip) { w = setup(c); c.Machine().Record(0) },
	})
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\r\n"), "\r\n")
	require.Equal(t, []string{
		"servo: 50 Hz, 14-bit duty on GPIO4, 0 deg = 819 steps",
		"servo: 45 deg (1250 us pulse) after a 519 ms fade",
		"servo: 90 deg (1500 us pulse) after a 519 ms fade",
		"servo: 135 deg (1750 us pulse) after a 519 ms fade",
		"servo: 180 deg (2000 us pulse) after a 519 ms fade",
		"servo: sweep done",
	}, lines)

	ps := pulses(w.Edges())
	require.NotEmpty(t, ps)
	for _, p := range ps {
		assert.Equal(t, 20*time.Millisecond, p.period, "pulse at %v", p.at)
	}
	want := []time.Duration{time.Millisecond, 1250 * time.Microsecond, 1500 * time.Microsecond, 1750 * time.Microsecond, 2 * time.Millisecond}
	got := holds(ps)
	require.Len(t, got, len(want), "held widths %v", got)
	for i := range want {
		assert.InDelta(t, float64(want[i]), float64(got[i]), float64(time.Microsecond), "hold %d", i)
	}
	assert.Contains(t, report(ps), "period 20ms, held at 999.8 1250.0 1500.2 1750.5 1999.5 µs")
	assert.Greater(t, r.WFI(), 0.9, "the core sleeps through the fades and holds")
}
