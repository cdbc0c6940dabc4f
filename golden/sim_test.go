package golden

import (
	"sync"
	"testing"

	"github.com/gohal/gohal/golden/demo"
	"github.com/gohal/gohal/golden/demo/uart"
	"github.com/gohal/gohal/rt/mmio"
)

// eventsModel is the EVENTS register of the demo UART as hardware would behave: ERR,
// ERRCNT and TOGGLE (write 1 to clear/toggle) and ACK (write 0 to clear) are set by the
// hardware at any time; EN is plain read-write.
type eventsModel struct {
	mu  sync.Mutex
	val uint32
}

const (
	evEN     = 1 << 0
	evERR    = 1 << 1
	evERRCNT = 7 << 4
	evTOGGLE = 1 << 8
	evACK    = 0xf << 20
)

func (m *eventsModel) Read(addr uintptr, size int) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return uint64(m.val)
}

func (m *eventsModel) Write(addr uintptr, size int, v uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w := uint32(v)
	m.val = m.val&^evEN | w&evEN
	m.val &^= w & (evERR | evERRCNT) // write 1 to clear
	m.val ^= w & evTOGGLE            // write 1 to toggle
	m.val &^= ^w & evACK             // write 0 to clear
}

// TestModifyKeepsFlags runs the generated Modify against a model of the register: flags the
// hardware raised survive a Modify that touches another field, and are cleared only when f
// asks for it — the failure that chiptool#86 and embassy-imxrt#468 describe.
func TestModifyKeepsFlags(t *testing.T) {
	defer mmio.ResetMemory()
	m := &eventsModel{}
	base := demo.UART0Base + 0x10
	defer mmio.Hook(base, base+4, m)()
	u := demo.UART0

	m.val = evERR | 5<<4 | evACK // hardware raised the error flag, a count and all ACKs
	u.EVENTS.Modify(func(v uart.EVENTSValue) uart.EVENTSValue { return v.WithEN(true) })
	if want := uint32(evEN | evERR | 5<<4 | evACK); m.val != want {
		t.Fatalf("after enabling: EVENTS = %#x, want %#x (flags lost)", m.val, want)
	}
	// Clearing only ERR leaves the counter, the ACK flags and EN alone.
	u.EVENTS.Modify(func(v uart.EVENTSValue) uart.EVENTSValue { return v.WithERR(true) })
	if want := uint32(evEN | 5<<4 | evACK); m.val != want {
		t.Fatalf("after clearing ERR: EVENTS = %#x, want %#x", m.val, want)
	}
	// Clearing ACK bit 21 (write 0 there, 1 elsewhere) leaves the other ACK bits.
	u.EVENTS.Modify(func(v uart.EVENTSValue) uart.EVENTSValue { return v.WithACK(0xf &^ 2) })
	if want := uint32(evEN | 5<<4 | 0xd<<20); m.val != want {
		t.Fatalf("after clearing ACK bit 1: EVENTS = %#x, want %#x", m.val, want)
	}
	// TOGGLE is not toggled by unrelated updates.
	m.val |= evTOGGLE
	u.EVENTS.Modify(func(v uart.EVENTSValue) uart.EVENTSValue { return v.WithEN(false) })
	if m.val&evTOGGLE == 0 {
		t.Fatalf("TOGGLE flipped by an unrelated Modify: %#x", m.val)
	}
}

// TestResetValuesInSimulatedMemory checks that the chip package loads the SVD reset values
// into simulated memory, per instance, and that Write/WriteWith/Reset/masking behave.
func TestResetValuesInSimulatedMemory(t *testing.T) {
	defer mmio.ResetMemory()
	for _, u := range []*uart.UART{demo.UART0, demo.UART1} {
		if got := u.CONF0.Read(); got != uart.CONF0Reset {
			t.Errorf("CONF0 = %#x, want reset %#x", got, uart.CONF0Reset)
		}
		if got := u.DIV.Read(); got != 0x1a0 || got.INT() != 0x1a {
			t.Errorf("DIV = %#x", got)
		}
		if got := u.MATCH[2].Read(); got != 0x5 || got.VAL() != 5 {
			t.Errorf("MATCH[2] = %#x", got)
		}
		if got := u.CH[1].CNT.Read(); got != 0xffff {
			t.Errorf("CH[1].CNT = %#x", got)
		}
	}
	u := demo.UART0
	u.CONF0.WriteWith(func(v uart.CONF0Value) uart.CONF0Value { return v.WithWIDE(0x12345) })
	if got := u.CONF0.Read(); got.WIDE() != 0x2345 || got&0xffff != 0x1c {
		t.Errorf("WriteWith: CONF0 = %#x: the raw setter must mask to 16 bits and keep the reset bits", got)
	}
	u.CONF0.Reset()
	if got := u.CONF0.Read(); got != uart.CONF0Reset {
		t.Errorf("after Reset: %#x", got)
	}
	// The alternate register is a view of the same word.
	if got := u.CONF0_ALT().Read().RAW(); got != 0x1c {
		t.Errorf("CONF0_ALT reads %#x", got)
	}
	// CONF1 is derivedFrom CONF0: the same type, so values move between them.
	u.CONF1.Write(u.CONF0.Read().WithBIT_NUM(uart.BIT_NUM_BITS5))
	if got := u.CONF1.Read().BIT_NUM(); !got.IsBITS5() || got.String() != "BITS5" {
		t.Errorf("CONF1.BIT_NUM = %v", got)
	}
}

func TestEnums(t *testing.T) {
	v := uart.CONF0Value(0)
	for _, c := range []struct {
		stop         uint32
		one, two, ot bool
		name         string
	}{{1, true, false, false, "ONE"}, {5, false, true, false, "TWO"}, {7, false, true, false, "TWO"}, {0, false, false, true, "OTHER"}, {3, false, false, true, "OTHER"}} {
		e := v.WithSTOP(uart.STOP_BITS(c.stop)).STOP()
		if e.IsONE() != c.one || e.IsTWO() != c.two || e.IsOTHER() != c.ot || e.String() != c.name {
			t.Errorf("STOP %03b: ONE %v TWO %v OTHER %v %q", c.stop, e.IsONE(), e.IsTWO(), e.IsOTHER(), e.String())
		}
	}
	if s := uart.PARITY(7).String(); s != "PARITY(0x7)" {
		t.Errorf("unnamed value prints %q", s)
	}
	if s := demo.IRQ_UART1.String(); s != "UART1" {
		t.Errorf("IRQ_UART1 prints %q", s)
	}
	if len(demo.Interrupts) != 3 || demo.Interrupts[2].IRQ != demo.IRQ_TIMER_ALL || demo.Interrupts[2].Peripherals != "SYSCON" {
		t.Errorf("interrupt table %+v", demo.Interrupts)
	}
}

// TestRawSettersMask drives the generated raw setters of the demo UART, fields of width 1 to
// 32 at offsets 0 to 63, with values wider than the field: only the field's bits may change
// (TinyGo's generated setters let them spill into the neighbours).
func TestRawSettersMask(t *testing.T) {
	type setter struct {
		name        string
		off, width  uint
		set         func(v uint64, x uint64) uint64
		get         func(v uint64) uint64
		registerTop uint
	}
	setters := []setter{
		{"DIV.FRAC", 0, 4, func(v, x uint64) uint64 { return uint64(uart.DIVValue(v).WithFRAC(uint16(x))) }, func(v uint64) uint64 { return uint64(uart.DIVValue(v).FRAC()) }, 16},
		{"DIV.INT", 4, 12, func(v, x uint64) uint64 { return uint64(uart.DIVValue(v).WithINT(uint16(x))) }, func(v uint64) uint64 { return uint64(uart.DIVValue(v).INT()) }, 16},
		{"CONF0.WIDE", 16, 16, func(v, x uint64) uint64 { return uint64(uart.CONF0Value(v).WithWIDE(uint32(x))) }, func(v uint64) uint64 { return uint64(uart.CONF0Value(v).WIDE()) }, 32},
		{"CONF0.STOP", 4, 3, func(v, x uint64) uint64 { return uint64(uart.CONF0Value(v).WithSTOP(uart.STOP_BITS(x))) }, func(v uint64) uint64 { return uint64(uart.CONF0Value(v).STOP()) }, 32},
		{"COMPARE.LO", 0, 32, func(v, x uint64) uint64 { return uint64(uart.COMPAREValue(v).WithLO(x)) }, func(v uint64) uint64 { return uint64(uart.COMPAREValue(v).LO()) }, 64},
		{"COMPARE.HI", 32, 31, func(v, x uint64) uint64 { return uint64(uart.COMPAREValue(v).WithHI(x)) }, func(v uint64) uint64 { return uint64(uart.COMPAREValue(v).HI()) }, 64},
		{"MATCH.VAL", 0, 8, func(v, x uint64) uint64 { return uint64(uart.MATCHValue(v).WithVAL(uint32(x))) }, func(v uint64) uint64 { return uint64(uart.MATCHValue(v).VAL()) }, 32},
	}
	values := []uint64{0, ^uint64(0), 0xa5a5_a5a5_a5a5_a5a5, 0x0123_4567_89ab_cdef}
	for _, s := range setters {
		fieldMask := (uint64(1)<<s.width - 1) << s.off
		regMask := ^uint64(0)
		if s.registerTop < 64 {
			regMask = uint64(1)<<s.registerTop - 1
		}
		for _, v := range values {
			v &= regMask
			for _, x := range values {
				got := s.set(v, x)
				if got&^fieldMask != v&^fieldMask {
					t.Errorf("%s: With(%#x) on %#x = %#x: bits outside the field changed", s.name, x, v, got)
				}
				if want := x & (uint64(1)<<s.width - 1); s.get(got) != want {
					t.Errorf("%s: With(%#x) reads back %#x, want %#x", s.name, x, s.get(got), want)
				}
			}
		}
	}
}
