//go:build go1.25

package esp32c3_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"tinygo.org/x/drivers/ds3231"

	"github.com/gohal/gohal/hal"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// TestDS3231WithTinyGoDriver runs tinygo.org/x/drivers/ds3231, unmodified, against the
// model: the clock ticks with virtual time, which time.Sleep in the bubble passes, across a
// leap day; the driver sets it; the temperature registers follow the 64 s conversions.
func TestDS3231WithTinyGoDriver(t *testing.T) {
	rtc := sim.NewDS3231()
	rtc.SetTime(time.Date(2024, 2, 28, 23, 59, 58, 0, time.UTC))
	rtc.SetTemperature(31.75)
	var (
		valid0, valid1, running bool
		t0, t1, t2, t3          time.Time
		temp0, temp1            int32
		errs                    []error
	)
	check := func(err error) { errs = append(errs, err) }
	runSim(t, func(c *sim.Chip) { c.I2C0().Attach(ds3231.Address, rtc) }, func(p *hal.Peripherals) {
		bus := openBus(t, p)
		defer bus.Close()
		dev := ds3231.New(bus)
		dev.Configure()
		valid0 = dev.IsTimeValid()
		running = dev.IsRunning()
		var err error
		t0, err = dev.ReadTime()
		check(err)
		temp0, err = dev.ReadTemperature()
		check(err)
		time.Sleep(3 * time.Second)
		t1, err = dev.ReadTime()
		check(err)

		check(dev.SetTime(time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC)))
		valid1 = dev.IsTimeValid()
		t2, err = dev.ReadTime()
		check(err)
		time.Sleep(65 * time.Second) // past the next automatic temperature conversion
		t3, err = dev.ReadTime()
		check(err)
		temp1, err = dev.ReadTemperature()
		check(err)
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.False(t, valid0, "OSF is set at power-up")
	assert.True(t, running)
	assert.Equal(t, time.Date(2024, 2, 28, 23, 59, 58, 0, time.UTC), t0)
	assert.Equal(t, time.Date(2024, 2, 29, 0, 0, 1, 0, time.UTC), t1, "3 s later, across midnight into the leap day")
	assert.True(t, valid1, "SetTime clears OSF")
	assert.Equal(t, time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC), t2)
	assert.Equal(t, time.Date(2100, 1, 1, 0, 1, 4, 0, time.UTC), t3, "the century bit")
	assert.Equal(t, int32(25000), temp0, "the power-up conversion, before SetTemperature took effect")
	assert.Equal(t, int32(31750), temp1)
	assert.Equal(t, byte(0x80), rtc.Register(0x05)&0x80, "century bit set")
	assert.Empty(t, rtc.Notes())
}

// TestDS3231ForcedConversionAndNotes writes CONV by hand: BSY and CONV stay set for the
// 125 ms conversion; the alarm registers are noted as unmodelled.
func TestDS3231ForcedConversionAndNotes(t *testing.T) {
	rtc := sim.NewDS3231()
	var before, during, after [2]byte
	var temp [2]byte
	var errs []error
	check := func(err error) { errs = append(errs, err) }
	_, log := runSim(t, func(c *sim.Chip) { c.I2C0().Attach(0x68, rtc) }, func(p *hal.Peripherals) {
		bus := openBus(t, p)
		defer bus.Close()
		check(bus.Tx(0x68, []byte{0x0E}, before[:]))
		rtc.SetTemperature(-10.25)
		check(bus.Tx(0x68, []byte{0x0E, before[0] | 1<<5}, nil))
		check(bus.Tx(0x68, []byte{0x0E}, during[:]))
		time.Sleep(125 * time.Millisecond)
		check(bus.Tx(0x68, []byte{0x0E}, after[:]))
		check(bus.Tx(0x68, []byte{0x11}, temp[:]))
		check(bus.Tx(0x68, []byte{0x07, 0x30}, nil)) // alarm 1 seconds
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, [2]byte{0x1C, 0x88}, before, "control and status at power-up")
	assert.Equal(t, [2]byte{0x3C, 0x8C}, during, "CONV and BSY during the conversion")
	assert.Equal(t, [2]byte{0x1C, 0x88}, after)
	assert.Equal(t, [2]byte{0xF5, 0xC0}, temp, "-10.25 °C: -41 quarter degrees, 0xF5C0 >> 6")
	require.Len(t, rtc.Notes(), 1)
	assert.Contains(t, rtc.Notes()[0], "DS3231: alarm registers (0x07..0x0D, first 0x07)")
	assert.Contains(t, log, "DS3231: alarm registers")
}
