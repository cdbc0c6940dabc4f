package esp32c3

import (
	"io"
	"sync/atomic"
	"testing"

	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/mmio"
)

func TestFromCPUIsALevelHeldUntilReset(t *testing.T) {
	c := New(Log(io.Discard))
	defer c.Close()
	for n := 0; n < 4; n++ {
		src := int(SourceFromCPU0) + n
		sysFromCPU[n].Store(0xFF) // only bit 0 exists
		if sysFromCPU[n].Load() != 1 || !c.Machine().Source(src) {
			t.Fatalf("FROM_CPU_INTR%d: reg %#x, source %v", n, sysFromCPU[n].Load(), c.Machine().Source(src))
		}
		if im0.Status[1].Load()&(1<<(src-32)) == 0 {
			t.Fatalf("FROM_CPU_INTR%d not in INTR_STATUS_REG_1", n)
		}
		sysFromCPU[n].Store(0)
		if c.Machine().Source(src) {
			t.Fatalf("FROM_CPU_INTR%d still high after writing 0", n)
		}
	}
}

func TestFromCPURaisesAHandlerThatResetsIt(t *testing.T) {
	c := New(Log(io.Discard))
	runs := 0
	err := c.Run(func() {
		rt.Bind(rt.Source(SourceFromCPU0+2), func() {
			runs++
			sysFromCPU[2].Store(0) // handlers must reset the level
		})
		rt.Enable(rt.Source(SourceFromCPU0+2), 3)
		if im0.Map[SourceFromCPU0+2].Load() != 19 || im0.Pri[19].Load() != 3 || im0.Enable.Load()&(1<<19) == 0 {
			panic("rt.Enable did not show in INTERRUPT_CORE0")
		}
		for i := 0; i < 5; i++ {
			sysFromCPU[2].Store(1) // taken right after the write, as esp-hal's raise expects
		}
		rt.Critical(func() {
			if runs != 5 {
				panic("handler did not run after each raise")
			}
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCrossCoreSoftwareInterrupts(t *testing.T) {
	// Two cores, each with its own matrix (core 1's at +0x800): core 0 raises FROM_CPU_INTR1,
	// which core 1 has enabled; core 1's handler answers with FROM_CPU_INTR0 on core 0.
	c := New(Log(io.Discard), Cores(2))
	im1 := mmio.At[imRegs](intMatrixBase + intMatrixSize)
	var ready, answered atomic.Bool
	var ranOn atomic.Int32
	ranOn.Store(-1)
	err := c.Run(func() {
		rt.Bind(rt.Source(SourceFromCPU0), func() {
			sysFromCPU[0].Store(0)
			answered.Store(true)
		})
		rt.Enable(rt.Source(SourceFromCPU0), 1)
		rt.StartCore(1, func() {
			rt.Bind(rt.Source(SourceFromCPU0+1), func() {
				sysFromCPU[1].Store(0)
				ranOn.Store(int32(rt.CoreID()))
				sysFromCPU[0].Store(1)
			})
			rt.Enable(rt.Source(SourceFromCPU0+1), 2)
			ready.Store(true)
		})
		for !ready.Load() {
			sysFromCPU[3].Load() // busy-wait; each access is a preemption point
		}
		if im1.Map[SourceFromCPU0+1].Load() != 18 || im0.Map[SourceFromCPU0+1].Load() != 0 {
			panic("core 1's enable must route to core 1's matrix only")
		}
		sysFromCPU[1].Store(1)
		for {
			cs := rt.EnterCritical()
			done := answered.Load()
			if !done {
				rt.WaitForInterrupt()
			}
			cs.Exit()
			if done {
				break
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if ranOn.Load() != 1 {
		t.Fatalf("FROM_CPU_INTR1 handler ran on core %d, want 1", ranOn.Load())
	}
}
