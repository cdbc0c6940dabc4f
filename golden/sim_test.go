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
