//go:build go1.25

package esp32c3_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"tinygo.org/x/drivers/mpu6050"

	"github.com/gohal/gohal/hal"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

type vec struct{ x, y, z int32 }

// TestMPU6050WithTinyGoDriver runs tinygo.org/x/drivers/mpu6050, unmodified, against the
// model: asleep at reset, the sensor registers read 0; Configure wakes it; the gyroscope
// outputs from 30 ms after the wake-up, which time.Sleep in the bubble passes.
func TestMPU6050WithTinyGoDriver(t *testing.T) {
	imu := sim.NewMPU6050()
	imu.SetAcceleration(0.5, -0.25, 1)
	imu.SetRotation(100, 0, -45)
	var connected bool
	var asleep, accel, gyroEarly, gyro, accel4g, accelDriverRange vec
	var errs []error
	check := func(err error) { errs = append(errs, err) }
	read := func(f func() (int32, int32, int32)) vec {
		x, y, z := f()
		return vec{x, y, z}
	}
	runSim(t, func(c *sim.Chip) { c.I2C0().Attach(mpu6050.Address, imu) }, func(p *hal.Peripherals) {
		bus := openBus(t, p)
		defer bus.Close()
		dev := mpu6050.New(bus)
		connected = dev.Connected()
		asleep = read(dev.ReadAcceleration)
		check(dev.Configure()) // PWR_MGMT_1 = 0: awake, internal oscillator
		time.Sleep(time.Millisecond)
		accel = read(dev.ReadAcceleration)
		gyroEarly = read(dev.ReadRotation)
		time.Sleep(30 * time.Millisecond)
		gyro = read(dev.ReadRotation)
		// The driver writes its range constant as the whole register: AFS_RANGE_4G (1)
		// lands in bits 2..0, not in AFS_SEL (bits 4..3), so the range stays ±2 g, as it
		// would on the part.
		check(dev.SetFullScaleAccelRange(mpu6050.AFS_RANGE_4G))
		time.Sleep(time.Millisecond)
		accelDriverRange = read(dev.ReadAcceleration)
		check(dev.SetFullScaleAccelRange(mpu6050.AFS_RANGE_4G << 3))
		time.Sleep(time.Millisecond)
		accel4g = read(dev.ReadAcceleration)
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.True(t, connected, "WHO_AM_I reads 0x68")
	assert.Equal(t, vec{}, asleep, "asleep after reset: the sensor registers keep their reset value")
	// The driver's µg: raw · 15625 / 256, raw = g · 16384 at ±2 g.
	assert.Equal(t, vec{500_000, -250_000, 1_000_000}, accel)
	assert.Equal(t, vec{}, gyroEarly, "the gyroscope's 30 ms start-up")
	// The driver's µ°/s: raw · 15625 / 2048 · 1000, raw = °/s · 131 at ±250 °/s.
	assert.Equal(t, vec{13100 * 15625 / 2048 * 1000, 0, -5895 * 15625 / 2048 * 1000}, gyro)
	assert.Equal(t, accel, accelDriverRange)
	assert.Equal(t, vec{250_000, -125_000, 500_000}, accel4g, "±4 g: 8192 LSB per g, read by a ±2 g driver")
	assert.Empty(t, imu.Notes())
}

// TestMPU6050SampleRateAndNotes: the sensor registers change at sample instants only, the
// data-ready bit follows them, and an unmodelled register is noted.
func TestMPU6050SampleRateAndNotes(t *testing.T) {
	imu := sim.NewMPU6050()
	var before, after [2]byte
	var ready, readyAgain [1]byte
	var errs []error
	check := func(err error) { errs = append(errs, err) }
	_, log := runSim(t, func(c *sim.Chip) { c.I2C0().Attach(0x68, imu) }, func(p *hal.Peripherals) {
		bus := openBus(t, p)
		defer bus.Close()
		check(bus.Tx(0x68, []byte{0x1A, 0x01}, nil)) // DLPF on: 1 kHz
		check(bus.Tx(0x68, []byte{0x19, 99}, nil))   // / 100: 10 Hz
		check(bus.Tx(0x68, []byte{0x6B, 0x00}, nil)) // wake
		time.Sleep(100 * time.Millisecond)
		check(bus.Tx(0x68, []byte{0x3A}, ready[:]))
		check(bus.Tx(0x68, []byte{0x3A}, readyAgain[:]))
		imu.SetAcceleration(0, 0, -1)
		time.Sleep(50 * time.Millisecond)
		check(bus.Tx(0x68, []byte{0x3F}, before[:]))
		time.Sleep(50 * time.Millisecond)
		check(bus.Tx(0x68, []byte{0x3F}, after[:]))
		check(bus.Tx(0x68, []byte{0x6A, 0x40}, nil)) // USER_CTRL: FIFO_EN
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, byte(1), ready[0], "DATA_RDY_INT after a sample")
	assert.Equal(t, byte(0), readyAgain[0], "cleared by the read")
	assert.Equal(t, [2]byte{0x40, 0x00}, before, "+1 g until the next sample instant")
	assert.Equal(t, [2]byte{0xC0, 0x00}, after, "-1 g after it")
	require.Len(t, imu.Notes(), 1)
	assert.Contains(t, imu.Notes()[0], "MPU6050: register 0x6a is not modelled")
	assert.Contains(t, log, "MPU6050: register 0x6a is not modelled")
}
