package esp32c3

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// MPU6050 is an InvenSense MPU-6050 accelerometer and gyroscope on the simulated I2C bus
// (7-bit address 0x68 with AD0 low, 0x69 high), after its register map (RM-MPU-6000A rev
// 4.2) and product specification (PS-MPU-6000A rev 3.4):
//
//   - WHO_AM_I (0x75) reads 0x68; every other register resets to 0 except PWR_MGMT_1 (0x6B),
//     0x40: the part starts asleep, and while it sleeps (or CLKSEL is 7, clock stopped) the
//     sensor registers keep their values (0 after reset);
//   - awake, the sensor registers (ACCEL_*OUT 0x3B..0x40, TEMP_OUT 0x41..0x42,
//     GYRO_*OUT 0x43..0x48, big-endian two's complement) take the physical quantities at the
//     sample rate: the gyroscope output rate (8 kHz with DLPF_CFG 0 or 7 in CONFIG 0x1A,
//     1 kHz otherwise) divided by 1 + SMPLRT_DIV (0x19). The gyroscope outputs only from 30 ms
//     after the wake-up (its start-up time); INT_STATUS (0x3A) bit 0, DATA_RDY_INT, is set by
//     each sample and cleared by reading INT_STATUS;
//   - ACCEL_CONFIG (0x1C) bits 4..3 (AFS_SEL) select ±2/4/8/16 g, 16384/8192/4096/2048 LSB
//     per g; GYRO_CONFIG (0x1B) bits 4..3 (FS_SEL) ±250/500/1000/2000 °/s, 131/65.5/32.8/16.4
//     LSB per °/s; outputs saturate at ±32767. Temperature is 340 LSB per °C with 0 at
//     36.53 °C;
//   - PWR_MGMT_1 bit 7 (DEVICE_RESET) resets every register; bit 3 (TEMP_DIS) stops the
//     temperature updates;
//   - a read transaction's sensor registers all come from one sample (the part copies them
//     when the transaction starts); the register pointer increments after each byte.
//
// Self-test, the FIFO, the auxiliary I2C master, the interrupt pin and motion detection, the
// accelerometer-only low-power cycle and the other registers are kept as memory: their first
// access is noted in the chip's log and in Notes, as is a write to a read-only register.
type MPU6050 struct {
	mu    sync.Mutex
	notes deviceNotes

	regs   [0x76]byte
	shadow [0x48 - 0x3B + 1]byte // the sensor registers for the current read transaction

	accel, gyro [3]float64 // g, °/s
	temp        float64    // °C

	awake      bool
	wakeAt     time.Duration
	base       time.Duration // sample instants are base + k·period
	lastSample int64

	ptr    byte
	gotPtr bool
}

// MPU-6050 registers and bits.
const (
	mpuSmplrtDiv   = 0x19
	mpuConfig      = 0x1A
	mpuGyroConfig  = 0x1B
	mpuAccelConfig = 0x1C
	mpuIntStatus   = 0x3A
	mpuAccelOut    = 0x3B
	mpuTempOut     = 0x41
	mpuGyroOut     = 0x43
	mpuSensorEnd   = 0x48
	mpuPwrMgmt1    = 0x6B
	mpuWhoAmI      = 0x75

	mpuDeviceReset = 1 << 7
	mpuSleep       = 1 << 6
	mpuCycle       = 1 << 5
	mpuTempDis     = 1 << 3

	mpuGyroStartup = 30 * time.Millisecond
)

// NewMPU6050 returns a part out of power-on reset, asleep, lying flat and still (1 g on Z)
// at 25 °C.
func NewMPU6050() *MPU6050 {
	m := &MPU6050{accel: [3]float64{0, 0, 1}, temp: 25}
	m.notes.name = "MPU6050"
	m.reset()
	return m
}

func (m *MPU6050) reset() {
	m.regs = [len(m.regs)]byte{}
	m.regs[mpuPwrMgmt1] = mpuSleep
	m.regs[mpuWhoAmI] = 0x68
	m.awake = false
}

// Attached implements I2CAttacher.
func (m *MPU6050) Attached(now func() time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.notes.attach(now)
}

// SetAcceleration sets the proper acceleration along X, Y and Z in g (1 g on Z lying flat).
func (m *MPU6050) SetAcceleration(x, y, z float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.update()
	m.accel = [3]float64{x, y, z}
}

// SetRotation sets the angular rate about X, Y and Z in °/s.
func (m *MPU6050) SetRotation(x, y, z float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.update()
	m.gyro = [3]float64{x, y, z}
}

// SetTemperature sets the die temperature in °C.
func (m *MPU6050) SetTemperature(c float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.update()
	m.temp = c
}

// Register returns register reg as the master would read it now (without the side effects
// of a read).
func (m *MPU6050) Register(reg byte) byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.update()
	return m.regs[int(reg)%len(m.regs)]
}

// Notes returns the notes about unmodelled registers, in order.
func (m *MPU6050) Notes() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.notes.notes()
}

func (m *MPU6050) running() bool {
	p := m.regs[mpuPwrMgmt1]
	return p&mpuSleep == 0 && p&7 != 7
}

// period is the sample period: the gyroscope output rate over 1 + SMPLRT_DIV.
func (m *MPU6050) period() time.Duration {
	rate := 1000
	if c := m.regs[mpuConfig] & 7; c == 0 || c == 7 {
		rate = 8000
	}
	return time.Second * time.Duration(1+int(m.regs[mpuSmplrtDiv])) / time.Duration(rate)
}

// update takes the samples due since the last update (all of the current quantities, which
// only change through the setters, which update first).
func (m *MPU6050) update() {
	if !m.awake {
		return
	}
	now := m.notes.clock()
	p := m.period()
	k := int64((now - m.base) / p)
	if k <= m.lastSample {
		return
	}
	m.lastSample = k
	at := m.base + time.Duration(k)*p // the latest sample instant
	put := func(reg byte, v float64) {
		r := int16(max(-32768, min(32767, math.Round(v))))
		m.regs[reg], m.regs[reg+1] = byte(uint16(r)>>8), byte(r)
	}
	afs := float64(int(16384) >> (m.regs[mpuAccelConfig] >> 3 & 3))
	for i, a := range m.accel {
		put(mpuAccelOut+byte(2*i), a*afs)
	}
	if m.regs[mpuPwrMgmt1]&mpuTempDis == 0 {
		put(mpuTempOut, (m.temp-36.53)*340)
	}
	if at >= m.wakeAt+mpuGyroStartup {
		gfs := [4]float64{131, 65.5, 32.8, 16.4}[m.regs[mpuGyroConfig]>>3&3]
		for i, g := range m.gyro {
			put(mpuGyroOut+byte(2*i), g*gfs)
		}
	}
	m.regs[mpuIntStatus] |= 1 // DATA_RDY_INT
}

// restart begins a new series of sample instants now (after a wake-up or a rate change).
func (m *MPU6050) restart() {
	m.base, m.lastSample = m.notes.clock(), 0
}

func mpuModelled(reg byte) bool {
	switch {
	case reg >= mpuSmplrtDiv && reg <= mpuAccelConfig, reg == mpuIntStatus,
		reg >= mpuAccelOut && reg <= mpuSensorEnd, reg == mpuPwrMgmt1, reg == mpuWhoAmI:
		return true
	}
	return false
}

func (m *MPU6050) touch(reg byte, write bool) {
	if int(reg) >= len(m.regs) {
		m.notes.note(fmt.Sprint("reg", reg), "register %#02x does not exist; it reads 0", reg)
		return
	}
	if !mpuModelled(reg) {
		m.notes.note(fmt.Sprint("reg", reg), "register %#02x is not modelled; it is kept as memory", reg)
	} else if write && (reg == mpuIntStatus || reg >= mpuAccelOut && reg <= mpuSensorEnd || reg == mpuWhoAmI) {
		m.notes.note(fmt.Sprint("ro", reg), "register %#02x is read-only; the write is ignored", reg)
	}
}

// Start implements I2CDevice: a read transaction's sensor registers come from one sample.
func (m *MPU6050) Start(read bool) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.update()
	copy(m.shadow[:], m.regs[mpuAccelOut:mpuSensorEnd+1])
	if !read {
		m.gotPtr = false
	}
	return true
}

// Write implements I2CDevice.
func (m *MPU6050) Write(b byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.gotPtr {
		m.ptr, m.gotPtr = b, true
		return true
	}
	m.update()
	r := m.ptr
	m.ptr++
	m.touch(r, true)
	switch {
	case int(r) >= len(m.regs):
	case r == mpuIntStatus, r >= mpuAccelOut && r <= mpuSensorEnd, r == mpuWhoAmI:
	case r == mpuPwrMgmt1:
		if b&mpuDeviceReset != 0 {
			m.reset()
			return true
		}
		if b&mpuCycle != 0 && b&mpuSleep == 0 {
			m.notes.note("cycle", "PWR_MGMT_1 CYCLE (low-power accelerometer cycle) is not modelled; the part samples as if awake")
		}
		was := m.running()
		m.regs[r] = b
		if now := m.running(); now && !was {
			m.awake, m.wakeAt = true, m.notes.clock()
			m.restart()
		} else if !now {
			m.awake = false
		}
	case r == mpuSmplrtDiv || r == mpuConfig:
		m.regs[r] = b
		m.restart()
	default:
		m.regs[r] = b
	}
	return true
}

// Read implements I2CDevice.
func (m *MPU6050) Read(ack bool) byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.update()
	r := m.ptr
	m.ptr++
	m.touch(r, false)
	switch {
	case int(r) >= len(m.regs):
		return 0
	case r >= mpuAccelOut && r <= mpuSensorEnd:
		return m.shadow[r-mpuAccelOut]
	case r == mpuIntStatus:
		v := m.regs[r]
		m.regs[r] = 0 // cleared by the read
		return v
	}
	return m.regs[r]
}

// Stop implements I2CDevice.
func (m *MPU6050) Stop() {}
