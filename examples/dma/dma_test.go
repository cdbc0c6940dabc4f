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

// TestDMAOnTheSimulator runs the example: both copies match the source's checksum, and each
// takes the model's time for 4 KiB (about 26 µs, plus the driver).
func TestDMAOnTheSimulator(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	require.NoError(t, c.Run(firmware))
	assert.Equal(t, "dma: copying 4096 bytes with DMA_CH0, source checksum 0x1babf807\r\n"+
		"dma: blocking copy: 4096 bytes in 27 us, checksum 0x1babf807 ok\r\n"+
		"dma: async copy: 4096 bytes in 27 us, checksum 0x1babf807 ok\r\n"+
		"dma: done\r\n", string(c.UART(0).TXBytes()))
}
