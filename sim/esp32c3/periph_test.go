package esp32c3

import (
	"encoding/xml"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gohal/gohal/rt/mmio"
)

// Helpers shared by the peripheral model tests. Tests drive the models the way firmware
// does: 32-bit loads and stores of register cells on the mmio bus.

func r32(addr uintptr) *mmio.U32 { return mmio.At[mmio.U32](addr) }

// periphLog sends the simulator's log to the test's log, shown when a test fails.
type periphLog struct {
	t testing.TB
}

func (l periphLog) Write(p []byte) (int, error) {
	l.t.Helper()
	l.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func newPeriphChip(t testing.TB) *Chip {
	t.Helper()
	c := New(Log(periphLog{t}))
	t.Cleanup(c.Close)
	return c
}

// runFor moves virtual time forward by d, running every event that falls due.
func runFor(c *Chip, d time.Duration) { c.Advance(d) }

// srcHigh reports the level of an interrupt-matrix source line, as firmware reads it
// from INTR_STATUS_REG_0/1.
func srcHigh(c *Chip, src Source) bool {
	return r32(0x600C_20F8+uintptr(src/32)*4).Load()>>(src%32)&1 != 0
}

func wantR32(t *testing.T, name string, addr uintptr, want uint32) {
	t.Helper()
	if got := r32(addr).Load(); got != want {
		t.Errorf("%s (%#x) = %#x, want %#x", name, addr, got, want)
	}
}

func TestTicksToDuration(t *testing.T) {
	cases := []struct {
		n, mul, hz uint64
		want       time.Duration
	}{
		{20, 5555, 32 * 40_000_000, 86797},              // 115200 8N1 frame, rounded up from 86796.875 ns
		{20_000, 2, 40_000_000, time.Millisecond},       // TIMG at 20 MHz
		{1, 1, 3, 333_333_334},                          // rounds up
		{1 << 40, 1 << 30, 1, time.Duration(1<<63 - 1)}, // saturates
	}
	for _, tc := range cases {
		if got := ticksToDuration(tc.n, tc.mul, tc.hz); got != tc.want {
			t.Errorf("ticksToDuration(%d, %d, %d) = %d, want %d", tc.n, tc.mul, tc.hz, got, tc.want)
		}
	}
	if got := durationToTicks(time.Millisecond, 40_000_000, 2); got != 20_000 {
		t.Errorf("durationToTicks(1ms, 40 MHz, /2) = %d, want 20000", got)
	}
	if got := durationToTicks(time.Millisecond-1, 40_000_000, 2); got != 19_999 {
		t.Errorf("durationToTicks(1ms-1ns, 40 MHz, /2) = %d, want 19999", got)
	}
}

func TestNarrowAccessesMergeIntoRegisters(t *testing.T) {
	newPeriphChip(t)
	conf1 := uartBases[0] + uartCONF1
	mmio.At[mmio.U8](conf1).Store(0x05) // RXFIFO_FULL_THRHD low byte
	wantR32(t, "UART0.CONF1 after byte store", conf1, 0xC005)
	if got := mmio.At[mmio.U16](conf1 + 2).Load(); got != 0 {
		t.Errorf("UART0.CONF1 high half = %#x, want 0", got)
	}
	// A byte write to the TX FIFO pushes one byte.
	mmio.At[mmio.U8](uartBases[0] + uartFIFO).Store('x')
	if got := r32(uartBases[0]+uartSTATUS).Load() >> 16 & 0x3FF; got != 0 {
		// the transmitter took the byte at once into its shift register
		t.Errorf("TXFIFO_CNT = %d after one byte with an idle transmitter, want 0", got)
	}
}

func TestUnmodelledRegistersReported(t *testing.T) {
	c := newPeriphChip(t)
	rs := r32(uartBases[1] + 0x4C) // RS485_CONF: kept as memory
	rs.Store(1)
	rs.Store(2)
	if rs.Load() != 2 {
		t.Fatalf("RS485_CONF does not behave as memory: %#x", rs.Load())
	}
	r32(uartBases[1] + uartCONF1).Store(1) // modelled: not reported
	got := c.UnmodelledAccesses()
	if len(got) != 1 || got[0] != uartBases[1]+0x4C {
		t.Errorf("unmodelled accesses = %#x, want only UART1.RS485_CONF", got)
	}
}

// svdRegs reads the reset values of a peripheral's registers from the vendor SVD.
type svdFile struct {
	Peripherals []struct {
		Name        string `xml:"name"`
		DerivedFrom string `xml:"derivedFrom,attr"`
		Registers   []struct {
			Name   string `xml:"name"`
			Offset string `xml:"addressOffset"`
			Reset  string `xml:"resetValue"`
			Dim    string `xml:"dim"`
			DimInc string `xml:"dimIncrement"`
		} `xml:"registers>register"`
	} `xml:"peripherals>peripheral"`
}

func parseNum(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(strings.TrimSpace(s), 0, 64)
	if err != nil {
		t.Fatalf("SVD number %q: %v", s, err)
	}
	return v
}

// TestResetValuesMatchSVD checks every register of the modelled blocks against the SVD's
// reset value, as firmware would read it right after reset.
func TestResetValuesMatchSVD(t *testing.T) {
	raw, err := os.ReadFile("../../../shared/svd/espressif/esp32c3.svd")
	if err != nil {
		t.Skipf("vendor SVD not available: %v", err)
	}
	var f svdFile
	if err := xml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("esp32c3.svd: %v", err)
	}
	newPeriphChip(t)
	bases := map[string]uintptr{
		"UART0": uartBases[0], "UART1": uartBases[1], "GPIO": gpioBase, "IO_MUX": iomuxBase,
		"I2C0": i2cBase, "SPI2": spiBase, "TIMG0": timgBases[0], "TIMG1": timgBases[1],
	}
	// Registers whose read is not a stored reset value: reading a FIFO window pops it, and
	// GPIO.IN is the live pad levels, which the IO_MUX reset pull-ups hold high.
	skip := map[string]bool{"UART.FIFO": true, "I2C.FIFO_DATA": true, "GPIO.IN": true}
	byName := map[string]int{}
	for i, p := range f.Peripherals {
		byName[p.Name] = i
	}
	checked := 0
	for name, base := range bases {
		p := f.Peripherals[byName[name]]
		if p.DerivedFrom != "" {
			p = f.Peripherals[byName[p.DerivedFrom]]
		}
		kind := strings.TrimRight(name, "01")
		for _, r := range p.Registers {
			if skip[kind+"."+r.Name] {
				continue
			}
			want := uint32(0)
			if r.Reset != "" {
				want = uint32(parseNum(t, r.Reset))
			}
			n, inc := uint64(1), uint64(0)
			if r.Dim != "" {
				n, inc = parseNum(t, r.Dim), parseNum(t, r.DimInc)
			}
			for i := uint64(0); i < n; i++ {
				addr := base + uintptr(parseNum(t, r.Offset)+i*inc)
				wantR32(t, name+"."+r.Name, addr, want)
				checked++
			}
		}
	}
	if checked < 300 {
		t.Errorf("checked only %d registers", checked)
	}
}
