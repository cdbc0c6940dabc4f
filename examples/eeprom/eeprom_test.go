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

func TestEEPROMPageRoundTripOnTheSimulator(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c, rom := newChip(sim.Log(io.Discard), sim.Timeout(time.Minute))
	require.NoError(t, c.Run(firmware))

	require.NoError(t, result.Err)
	assert.True(t, result.Verified)
	assert.Equal(t, page, string(rom.Contents()[pageAddr:pageAddr+pageSize]), "the page is in the EEPROM")
	// The simulated AT24C32 programs for 5 ms; one failed poll (address, NACK, STOP) at
	// 400 kHz takes about 30 µs.
	assert.Greater(t, result.Polls, 50)
	assert.Less(t, result.Polls, 300)

	out := string(c.UART(0).TXBytes())
	assert.Regexp(t, regexp.MustCompile(`^eeprom: AT24C32 at 0x50 on I2C0 \(SDA GPIO5, SCL GPIO6\) at 400 kHz\r\n`+
		`eeprom: wrote 32 bytes at 0x100\r\n`+
		`eeprom: write cycle over after \d+ acknowledge polls \(5\d\d\d us\)\r\n`+
		`eeprom: read back "gohal: one EEPROM page, 32 bytes"\r\n`+
		`eeprom: page verified\r\n$`), out)
}
