package esp32c3

import (
	"fmt"
	"sync"
	"time"
)

// AT24C is an AT24C-family serial EEPROM on the simulated I2C bus: a write sets the address
// pointer (one byte for parts up to 256 bytes, two bytes, high first, for the AT24C32 and
// larger), further written bytes fill the page latch and wrap within the page, a STOP
// starts the internal write cycle during which the part ignores its address (acknowledge
// polling), and reads return bytes from the pointer on, wrapping at the end of the memory.
// A repeated START abandons latched data, so a random read is a write of the address
// followed by a repeated START and a read.
type AT24C struct {
	mu        sync.Mutex
	mem       []byte
	pageSize  int
	addrBytes int
	writeTime time.Duration
	now       func() time.Duration

	ptr       int
	addrLeft  int
	addrAcc   int
	latch     map[int]byte // page writes waiting for STOP
	busyUntil time.Duration
	writing   bool
}

// NewAT24C returns an erased (all 0xFF) EEPROM of size bytes with pages of pageSize bytes
// and the 5 ms write cycle of the datasheets. Sizes up to 256 bytes take a one-byte
// address; 4096 bytes (AT24C32) and above take two. The AT24C04..C16, which put address
// bits in the device address, are not modelled.
func NewAT24C(size, pageSize int) *AT24C {
	if size <= 0 || size&(size-1) != 0 || (size > 256 && size < 4096) || size > 65536 {
		panic(fmt.Sprintf("esp32c3: AT24C size %d: want a power of two up to 256, or 4096..65536", size))
	}
	if pageSize <= 0 || pageSize&(pageSize-1) != 0 || pageSize > size {
		panic(fmt.Sprintf("esp32c3: AT24C page size %d: want a power of two up to the size", pageSize))
	}
	e := &AT24C{mem: make([]byte, size), pageSize: pageSize, addrBytes: 1, writeTime: 5 * time.Millisecond}
	if size > 256 {
		e.addrBytes = 2
	}
	for i := range e.mem {
		e.mem[i] = 0xFF
	}
	return e
}

// SetWriteTime changes the internal write cycle time (tWR).
func (e *AT24C) SetWriteTime(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.writeTime = d
}

// Attached implements I2CAttacher.
func (e *AT24C) Attached(now func() time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = now
}

func (e *AT24C) clock() time.Duration {
	if e.now == nil {
		return 0
	}
	return e.now()
}

// Start implements I2CDevice: the part NACKs its address during a write cycle.
func (e *AT24C) Start(read bool) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.clock() < e.busyUntil {
		return false
	}
	e.latch = nil
	e.writing = !read
	if !read {
		e.addrLeft, e.addrAcc = e.addrBytes, 0
	}
	return true
}

// Write implements I2CDevice.
func (e *AT24C) Write(b byte) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.addrLeft > 0 {
		e.addrAcc = e.addrAcc<<8 | int(b)
		e.addrLeft--
		if e.addrLeft == 0 {
			e.ptr = e.addrAcc & (len(e.mem) - 1)
		}
		return true
	}
	if e.latch == nil {
		e.latch = make(map[int]byte)
	}
	e.latch[e.ptr] = b
	page := e.ptr &^ (e.pageSize - 1)
	e.ptr = page | (e.ptr+1)&(e.pageSize-1) // the page latch wraps within the page
	return true
}

// Read implements I2CDevice.
func (e *AT24C) Read(ack bool) byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.mem[e.ptr]
	e.ptr = (e.ptr + 1) & (len(e.mem) - 1)
	return b
}

// Stop implements I2CDevice: latched data is written and the write cycle begins.
func (e *AT24C) Stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.writing && len(e.latch) > 0 {
		for a, b := range e.latch {
			e.mem[a] = b
		}
		e.busyUntil = e.clock() + e.writeTime
	}
	e.latch = nil
	e.writing = false
}

// Contents returns a copy of the memory.
func (e *AT24C) Contents() []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]byte(nil), e.mem...)
}

// Load copies data into the memory at addr, as a programmer would before the test.
func (e *AT24C) Load(addr int, data []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if addr < 0 || addr+len(data) > len(e.mem) {
		panic(fmt.Sprintf("esp32c3: AT24C.Load of %d bytes at %#x overruns the %d-byte memory", len(data), addr, len(e.mem)))
	}
	copy(e.mem[addr:], data)
}

// RegisterSensor is a simple I2C device with 256 byte-wide registers, as most sensors
// present themselves: the first byte written selects a register, further written bytes
// store into consecutive registers, and reads return consecutive registers from the
// selected one. It can stretch the clock before each byte, to exercise bus timeouts.
type RegisterSensor struct {
	mu      sync.Mutex
	regs    [256]byte
	ptr     byte
	gotPtr  bool
	stretch time.Duration
	onWrite func(reg, value byte)
}

// NewRegisterSensor returns a sensor whose registers start with the given values from
// register 0 (the rest are 0).
func NewRegisterSensor(initial ...byte) *RegisterSensor {
	s := &RegisterSensor{}
	copy(s.regs[:], initial)
	return s
}

// Set stores value in register reg, as the sensor's own logic would (a new measurement).
func (s *RegisterSensor) Set(reg, value byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.regs[reg] = value
}

// Get returns register reg.
func (s *RegisterSensor) Get(reg byte) byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.regs[reg]
}

// SetStretch makes the sensor hold SCL low for d before every data byte.
func (s *RegisterSensor) SetStretch(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stretch = d
}

// OnWrite registers f to be called when the master writes a register. It runs with the chip
// lock held and must not call back into the chip or the sensor.
func (s *RegisterSensor) OnWrite(f func(reg, value byte)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onWrite = f
}

// Start implements I2CDevice.
func (s *RegisterSensor) Start(read bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !read {
		s.gotPtr = false
	}
	return true
}

// Write implements I2CDevice.
func (s *RegisterSensor) Write(b byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.gotPtr {
		s.ptr, s.gotPtr = b, true
		return true
	}
	s.regs[s.ptr] = b
	if s.onWrite != nil {
		s.onWrite(s.ptr, b)
	}
	s.ptr++
	return true
}

// Read implements I2CDevice.
func (s *RegisterSensor) Read(ack bool) byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.regs[s.ptr]
	s.ptr++
	return b
}

// Stop implements I2CDevice.
func (s *RegisterSensor) Stop() {}

// Stretch implements I2CStretcher.
func (s *RegisterSensor) Stretch() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stretch
}
