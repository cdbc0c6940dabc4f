package i2c_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"tinygo.org/x/drivers"
	"tinygo.org/x/drivers/at24cx"

	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/i2c"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// Both drivers are tinygo.org/x/drivers I2C buses. The assertion lives in a test file so
// that hal itself imports nothing outside the standard library.
var (
	_ drivers.I2C = (*i2c.Blocking)(nil)
	_ drivers.I2C = (*i2c.Async)(nil)
)

// TestTinyGoAT24CXDriverUnchanged runs TinyGo's at24cx driver, as published, over gohal's
// blocking I2C against the simulated AT24C32 at its address 0x57: a page written, then read
// back.
func TestTinyGoAT24CXDriverUnchanged(t *testing.T) {
	rom := sim.NewAT24C(4096, 32)
	page := []byte("a page via tinygo's at24cx driver")[:30] // at24cx writes 30 bytes per Tx
	got := make([]byte, len(page))
	var n int
	var writeErr, readErr error
	var polls int
	runSim(t, func(c *sim.Chip) { c.I2C0().Attach(at24cx.Address, rom) }, func(p *hal.Peripherals) {
		bus, err := i2c.New(p.I2C0, i2c.Config{Frequency: 400_000}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		defer bus.Close()
		eeprom := at24cx.New(bus)
		eeprom.Configure(at24cx.Config{PageSize: 32, EndRAMAddress: 4096})
		_, writeErr = eeprom.WriteAt(page, 0x40)
		// The write cycle takes 5 ms of virtual time, while the driver's own pause is a
		// wall-clock time.Sleep: poll for the acknowledge, as the datasheet describes.
		for {
			n, readErr = eeprom.ReadAt(got, 0x40)
			if !errors.Is(readErr, i2c.ErrAddressNACK) || polls > 1000 {
				break
			}
			polls++
			delay(100 * time.Microsecond)
		}
	})
	require.NoError(t, writeErr)
	require.NoError(t, readErr)
	assert.Equal(t, len(page), n)
	assert.Equal(t, page, got)
	assert.Equal(t, page, rom.Contents()[0x40:0x40+len(page)])
	assert.Greater(t, polls, 0, "the EEPROM was busy right after the write")
}
