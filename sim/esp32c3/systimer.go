package esp32c3

import (
	"time"

	"github.com/gohal/gohal/rt/mmio"
)

// SYSTIMER (esp32c3-facts.md §3): two 52-bit counters at 16 MHz (XTAL ÷ 2.5) and three
// comparators whose level interrupts are sources 37..39.
//
// Counters are computed from virtual time rather than stored: a running unit's value is the
// value it was loaded with (or had when it last stopped) plus the 16 MHz ticks since. A
// comparator is an event at the virtual time its unit reaches the target, rescheduled after
// every change that could move it.
//
// Settled unconfirmed points: UPDATE latches the value and sets VALUE_VALID in the same
// write (the facts sheet allows it). In period mode the first alarm fires one PERIOD after
// the comparator is loaded (COMP_LOAD), enabled or switched into period mode, and every
// PERIOD after that. A target-mode comparator fires once per load or enable; one whose target
// is already reached fires at once (alarm miss compensation).

const (
	systimerBase = 0x6002_3000
	systimerSize = 0x1000

	stConf        = 0x00
	stUnitOp0     = 0x04 // UNITn_OP at +4n
	stUnitLoadHi0 = 0x0C // UNITn_LOAD_HI at +8n, _LO at +8n+4
	stTargetHi0   = 0x1C // TARGETn_HI at +8n, _LO at +8n+4
	stTargetConf0 = 0x34 // TARGETn_CONF at +4n
	stValueHi0    = 0x40 // UNITn_VALUE_HI at +8n, _LO at +8n+4
	stCompLoad0   = 0x50 // COMPn_LOAD at +4n
	stUnitLoad0   = 0x5C // UNITn_LOAD at +4n
	stIntEna      = 0x64
	stIntRaw      = 0x68
	stIntClr      = 0x6C
	stIntSt       = 0x70

	stConfReset = 0x4600_0000 // CLK_EN=0, UNIT0_WORK_EN, UNIT0 core stall bits

	stUnitWorkEn0   = 1 << 30 // UNIT1 at bit 29
	stTargetWorkEn0 = 1 << 24 // TARGET1, 2 at bits 23, 22
	stOpUpdate      = 1 << 30
	stOpValid       = 1 << 29
	stPeriodMode    = 1 << 30
	stUnitSel       = 1 << 31
	stPeriodMask    = 1<<26 - 1
	stValueMask     = 1<<52 - 1
)

type stUnit struct {
	base   uint64 // value at tick t0 (or frozen value while stopped)
	t0     uint64 // global tick at which base was valid
	loadHi uint32
	loadLo uint32
	value  uint64 // snapshot taken by UPDATE
	valid  bool
}

type stComp struct {
	targetHi, targetLo, conf uint32
	// The comparator's working copy, set by COMPn_LOAD.
	target     uint64
	period     uint64
	periodMode bool
	unit       int
	next       uint64 // counter value at which it fires next
	armed      bool
	ev         *Event
}

type systimer struct {
	c      *Chip
	fire   func() // s.reschedule, bound once
	conf   uint32
	unit   [2]stUnit
	comp   [3]stComp
	intEna uint32
	intRaw uint32
}

func newSystimer(c *Chip) *systimer {
	s := &systimer{c: c, conf: stConfReset}
	s.fire = s.reschedule
	c.Hook(systimerBase, systimerSize, s)
	return s
}

// tickAt returns the number of 16 MHz ticks in virtual time t.
func tickAt(t time.Duration) uint64 { return uint64(t) * 2 / 125 }

// timeOfTick returns the virtual time at which global tick n begins.
func timeOfTick(n uint64) time.Duration { return time.Duration((n*125 + 1) / 2) }

func (s *systimer) running(u int) bool { return s.conf&(stUnitWorkEn0>>u) != 0 }

func (s *systimer) value(u int) uint64 {
	un := &s.unit[u]
	if !s.running(u) {
		return un.base & stValueMask
	}
	return (un.base + tickAt(s.c.Now()) - un.t0) & stValueMask
}

// setValue makes unit u read v from now on.
func (s *systimer) setValue(u int, v uint64) {
	s.unit[u].base = v
	s.unit[u].t0 = tickAt(s.c.Now())
}

func (s *systimer) compEnabled(k int) bool { return s.conf&(stTargetWorkEn0>>k) != 0 }

// arm restarts comparator k from the current counter value.
func (s *systimer) arm(k int) {
	cp := &s.comp[k]
	cp.armed = true
	if cp.periodMode {
		cp.next = s.value(cp.unit) + cp.period
	} else {
		cp.next = cp.target
	}
}

// reschedule fires what is due and puts every armed comparator's next alarm in the event
// queue. Called with the chip lock held after every change.
func (s *systimer) reschedule() {
	for k := range s.comp {
		cp := &s.comp[k]
		at := time.Duration(-1)
		if cp.armed && s.compEnabled(k) && s.running(cp.unit) {
			v := s.value(cp.unit)
			if v >= cp.next {
				s.intRaw |= 1 << k
				if cp.periodMode && cp.period > 0 {
					for cp.next <= v {
						cp.next += cp.period
					}
				} else {
					cp.armed = false
				}
			}
			if cp.armed {
				at = timeOfTick(tickAt(s.c.Now()) + (cp.next - v))
			}
		}
		if cp.ev != nil && cp.ev.Pending() && cp.ev.At() == at {
			continue // already scheduled for the right time
		}
		if cp.ev != nil {
			cp.ev.Cancel()
			cp.ev = nil
		}
		if at >= 0 {
			cp.ev = s.c.Schedule(at, s.fire)
		}
	}
	s.lines()
}

func (s *systimer) lines() {
	st := s.intRaw & s.intEna
	for k := 0; k < 3; k++ {
		s.c.SetSourceLevel(SourceSystimerTarget0+Source(k), st&(1<<k) != 0)
	}
}

func (s *systimer) reg(off uintptr) (uint32, bool) {
	switch {
	case off == stConf:
		return s.conf, true
	case off >= stUnitOp0 && off < stUnitOp0+8:
		if s.unit[(off-stUnitOp0)/4].valid {
			return stOpValid, true
		}
		return 0, true
	case off >= stUnitLoadHi0 && off < stUnitLoadHi0+16:
		u := &s.unit[(off-stUnitLoadHi0)/8]
		if (off-stUnitLoadHi0)%8 == 0 {
			return u.loadHi, true
		}
		return u.loadLo, true
	case off >= stTargetHi0 && off < stTargetHi0+24:
		cp := &s.comp[(off-stTargetHi0)/8]
		if (off-stTargetHi0)%8 == 0 {
			return cp.targetHi, true
		}
		return cp.targetLo, true
	case off >= stTargetConf0 && off < stTargetConf0+12:
		return s.comp[(off-stTargetConf0)/4].conf, true
	case off >= stValueHi0 && off < stValueHi0+16:
		u := &s.unit[(off-stValueHi0)/8]
		if (off-stValueHi0)%8 == 0 {
			return uint32(u.value >> 32), true
		}
		return uint32(u.value), true
	case off >= stCompLoad0 && off < stCompLoad0+12, off >= stUnitLoad0 && off < stUnitLoad0+8, off == stIntClr:
		return 0, true // write-only
	case off == stIntEna:
		return s.intEna, true
	case off == stIntRaw:
		return s.intRaw, true
	case off == stIntSt:
		return s.intRaw & s.intEna, true
	}
	return 0, false
}

func (s *systimer) set(off uintptr, v uint32) {
	switch {
	case off == stConf:
		old := s.conf
		for u := 0; u < 2; u++ {
			bit := uint32(stUnitWorkEn0 >> u)
			if old&bit != 0 && v&bit == 0 {
				s.unit[u].base = s.value(u) // stop: freeze
			}
			if old&bit == 0 && v&bit != 0 {
				s.unit[u].t0 = tickAt(s.c.Now()) // start from the frozen value
			}
		}
		s.conf = v
		for k := 0; k < 3; k++ {
			bit := uint32(stTargetWorkEn0 >> k)
			if old&bit == 0 && v&bit != 0 {
				s.arm(k)
			}
		}
	case off >= stUnitOp0 && off < stUnitOp0+8:
		if v&stOpUpdate != 0 {
			u := int(off-stUnitOp0) / 4
			s.unit[u].value = s.value(u)
			s.unit[u].valid = true
		}
	case off >= stUnitLoadHi0 && off < stUnitLoadHi0+16:
		u := &s.unit[(off-stUnitLoadHi0)/8]
		if (off-stUnitLoadHi0)%8 == 0 {
			u.loadHi = v & (1<<20 - 1)
		} else {
			u.loadLo = v
		}
	case off >= stTargetHi0 && off < stTargetHi0+24:
		cp := &s.comp[(off-stTargetHi0)/8]
		if (off-stTargetHi0)%8 == 0 {
			cp.targetHi = v & (1<<20 - 1)
		} else {
			cp.targetLo = v
		}
	case off >= stTargetConf0 && off < stTargetConf0+12:
		k := int(off-stTargetConf0) / 4
		cp := &s.comp[k]
		wasPeriodic := cp.conf&stPeriodMode != 0
		cp.conf = v & (stUnitSel | stPeriodMode | stPeriodMask)
		cp.periodMode = v&stPeriodMode != 0
		if cp.periodMode && !wasPeriodic && s.compEnabled(k) {
			s.arm(k)
		}
	case off >= stCompLoad0 && off < stCompLoad0+12:
		if v&1 != 0 {
			k := int(off-stCompLoad0) / 4
			cp := &s.comp[k]
			cp.target = uint64(cp.targetHi)<<32 | uint64(cp.targetLo)
			cp.period = uint64(cp.conf & stPeriodMask)
			cp.periodMode = cp.conf&stPeriodMode != 0
			cp.unit = int(cp.conf >> 31)
			s.arm(k)
		}
	case off >= stUnitLoad0 && off < stUnitLoad0+8:
		if v&1 != 0 {
			u := int(off-stUnitLoad0) / 4
			s.setValue(u, uint64(s.unit[u].loadHi)<<32|uint64(s.unit[u].loadLo))
		}
	case off == stIntEna:
		s.intEna = v & 7
	case off == stIntClr:
		s.intRaw &^= v & 7
	}
	// INT_RAW, INT_ST and the VALUE registers are read-only here.
}

func (s *systimer) Read(addr uintptr, size int) uint64 {
	s.c.Lock()
	defer s.c.Unlock()
	if w, ok := s.reg((addr - systimerBase) &^ 3); ok {
		return subRead(w, addr, size)
	}
	s.c.Unmodelled(addr, false)
	return mmio.Peek(addr, size)
}

func (s *systimer) Write(addr uintptr, size int, v uint64) {
	s.c.Lock()
	defer s.c.Unlock()
	off := (addr - systimerBase) &^ 3
	if w, ok := s.reg(off); ok {
		s.set(off, subWrite(w, addr, size, v))
		s.reschedule()
		return
	}
	s.c.Unmodelled(addr, true)
	mmio.Poke(addr, size, v)
}

// SystimerValue returns the current value of SYSTIMER unit u (0 or 1), for tests.
func (c *Chip) SystimerValue(u int) uint64 {
	c.Lock()
	defer c.Unlock()
	return c.systim.value(u)
}
