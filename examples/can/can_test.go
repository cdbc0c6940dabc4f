//go:build !tinygo

package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// The example on the simulator: five frames, each echoed by the second node under ID + 8
// 200 µs after it ends; the round trip is the chip's frame, the node's delay and its frame
// (about 0.2 ms each at 500 kbit/s), and the bus saw exactly the ten frames, no errors.
func TestCANEcho(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var out bytes.Buffer
	var chip *sim.Chip
	r, err := simrun.Run(firmware, simrun.Options{UART0: simrun.Port{TX: &out}, Setup: func(c *sim.Chip) { chip = c; echo(c) }})
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\r\n"), "\r\n")
	require.Len(t, lines, frames+2, out.String())
	assert.Equal(t, "can: 500 kbit/s (BRP 8, 1+15+4 quanta), TX GPIO2, RX GPIO3", lines[0])
	for i, l := range lines[1 : frames+1] {
		var id, echoID uint32
		var data, echoData string
		var us int
		_, err := fmt.Sscanf(l, "can: sent 0x%x %s -> got 0x%x %s in %d us", &id, &data, &echoID, &echoData, &us)
		require.NoError(t, err, l)
		assert.Equal(t, uint32(baseID+i), id, l)
		assert.Equal(t, id+echoStep, echoID, l)
		assert.Equal(t, fmt.Sprintf("ping%d", i), data, l)
		assert.Equal(t, data, echoData, l)
		assert.InDelta(t, 2*80*2+200, us, 60, l) // two ~80-bit frames at 2 µs a bit, plus the delay
	}
	assert.Equal(t, "can: done, error-active, TX errors 0, RX errors 0", lines[frames+1])
	bus := chip.TWAI().Bus()
	require.Len(t, bus, 2*frames)
	for _, e := range bus {
		assert.Equal(t, sim.TWAINoError, e.Error)
	}
	assert.Less(t, r.Time, 100*time.Millisecond, "five round trips and the console")
}
