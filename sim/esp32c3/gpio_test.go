package esp32c3

import (
	"testing"
	"time"
)

func gpioPinReg(n int) uintptr    { return gpioBase + gpioPIN0 + uintptr(4*n) }
func gpioOutSel(n int) uintptr    { return gpioBase + gpioFUNCOUT0 + uintptr(4*n) }
func ioMuxReg(n int) uintptr      { return iomuxBase + iomuxGPIO0 + uintptr(4*n) }
func pinIntCfg(typ uint32) uint32 { return typ<<7 | 1<<10 | gpioPinIntCPU } // esp-hal listen()

// gpioOutput configures pad n as esp-hal's Output does: GPIO function, simple output.
func gpioOutput(n int) {
	r32(gpioBase + gpioENABLEW1TC).Store(1 << n)
	r32(gpioOutSel(n)).Store(gpioOutSelGPIO)
	r32(ioMuxReg(n)).Store(1<<12 | 2<<10) // MCU_SEL = 1, FUN_DRV = 2, FUN_IE = 0
	r32(gpioBase + gpioENABLEW1TS).Store(1 << n)
}

// gpioInput configures pad n as an input with the given pulls.
func gpioInput(n int, pullUp, pullDown bool) {
	r32(gpioBase + gpioENABLEW1TC).Store(1 << n)
	v := uint32(1<<12 | ioMuxFunIE)
	if pullUp {
		v |= ioMuxFunWPU
	}
	if pullDown {
		v |= ioMuxFunWPD
	}
	r32(ioMuxReg(n)).Store(v)
}

func TestGPIOOutputLatchAndAliases(t *testing.T) {
	c := newPeriphChip(t)
	g := c.GPIO()
	gpioOutput(5)
	gpioOutput(6)
	w := g.Watch(5)
	out := r32(gpioBase + gpioOUT)

	r32(gpioBase + gpioOUTW1TS).Store(1<<5 | 1<<6)
	if out.Load() != 1<<5|1<<6 || !g.Level(5) || !g.Level(6) {
		t.Fatalf("after OUT_W1TS: OUT = %#x, pads %v %v", out.Load(), g.Level(5), g.Level(6))
	}
	runFor(c, 250*time.Microsecond)
	r32(gpioBase + gpioOUTW1TC).Store(1 << 5)
	if out.Load() != 1<<6 || g.Level(5) || !g.Level(6) {
		t.Fatalf("after OUT_W1TC of pin 5: OUT = %#x, pads %v %v", out.Load(), g.Level(5), g.Level(6))
	}
	if got := r32(gpioBase + gpioOUTW1TS).Load(); got != 0 {
		t.Errorf("OUT_W1TS reads %#x, want 0 (write-only)", got)
	}
	// Disabling the output driver leaves the pad to its pull: IO_MUX reset pulls up, but
	// the output configuration above cleared FUN_WPU, so the pad keeps its last level.
	r32(gpioBase + gpioENABLEW1TC).Store(1 << 6)
	if !g.Level(6) {
		t.Error("a released floating pad should keep its last level")
	}
	want := []Edge{{5, true, 0}, {5, false, 250 * time.Microsecond}}
	got := w.Edges()
	if len(got) != len(want) {
		t.Fatalf("edges = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("edge %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestGPIOInputLevelsPullsAndInputEnable(t *testing.T) {
	c := newPeriphChip(t)
	g := c.GPIO()
	in := r32(gpioBase + gpioIN)
	// At reset every IO_MUX pad has FUN_WPU and FUN_IE set (SVD reset 0xB00).
	if in.Load()&gpioMask != gpioMask {
		t.Errorf("IN at reset = %#x, want every pad high through its pull-up", in.Load())
	}
	gpioInput(3, false, true)
	if in.Load()&(1<<3) != 0 {
		t.Error("pad 3 with a pull-down reads high")
	}
	g.Drive(3, true)
	if in.Load()&(1<<3) == 0 {
		t.Error("pad 3 driven high reads low")
	}
	// With the input buffer off the pad still has a level, but IN reads 0 (ESP-IDF's
	// gpio_get_level documents 0 for pads not configured as inputs).
	r32(ioMuxReg(3)).Store(1 << 12)
	if in.Load()&(1<<3) != 0 || !g.Level(3) {
		t.Errorf("FUN_IE = 0: IN bit = %d, pad level = %v; want 0 and high", in.Load()>>3&1, g.Level(3))
	}
	g.Release(3)
	gpioInput(3, true, false)
	if in.Load()&(1<<3) == 0 {
		t.Error("released pad with pull-up reads low")
	}
}

func TestGPIOOpenDrain(t *testing.T) {
	c := newPeriphChip(t)
	g := c.GPIO()
	gpioOutput(8)
	r32(ioMuxReg(8)).Store(1<<12 | ioMuxFunIE | ioMuxFunWPU)
	r32(gpioPinReg(8)).Store(gpioPinOpenDrn)
	r32(gpioBase + gpioOUTW1TS).Store(1 << 8)
	if !g.Level(8) {
		t.Error("open drain writing 1 should release the line to its pull-up")
	}
	g.Drive(8, false) // another device pulls the shared line low
	if g.Level(8) || r32(gpioBase+gpioIN).Load()&(1<<8) != 0 {
		t.Error("a released open-drain line must follow the outside world")
	}
	g.Release(8)
	r32(gpioBase + gpioOUTW1TC).Store(1 << 8)
	if g.Level(8) {
		t.Error("open drain writing 0 should pull the line low")
	}
}

func TestGPIOEdgeInterrupt(t *testing.T) {
	c := newPeriphChip(t)
	g := c.GPIO()
	gpioInput(9, true, false)
	status := r32(gpioBase + gpioSTATUS)
	pcpu := r32(gpioBase + gpioPCPUINT)

	r32(gpioBase + gpioSTATUSW1TC).Store(1 << 9)
	r32(gpioPinReg(9)).Store(pinIntCfg(gpioIntFalling))
	if status.Load() != 0 || srcHigh(c, SourceGPIO) {
		t.Fatal("listening alone must not raise the interrupt")
	}
	g.Drive(9, true) // rising: not the listened edge
	if status.Load() != 0 {
		t.Fatalf("rising edge latched STATUS = %#x for a falling-edge pin", status.Load())
	}
	g.Drive(9, false)
	if status.Load() != 1<<9 || pcpu.Load() != 1<<9 || !srcHigh(c, SourceGPIO) {
		t.Fatalf("falling edge: STATUS = %#x PCPU_INT = %#x line = %v", status.Load(), pcpu.Load(), srcHigh(c, SourceGPIO))
	}
	// The edge is latched: it stays pending while the pad stays low, until W1TC.
	r32(gpioBase + gpioSTATUSW1TC).Store(1 << 9)
	if status.Load() != 0 || srcHigh(c, SourceGPIO) {
		t.Fatal("STATUS_W1TC did not clear the edge interrupt")
	}
	// Without the CPU enable bit STATUS still latches, but nothing reaches the CPU.
	r32(gpioPinReg(9)).Store(gpioIntAnyEdge << 7)
	g.Drive(9, true)
	if status.Load() != 1<<9 || pcpu.Load() != 0 || srcHigh(c, SourceGPIO) {
		t.Fatalf("INT_ENA = 0: STATUS = %#x PCPU_INT = %#x line = %v", status.Load(), pcpu.Load(), srcHigh(c, SourceGPIO))
	}
	r32(gpioPinReg(9)).Store(pinIntCfg(gpioIntAnyEdge))
	if !srcHigh(c, SourceGPIO) {
		t.Fatal("enabling the CPU interrupt on a pending pin should raise the line")
	}
	r32(gpioBase + gpioSTATUSW1TC).Store(1 << 9)
	if srcHigh(c, SourceGPIO) {
		t.Fatal("line still high after W1TC")
	}
}

func TestGPIOLevelInterruptHoldsWhileLevelHolds(t *testing.T) {
	c := newPeriphChip(t)
	g := c.GPIO()
	gpioInput(4, true, false)
	r32(gpioPinReg(4)).Store(pinIntCfg(gpioIntLow))
	status := r32(gpioBase + gpioSTATUS)
	if status.Load() != 0 {
		t.Fatal("low-level interrupt pending while the pad is high")
	}
	g.Drive(4, false)
	r32(gpioBase + gpioSTATUSW1TC).Store(1 << 4)
	if status.Load() != 1<<4 || !srcHigh(c, SourceGPIO) {
		t.Fatal("a low-level interrupt must re-assert while the pad stays low")
	}
	g.Drive(4, true)
	r32(gpioBase + gpioSTATUSW1TC).Store(1 << 4)
	if status.Load() != 0 || srcHigh(c, SourceGPIO) {
		t.Fatal("clearing after the level went away must leave the interrupt clear")
	}
}

func TestGPIOMatrixPeripheralAndIOMuxFunctions(t *testing.T) {
	c := newPeriphChip(t)
	g := c.GPIO()
	// GPIO21's reset function is U0TXD: the pad shows the UART's idle-high line.
	if !g.Level(21) {
		t.Error("GPIO21 (U0TXD at reset) should idle high")
	}
	// A pad routed through the matrix to FSPICS0 (signal 68) shows an inactive CS.
	r32(ioMuxReg(2)).Store(1<<12 | ioMuxFunIE)
	r32(gpioOutSel(2)).Store(68)
	g.Drive(2, false)
	if !g.Level(2) {
		t.Error("GPIO2 routed to FSPICS0 should be driven inactive-high")
	}
	// Inverting the output.
	r32(gpioOutSel(2)).Store(68 | gpioOutSelInv)
	if g.Level(2) {
		t.Error("OUT_INV_SEL should invert the routed signal")
	}
	// A pad whose IO_MUX function is not GPIO ignores the OUT register.
	r32(ioMuxReg(14)).Store(0) // function 0 of GPIO14 is the flash interface
	r32(gpioBase + gpioENABLEW1TS).Store(1 << 14)
	r32(gpioBase + gpioOUTW1TC).Store(1 << 14)
	g.Drive(14, true)
	if !g.Level(14) {
		t.Error("GPIO14 under function 0 must not be driven by the GPIO matrix")
	}
}

func TestGPIOPinsOutOfRangePanic(t *testing.T) {
	c := newPeriphChip(t)
	defer func() {
		if recover() == nil {
			t.Error("Drive(22) should panic: the ESP32-C3 has GPIO0..21")
		}
	}()
	c.GPIO().Drive(22, true)
}

func BenchmarkGPIOToggle(b *testing.B) {
	newPeriphChip(b)
	gpioOutput(7)
	set, clr := r32(gpioBase+gpioOUTW1TS), r32(gpioBase+gpioOUTW1TC)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		set.Store(1 << 7)
		clr.Store(1 << 7)
	}
}

func TestGPIOReleaseAtFallsBackToThePull(t *testing.T) {
	c := newPeriphChip(t)
	g := c.GPIO()
	gpioInput(9, true, false) // a button to ground with the pad's pull-up
	w := g.Watch(9)
	g.DriveAt(time.Millisecond, 9, false) // pressed
	g.ReleaseAt(3*time.Millisecond, 9)    // released: the pull-up takes the pad high
	runFor(c, 5*time.Millisecond)
	want := []Edge{{9, false, time.Millisecond}, {9, true, 3 * time.Millisecond}}
	got := w.Edges()
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("edges = %v, want %v", got, want)
	}
}

func TestGPIOOUTWritesCountsOnlyDirectWrites(t *testing.T) {
	c := newPeriphChip(t)
	g := c.GPIO()
	gpioOutput(4)
	r32(gpioBase + gpioOUTW1TS).Store(1 << 4)
	r32(gpioBase + gpioOUTW1TC).Store(1 << 4)
	if n := g.OUTWrites(); n != 0 {
		t.Fatalf("OUTWrites after alias writes = %d, want 0", n)
	}
	r32(gpioBase + gpioOUT).Store(1 << 4)
	if n := g.OUTWrites(); n != 1 || !g.Level(4) {
		t.Fatalf("OUTWrites = %d, pad %v; want 1, high", n, g.Level(4))
	}
}
