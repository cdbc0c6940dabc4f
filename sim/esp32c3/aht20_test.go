//go:build go1.25

package esp32c3_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"tinygo.org/x/drivers/aht20"

	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/i2c"
	"github.com/gohal/gohal/hal/systimer"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// logWriter sends the simulator's log to the test log and keeps it.
type logWriter struct {
	t   *testing.T
	buf *strings.Builder
}

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	w.buf.Write(p)
	return len(p), nil
}

// runSim runs firmware after hal.Init on a fresh chip, as hal/i2c's driver tests do, but in
// a synctest bubble (RunInBubble): the drivers' time.Sleep passes virtual time. setup
// attaches devices first. It returns the chip and its log.
func runSim(t *testing.T, setup func(c *sim.Chip), firmware func(p *hal.Peripherals)) (*sim.Chip, string) {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var log strings.Builder
	c := sim.New(sim.Log(logWriter{t, &log}), sim.Timeout(time.Hour))
	if setup != nil {
		setup(c)
	}
	var initErr error
	require.NoError(t, c.RunInBubble(t, func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		if err != nil {
			initErr = err
			return
		}
		firmware(p)
	}))
	require.NoError(t, initErr)
	return c, log.String()
}

// openBus opens I2C0 at 400 kHz on GPIO5 (SDA) and GPIO6 (SCL).
func openBus(t *testing.T, p *hal.Peripherals) *i2c.Blocking {
	bus, err := i2c.New(p.I2C0, i2c.Config{Frequency: 400_000}, p.GPIO5, p.GPIO6)
	require.NoError(t, err)
	return bus
}

// TestAHT20WithTinyGoDriver runs tinygo.org/x/drivers/aht20, unmodified, against the model:
// its Read triggers a measurement and sleeps 80 ms with time.Sleep before reading. That
// works only because time.Sleep passes virtual time in the bubble: outside one the sleep is
// wall-clock time, the conversion has not ended and the driver gives up (see below).
func TestAHT20WithTinyGoDriver(t *testing.T) {
	s := sim.NewAHT20()
	s.SetTemperature(23.5)
	s.SetHumidity(41.2)
	var readErr, readErr2 error
	var temp, hum, temp2 float32
	var took time.Duration
	var virt time.Duration
	var c *sim.Chip
	c, log := runSim(t, func(ch *sim.Chip) { c = ch; ch.I2C0().Attach(aht20.Address, s) }, func(p *hal.Peripherals) {
		bus := openBus(t, p)
		defer bus.Close()
		dev := aht20.New(bus)
		start, v0 := time.Now(), c.Now()
		dev.Configure() // status, initialise, time.Sleep(10ms)
		readErr = dev.Read()
		took, virt = time.Since(start), c.Now()-v0
		temp, hum = dev.Celsius(), dev.RelHumidity()
		s.SetTemperature(-12.25)
		readErr2 = dev.Read()
		temp2 = dev.Celsius()
	})
	require.NoError(t, readErr)
	assert.InDelta(t, 23.5, temp, 0.001)
	assert.InDelta(t, 41.2, hum, 0.001)
	require.NoError(t, readErr2)
	assert.InDelta(t, -12.25, temp2, 0.001)
	// Configure's 10 ms and Read's 80 ms, plus the bus transfers (well under 1 ms at 400 kHz).
	assert.GreaterOrEqual(t, took, 90*time.Millisecond, "time.Since around the driver's Configure and Read")
	assert.Less(t, took, 91*time.Millisecond)
	assert.GreaterOrEqual(t, virt, 90*time.Millisecond, "virtual time across the driver's Configure and Read")
	assert.Less(t, virt, 91*time.Millisecond)
	assert.InDelta(t, virt, took, float64(time.Microsecond), "Go's clock and virtual time agree")
	assert.False(t, s.Busy())
	assert.Empty(t, s.Notes())
	assert.NotContains(t, log, "RunInBubble", "no wall-clock sleep noted in the bubble")
}

// TestAHT20BusyAndCRC drives the sensor's protocol by hand: the busy bit stays set for the
// 80 ms conversion, the data and CRC-8 after it, and an unknown command is noted.
func TestAHT20BusyAndCRC(t *testing.T) {
	s := sim.NewAHT20()
	s.SetTemperature(30)
	s.SetHumidity(60)
	var early, late [7]byte
	var st [1]byte
	var errs []error
	_, log := runSim(t, func(c *sim.Chip) { c.I2C0().Attach(0x38, s) }, func(p *hal.Peripherals) {
		bus := openBus(t, p)
		defer bus.Close()
		errs = append(errs, bus.Tx(0x38, []byte{0x71}, st[:]))
		errs = append(errs, bus.Tx(0x38, []byte{0xAC, 0x33, 0x00}, nil))
		time.Sleep(79 * time.Millisecond)
		errs = append(errs, bus.Tx(0x38, nil, early[:]))
		time.Sleep(time.Millisecond)
		errs = append(errs, bus.Tx(0x38, nil, late[:]))
		errs = append(errs, bus.Tx(0x38, []byte{0xE1}, nil))
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, byte(0x18), st[0], "power-on status: calibrated, idle")
	assert.Equal(t, byte(0x98), early[0], "busy before 80 ms")
	assert.Equal(t, byte(0x18), late[0], "ready after 80 ms")
	h := uint32(late[1])<<12 | uint32(late[2])<<4 | uint32(late[3])>>4
	tr := uint32(late[3]&0x0F)<<16 | uint32(late[4])<<8 | uint32(late[5])
	assert.Equal(t, uint32(629146), h)  // round(0.60 · 2^20)
	assert.Equal(t, uint32(419430), tr) // round((30+50)/200 · 2^20)
	assert.Equal(t, crc8(late[:6]), late[6])
	require.Len(t, s.Notes(), 1)
	assert.Contains(t, s.Notes()[0], "AHT20: command 0xe1 not modelled")
	assert.Contains(t, log, "AHT20: command 0xe1 not modelled")
}

// crc8 is the AHT20 datasheet's CRC: polynomial 0x31, initial value 0xFF.
func crc8(b []byte) byte {
	crc := byte(0xFF)
	for _, x := range b {
		crc ^= x
		for range 8 {
			if crc&0x80 != 0 {
				crc = crc<<1 ^ 0x31
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// TestAHT20DriverOutsideBubbleTimesOut is the same driver under plain Run: its time.Sleep
// is wall-clock time that passes no virtual time, so the conversion never ends for it, it
// reports a timeout, and the simulator notes why.
func TestAHT20DriverOutsideBubbleTimesOut(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps 250 ms of wall-clock time")
	}
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var log strings.Builder
	c := sim.New(sim.Log(logWriter{t, &log}))
	s := sim.NewAHT20()
	c.I2C0().Attach(aht20.Address, s)
	var readErr error
	require.NoError(t, c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		require.NoError(t, err)
		bus := openBus(t, p)
		defer bus.Close()
		dev := aht20.New(bus)
		readErr = dev.Read()
	}))
	assert.ErrorIs(t, readErr, aht20.ErrTimeout)
	assert.Contains(t, log.String(), "run it with Chip.RunInBubble")
}
