//go:build !tinygo

package main

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// The example on the simulator: eleven readings 100 ms apart while the host turns the
// potentiometer from 0 to 2.5 V; each calibrated reading is within 1% (or 3 mV near 0) of
// the voltage at its time, and the raw codes carry the chip's gain error.
func TestADCReadsThePotentiometer(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var out bytes.Buffer
	r, err := simrun.Run(firmware, simrun.Options{UART0: simrun.Port{TX: &out}, Setup: setup})
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\r\n"), "\r\n")
	require.Len(t, lines, readings+2, out.String())
	assert.Equal(t, "adc: potentiometer on GPIO2 (ADC1 channel 2, 11 dB), eFuse calibration", lines[0])
	assert.Equal(t, "adc: done", lines[len(lines)-1])
	for i, l := range lines[1 : readings+1] {
		var ms, mv, raw int
		_, err := fmt.Sscanf(l, "adc: %d ms: %d mV (raw %d)", &ms, &mv, &raw)
		require.NoError(t, err, l)
		assert.Equal(t, 100*i, ms, l)
		// The readings start a few µs after reset: the potentiometer moves 2.5 mV per ms.
		want := turn(time.Duration(ms) * time.Millisecond)
		assert.InDelta(t, want, float64(mv), math.Max(want*0.01, 3), l)
		if want > 500 {
			assert.NotEqual(t, sim.IdealCode(want, 3), uint32(raw), "the raw code is not the ideal chip's: %s", l)
		}
	}
	assert.Greater(t, r.WFI(), 0.9)
}
