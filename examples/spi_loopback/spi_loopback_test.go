//go:build !tinygo

package main

import (
	"io"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

func TestSPILoopbackOnTheSimulator(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c, echo := newChip(sim.Log(io.Discard), sim.Timeout(time.Minute))
	require.NoError(t, c.Run(firmware))

	require.NoError(t, result.Err)
	assert.Equal(t, greeting, string(result.Echo[:]))
	assert.Equal(t, blockSize, result.Matched)
	assert.LessOrEqual(t, result.Polls, 6, "one poll per chunk")
	idle := float64(result.IdleCycles) / float64(result.TotalCycles)
	assert.Greater(t, idle, 0.9, "the CPU sleeps while the chunks move")
	// The device saw the greeting, then the block, each under one chip-select assertion.
	assert.Len(t, echo.Received(), len(greeting)+blockSize)
	assert.Equal(t, 2, echo.Selects())

	out := string(c.UART(0).TXBytes())
	assert.Regexp(t, regexp.MustCompile(`^spi_loopback: SPI2 at 1000 kHz, mode 0 \(SCK GPIO6, MOSI GPIO7, MISO GPIO2, CS GPIO10\)\r\n`+
		`spi_loopback: sent "gohal", got back "gohal"\r\n`+
		`spi_loopback: 256 bytes in 4 chunks by interrupt: 256 came back, \d polls, CPU idle 9\d\.\d%\r\n$`), out)
}
