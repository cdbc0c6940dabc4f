package esp32c3

import (
	"github.com/gohal/gohal/rt/host"
	"github.com/gohal/gohal/rt/mmio"
)

// The interrupt matrix (INTERRUPT_CORE0, esp32c3-facts.md §1) is the register view of the
// rt/host interrupt controller: map registers route sources to CPU interrupt lines, and the
// CPU_INT_* registers hold each line's enable, type, priority and the core's threshold. The
// state lives in the host Machine, where the CPU model takes interrupts from it; rt's host
// implementation changes the same state directly, so registers and rt always agree.

const (
	intMatrixBase = 0x600C_2000
	intMatrixSize = 0x800 // a second core's matrix follows at +0x800 (ESP32-S3 layout)

	imStatus0   = 0x0F8 // INTR_STATUS_REG_0, _1 at +4: raw source levels
	imClockGate = 0x100
	imEnable    = 0x104 // CPU_INT_ENABLE
	imType      = 0x108 // CPU_INT_TYPE: 1 = edge
	imClear     = 0x10C // CPU_INT_CLEAR
	imEIP       = 0x110 // CPU_INT_EIP_STATUS
	imPri0      = 0x114 // CPU_INT_PRI_0..31
	imThresh    = 0x194 // CPU_INT_THRESH
)

type intMatrix struct {
	c    *Chip
	core *host.Core
	base uintptr
	// clear is the stored value of CPU_INT_CLEAR. Whether a bit clears a latch once per
	// write of 1 or holds it clear while set is unconfirmed (esp32c3-facts.md); the model
	// clears on every write with the bit set and keeps the value only for reading back, so
	// both esp-hal (writes 1, leaves it) and TinyGo (writes 1 then 0) work.
	clear uint32
}

func newIntMatrix(c *Chip) *intMatrix {
	var first *intMatrix
	for k := 0; k < c.m.NumCores(); k++ {
		im := &intMatrix{c: c, core: c.m.Core(k), base: intMatrixBase + uintptr(k)*intMatrixSize}
		c.Hook(im.base, intMatrixSize, im)
		if first == nil {
			first = im
		}
	}
	return first
}

// reg returns the value of the modelled register at offset off (word aligned).
func (im *intMatrix) reg(off uintptr) (uint32, bool) {
	switch {
	case off < NumSources*4:
		return im.core.SourceLine(int(off / 4)), true
	case off == imStatus0 || off == imStatus0+4:
		return im.c.m.SourceStatus(int(off-imStatus0) / 4), true
	case off == imEnable:
		return im.core.Enabled(), true
	case off == imType:
		return im.core.Edge(), true
	case off == imClear:
		return im.clear, true
	case off == imEIP:
		return im.core.Status(), true
	case off >= imPri0 && off < imPri0+4*host.Lines:
		return im.core.Priority(int(off-imPri0) / 4), true
	case off == imThresh:
		return im.core.Threshold(), true
	}
	return 0, false
}

func (im *intMatrix) set(off uintptr, v uint32) {
	switch {
	case off < NumSources*4:
		im.core.MapSource(int(off/4), v&0x1F)
	case off == imEnable:
		im.core.SetEnabled(v)
	case off == imType:
		im.core.SetEdge(v)
	case off == imClear:
		im.clear = v
		if v != 0 {
			im.core.Clear(v)
		}
	case off >= imPri0 && off < imPri0+4*host.Lines:
		im.core.SetPriority(int(off-imPri0)/4, v&0xF)
	case off == imThresh:
		im.core.SetThreshold(v & 0xF)
	}
	// INTR_STATUS and EIP_STATUS are read-only: writes are ignored.
}

func (im *intMatrix) Read(addr uintptr, size int) uint64 {
	im.c.Lock()
	defer im.c.Unlock()
	if w, ok := im.reg((addr - im.base) &^ 3); ok {
		return subRead(w, addr, size)
	}
	im.c.Unmodelled(addr, false)
	return mmio.Peek(addr, size)
}

func (im *intMatrix) Write(addr uintptr, size int, v uint64) {
	im.c.Lock()
	defer im.c.Unlock()
	off := (addr - im.base) &^ 3
	if w, ok := im.reg(off); ok {
		im.set(off, subWrite(w, addr, size, v))
		return
	}
	im.c.Unmodelled(addr, true)
	mmio.Poke(addr, size, v)
}
