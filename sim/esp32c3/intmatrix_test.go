package esp32c3

import (
	"io"
	"testing"

	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/mmio"
)

// imRegs is INTERRUPT_CORE0 as raw registers (esp32c3-facts.md §1).
type imRegs struct {
	Map    [62]mmio.U32
	Status [2]mmio.U32
	Gate   mmio.U32
	Enable mmio.U32
	Type   mmio.U32
	Clear  mmio.U32
	EIP    mmio.U32
	Pri    [32]mmio.U32
	Thresh mmio.U32
}

var im0 = mmio.At[imRegs](intMatrixBase)

// sysFromCPU are SYSTEM.CPU_INTR_FROM_CPU_0..3.
var sysFromCPU = mmio.At[[4]mmio.U32](systemBase + sysFromCPU0)

func TestIntMatrixRegistersAreTheControllerState(t *testing.T) {
	c := New(Log(io.Discard))
	defer c.Close()
	core := c.Machine().Core(0)

	im0.Map[SourceUART0].Store(0x3F) // 5-bit field
	if got := core.SourceLine(int(SourceUART0)); got != 0x1F {
		t.Fatalf("UART0 map = %d, want 31", got)
	}
	im0.Pri[5].Store(0x1A) // 4-bit field
	im0.Thresh.Store(3)
	im0.Enable.Store(1<<5 | 1) // line 0 does not exist
	im0.Type.Store(1 << 5)
	if core.Priority(5) != 0xA || core.Threshold() != 3 || core.Enabled() != 1<<5 || core.Edge() != 1<<5 {
		t.Fatalf("controller: pri %d thresh %d enable %#x edge %#x", core.Priority(5), core.Threshold(), core.Enabled(), core.Edge())
	}
	if im0.Map[SourceUART0].Load() != 0x1F || im0.Pri[5].Load() != 0xA || im0.Enable.Load() != 1<<5 {
		t.Fatal("registers do not read back the controller state")
	}

	// INTR_STATUS shows raw source levels, mapped or not; read-only.
	c.Lock()
	c.SetSourceLevel(SourceFromCPU0+1, true) // source 51: word 1, bit 19
	c.SetSourceLevel(SourceGPIO, true)
	c.Unlock()
	if s0, s1 := im0.Status[0].Load(), im0.Status[1].Load(); s0 != 1<<16 || s1 != 1<<19 {
		t.Fatalf("INTR_STATUS = %#x %#x", s0, s1)
	}
	im0.Status[0].Store(0)
	if im0.Status[0].Load() != 1<<16 {
		t.Fatal("INTR_STATUS is read-only")
	}

	// An edge line latches the rising edge of its level and keeps it until CPU_INT_CLEAR.
	im0.Map[SourceGPIO].Store(5)
	if im0.EIP.Load() != 1<<5 {
		t.Fatalf("EIP = %#x after the mapped source rose", im0.EIP.Load())
	}
	c.Lock()
	c.SetSourceLevel(SourceGPIO, false)
	c.Unlock()
	if im0.EIP.Load() != 1<<5 {
		t.Fatal("edge latch lost when the source fell")
	}
	im0.Clear.Store(1 << 5) // one write of 1 clears (esp-hal leaves it at 1; TinyGo writes 0 after)
	if im0.EIP.Load() != 0 || im0.Clear.Load() != 1<<5 {
		t.Fatalf("after CLEAR: EIP %#x, CLEAR reads %#x", im0.EIP.Load(), im0.Clear.Load())
	}
	// A level line follows its source.
	im0.Type.Store(0)
	c.Lock()
	c.SetSourceLevel(SourceGPIO, true)
	c.Unlock()
	if im0.EIP.Load() != 1<<5 {
		t.Fatal("level line not pending while its source is high")
	}
}

func TestIntMatrixPriorityAndThresholdDecideWhatRuns(t *testing.T) {
	c := New(Log(io.Discard))
	var order []int
	err := c.Run(func() {
		// Configure by registers only, the way TinyGo's own drivers do; rt.Bind supplies the
		// handlers the dispatcher calls for each source.
		for n, src := range []Source{SourceFromCPU0, SourceFromCPU0 + 1, SourceFromCPU0 + 2} {
			n, src := n, src
			rt.Bind(rt.Source(src), func() {
				sysFromCPU[n].Store(0)
				order = append(order, n)
			})
		}
		im0.Map[SourceFromCPU0].Store(3)   // line 3, priority 2
		im0.Map[SourceFromCPU0+1].Store(4) // line 4, priority 5
		im0.Map[SourceFromCPU0+2].Store(6) // line 6, priority 1: below the threshold
		im0.Pri[3].Store(2)
		im0.Pri[4].Store(5)
		im0.Pri[6].Store(1)
		im0.Thresh.Store(2)
		cs := rt.EnterCritical()
		sysFromCPU[0].Store(1)
		sysFromCPU[1].Store(1)
		sysFromCPU[2].Store(1)
		im0.Enable.Store(1<<3 | 1<<4 | 1<<6)
		cs.Exit() // both eligible lines are pending: highest priority first
		cs = rt.EnterCritical()
		order = append(order, -1)
		cs.Exit()
		im0.Thresh.Store(0) // lowering the threshold lets line 6 in
		cs = rt.EnterCritical()
		order = append(order, -2)
		cs.Exit()
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []int{1, 0, -1, 2, -2}
	if len(order) != len(want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
}
