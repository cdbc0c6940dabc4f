package esp32c3

import "github.com/gohal/gohal/rt/mmio"

// The SYSTEM block (esp32c3-facts.md §9) is memory apart from two behaviours: the
// FROM_CPU_INTR software-interrupt registers (swint.go) and the peripheral reset registers,
// whose 0→1 transitions reset the peripheral models that asked to hear of it. Clock-enable
// bits are kept as written for models that consult them (PeripheralClockEnabled).

const (
	systemBase = 0x600C_0000
	systemSize = 0x1000

	sysCPUPerConf = 0x008
	sysClkEn0     = 0x010 // PERIP_CLK_EN0, EN1 at +4
	sysRstEn0     = 0x018 // PERIP_RST_EN0, EN1 at +4
	sysFromCPU0   = 0x028 // CPU_INTR_FROM_CPU_0..3
	sysSysclkConf = 0x058
)

type system struct {
	c        *Chip
	fromCPU  [4]uint32
	onReset  [2][32][]func()
	resetLvl [2]uint32
}

func newSystem(c *Chip) *system {
	s := &system{c: c}
	c.Hook(systemBase, systemSize, s)
	return s
}

// OnPeripheralReset registers f to run, with the chip lock held, each time firmware puts a
// peripheral into reset: bit of PERIP_RST_EN0 (reg 0) or PERIP_RST_EN1 (reg 1) goes from 0
// to 1. Models use it to return to their reset state.
func (c *Chip) OnPeripheralReset(reg, bit int, f func()) {
	c.Lock()
	defer c.Unlock()
	c.sys.onReset[reg][bit] = append(c.sys.onReset[reg][bit], f)
}

// PeripheralClockEnabled reports whether bit of PERIP_CLK_EN0 (reg 0) or PERIP_CLK_EN1
// (reg 1) is set. Call it with the chip lock held.
func (c *Chip) PeripheralClockEnabled(reg, bit int) bool {
	return mmio.Peek(systemBase+sysClkEn0+uintptr(reg)*4, 4)&(1<<bit) != 0
}

// plain reports whether a SYSTEM register is storage the models read, rather than an
// unmodelled behaviour.
func plainSystemReg(off uintptr) bool {
	switch off {
	case sysCPUPerConf, sysClkEn0, sysClkEn0 + 4, sysRstEn0, sysRstEn0 + 4, sysSysclkConf:
		return true
	}
	return false
}

func (s *system) Read(addr uintptr, size int) uint64 {
	s.c.Lock()
	defer s.c.Unlock()
	off := (addr - systemBase) &^ 3
	if w, ok := s.fromCPUReg(off); ok {
		return subRead(w, addr, size)
	}
	if !plainSystemReg(off) {
		s.c.Unmodelled(addr, false)
	}
	return mmio.Peek(addr, size)
}

func (s *system) Write(addr uintptr, size int, v uint64) {
	s.c.Lock()
	defer s.c.Unlock()
	off := (addr - systemBase) &^ 3
	if w, ok := s.fromCPUReg(off); ok {
		s.setFromCPU(int(off-sysFromCPU0)/4, subWrite(w, addr, size, v))
		return
	}
	if !plainSystemReg(off) {
		s.c.Unmodelled(addr, true)
	}
	mmio.Poke(addr, size, v)
	if off == sysRstEn0 || off == sysRstEn0+4 {
		reg := int(off-sysRstEn0) / 4
		now := uint32(mmio.Peek(systemBase+off, 4))
		rising := now &^ s.resetLvl[reg]
		s.resetLvl[reg] = now
		for bit := 0; rising != 0; bit++ {
			if rising&(1<<bit) != 0 {
				rising &^= 1 << bit
				for _, f := range s.onReset[reg][bit] {
					f()
				}
			}
		}
	}
}
