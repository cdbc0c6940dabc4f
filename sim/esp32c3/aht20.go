package esp32c3

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// AHT20 is an Aosong AHT20 temperature and humidity sensor on the simulated I2C bus (7-bit
// address 0x38), after its datasheet (v1.1):
//
//   - every read returns the status byte first: bit 7 busy, bit 3 calibration enabled
//     (0x18 out of power-on, as the datasheet's start-up check expects), then the last
//     measurement's 20-bit humidity and 20-bit temperature (5 bytes) and its CRC-8
//     (polynomial 0x31, initial value 0xFF), for as many bytes as the master reads;
//   - 0xAC 0x33 0x00 triggers a measurement: the part is busy for the conversion time (80 ms
//     by default; the datasheet tells the master to wait 80 ms) and the data registers take
//     the temperature and humidity of the moment the measurement completes;
//   - 0x71 selects the status byte (the read that follows returns it, as any read does);
//   - 0xBE 0x08 0x00 (initialise) sets the calibration bit; 0xBA (soft reset) returns the part
//     to its power-on state within 20 ms, during which it does not acknowledge.
//
// Other commands, other parameter bytes, and the power-on time (the part answers at once)
// are not modelled: the first use of an unmodelled command is noted in the chip's log and in
// Notes. Humidity is 0..100 %RH and temperature -50..150 °C, the sensor's ranges; SetHumidity
// and SetTemperature clamp to them.
type AHT20 struct {
	mu    sync.Mutex
	notes deviceNotes

	temp, hum float64 // the physical quantities

	conversion time.Duration
	calibrated bool
	busyUntil  time.Duration // a measurement in progress completes at busyUntil
	measuring  bool
	resetUntil time.Duration
	data       [6]byte // status placeholder, humidity and temperature of the last measurement

	cmd     []byte // bytes written in this transfer
	readIdx int
}

// NewAHT20 returns a sensor at 25 °C and 50 %RH, out of power-on (calibrated, idle, no
// measurement yet: its data bytes read zero).
func NewAHT20() *AHT20 {
	s := &AHT20{temp: 25, hum: 50, conversion: 80 * time.Millisecond, calibrated: true}
	s.notes.name = "AHT20"
	return s
}

// SetTemperature sets the air temperature in °C; the next measurement reads it.
func (s *AHT20) SetTemperature(c float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.complete()
	s.temp = math.Max(-50, math.Min(150, c))
}

// SetHumidity sets the relative humidity in %RH; the next measurement reads it.
func (s *AHT20) SetHumidity(rh float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.complete()
	s.hum = math.Max(0, math.Min(100, rh))
}

// SetConversionTime changes the measurement time (80 ms by default).
func (s *AHT20) SetConversionTime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conversion = d
}

// Busy reports whether a measurement is in progress (the status byte's bit 7).
func (s *AHT20) Busy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.complete()
	return s.measuring
}

// Notes returns the notes about unmodelled commands, in order.
func (s *AHT20) Notes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notes.notes()
}

// Attached implements I2CAttacher.
func (s *AHT20) Attached(now func() time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notes.attach(now)
}

// complete latches a measurement whose conversion time has passed.
func (s *AHT20) complete() {
	if !s.measuring || s.notes.clock() < s.busyUntil {
		return
	}
	s.measuring = false
	h := uint32(math.Round(s.hum / 100 * (1 << 20)))
	t := uint32(math.Round((s.temp + 50) / 200 * (1 << 20)))
	h, t = min(h, 1<<20-1), min(t, 1<<20-1)
	s.data[1] = byte(h >> 12)
	s.data[2] = byte(h >> 4)
	s.data[3] = byte(h<<4) | byte(t>>16)&0x0F
	s.data[4] = byte(t >> 8)
	s.data[5] = byte(t)
}

func (s *AHT20) status() byte {
	st := byte(0x10) // bit 4: set in the parts the datasheet describes (0x18 when ready)
	if s.calibrated {
		st |= 0x08
	}
	if s.measuring {
		st |= 0x80
	}
	return st
}

// Start implements I2CDevice: the part does not acknowledge during a soft reset.
func (s *AHT20) Start(read bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.notes.clock() < s.resetUntil {
		return false
	}
	s.exec() // a repeated START ends the command written before it
	s.complete()
	s.cmd = s.cmd[:0]
	s.readIdx = 0
	return true
}

// Write implements I2CDevice.
func (s *AHT20) Write(b byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmd = append(s.cmd, b)
	return true
}

// Read implements I2CDevice: the status byte, then the last measurement and its CRC.
func (s *AHT20) Read(ack bool) byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.readIdx
	s.readIdx++
	switch {
	case i == 0:
		return s.status()
	case i < 6:
		return s.data[i]
	case i == 6:
		d := s.data
		d[0] = s.status()
		return crc8AHT(d[:])
	}
	return 0xFF // past the CRC the part releases SDA
}

// Stop implements I2CDevice: a complete command takes effect.
func (s *AHT20) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exec()
}

// exec runs the command written in this transfer, at its STOP (or at a repeated START,
// which is where the command's bytes end too).
func (s *AHT20) exec() {
	if len(s.cmd) == 0 {
		return
	}
	now := s.notes.clock()
	c := s.cmd
	s.cmd = s.cmd[:0]
	switch c[0] {
	case 0xAC:
		if len(c) != 3 || c[1] != 0x33 || c[2] != 0x00 {
			s.notes.note("AC", "trigger command % X not modelled (want AC 33 00); measuring anyway", c)
		}
		if s.measuring {
			return // the datasheet: wait for the busy bit before the next command
		}
		s.measuring, s.busyUntil = true, now+s.conversion
	case 0xBE:
		if len(c) != 3 || c[1] != 0x08 || c[2] != 0x00 {
			s.notes.note("BE", "initialise command % X not modelled (want BE 08 00)", c)
		}
		s.calibrated = true
	case 0x71:
		// Status: the next read returns it, as every read does.
	case 0xBA:
		s.calibrated, s.measuring, s.data = true, false, [6]byte{}
		s.resetUntil = now + 20*time.Millisecond
	default:
		s.notes.note(fmt.Sprintf("cmd %#02x", c[0]), "command %#02x not modelled (bytes % X ignored)", c[0], c)
	}
}

// crc8AHT is the CRC-8 of the AHT20 datasheet: polynomial x^8+x^5+x^4+1 (0x31), initial
// value 0xFF, no reflection.
func crc8AHT(b []byte) byte {
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
