//go:build !tinygo

package main

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

func TestButtonOnTheSimulator(t *testing.T) {
	for run := 0; run < 2; run++ { // the firmware gives everything back: it runs again
		hal.ResetForTest()
		c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
		led := c.GPIO().Watch(ledPin)
		pressButton(c)
		require.NoError(t, c.Run(firmware))
		hal.ResetForTest()

		assert.Equal(t, "button: waiting for 3 presses of the button on GPIO9\r\n"+
			"press 1 at 100 ms\r\npress 2 at 400 ms\r\npress 3 at 700 ms\r\n"+
			"button: done after 3 presses\r\n", string(c.UART(0).TXBytes()),
			"one line per press although every press and release bounced")
		require.Equal(t, presses, stats.Presses)
		for i, at := range pressAt {
			resumed := time.Duration(stats.Resumed[i]) * time.Microsecond
			assert.GreaterOrEqual(t, resumed, at, "press %d", i+1)
			assert.Less(t, resumed, at+10*time.Microsecond, "press %d: the task resumed at %v", i+1, resumed)
		}
		// The LED toggled once per press, at the press (the last edge is Close's reset).
		var toggles []time.Duration
		for _, e := range led.Edges() {
			if e.At > time.Millisecond && e.At < pressAt[presses-1]+pressLength {
				toggles = append(toggles, e.At)
			}
		}
		require.Len(t, toggles, presses, "LED edges %v", led.Edges())
		for i, at := range toggles {
			assert.InDelta(t, float64(pressAt[i]), float64(at), float64(20*time.Microsecond))
		}
		idle := float64(stats.IdleCycles) / float64(stats.TotalCycles)
		assert.Greater(t, idle, 0.99, "the core sleeps between presses")
		t.Logf("CPU in WFI %.4f%% of %v", 100*idle, c.Now())
	}
}
