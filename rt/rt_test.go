//go:build !tinygo

package rt_test

import (
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/host"
	"github.com/gohal/gohal/rt/mmio"
)

// The tests run firmware on a bare rt/host machine with one tiny peripheral: a block of
// "trigger" registers at trigBase, where writing 1 to word i raises interrupt source i and
// writing 0 lowers it. That keeps rt's tests independent of any chip model.

const trigBase = 0x6100_0000

type trigger struct{ m *host.Machine }

func (t trigger) Read(addr uintptr, size int) uint64 {
	if t.m.Source(int(addr-trigBase) / 4) {
		return 1
	}
	return 0
}

func (t trigger) Write(addr uintptr, size int, v uint64) {
	t.m.SetSource(int(addr-trigBase)/4, v&1 != 0)
	t.m.Poll() // as sim.Chip.Hook does: the interrupt is taken right after the write
}

type trigRegs struct{ Src [64]mmio.U32 }

var trig = mmio.At[trigRegs](trigBase)

// scratch is an unmodelled register: each access is just a preemption point.
var scratch = mmio.At[mmio.U32](0x6200_0000)

func run(t testing.TB, cfg host.Config, firmware func()) error {
	t.Helper()
	mmio.ResetMemory()
	m := host.New(cfg)
	unhook := mmio.Hook(trigBase, trigBase+0x100, trigger{m})
	defer unhook()
	return m.Run(firmware)
}

// journal is a log that thread code and handlers append to inside critical sections.
type journal struct{ entries []string }

func (j *journal) add(format string, args ...any) {
	rt.Critical(func() { j.entries = append(j.entries, fmt.Sprintf(format, args...)) })
}

func (j *journal) get() []string {
	var out []string
	rt.Critical(func() { out = append(out, j.entries...) })
	return out
}

func check(t *testing.T, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("order of events:\n got %q\nwant %q", got, want)
	}
}

func TestInterruptPreemptsThreadButNotCriticalSection(t *testing.T) {
	var j journal
	err := run(t, host.Config{}, func() {
		rt.Bind(5, func() {
			trig.Src[5].Store(0)
			j.add("handler in interrupt=%v", rt.InInterrupt())
		})
		rt.Enable(5, 1)

		cs := rt.EnterCritical()
		trig.Src[5].Store(1)
		j.add("raised inside critical section")
		for i := 0; i < 10; i++ {
			scratch.Load() // preemption points, all masked
		}
		inner := rt.EnterCritical() // nested: its Exit must not unmask
		inner.Exit()
		scratch.Load()
		j.add("still masked")
		cs.Exit() // the pending interrupt is taken here
		j.add("after exit")

		trig.Src[5].Store(1) // outside: taken right after the write
		j.add("after raise in thread mode, interrupt=%v", rt.InInterrupt())
	})
	if err != nil {
		t.Fatal(err)
	}
	check(t, j.entries, []string{
		"raised inside critical section",
		"still masked",
		"handler in interrupt=true",
		"after exit",
		"handler in interrupt=true",
		"after raise in thread mode, interrupt=false",
	})
}

func TestPrioritiesNest(t *testing.T) {
	var j journal
	err := run(t, host.Config{}, func() {
		rt.Bind(1, func() {
			trig.Src[1].Store(0)
			j.add("low start")
			trig.Src[3].Store(1) // higher: preempts at once
			j.add("low after raising high")
			trig.Src[4].Store(1) // same priority: waits until low returns
			j.add("low end")
		})
		rt.Bind(3, func() {
			trig.Src[3].Store(0)
			j.add("high start")
			trig.Src[2].Store(1) // middle: lower than high, higher than low
			j.add("high end")
		})
		rt.Bind(2, func() { trig.Src[2].Store(0); j.add("middle") })
		rt.Bind(4, func() { trig.Src[4].Store(0); j.add("low twin") })
		rt.Enable(1, 1)
		rt.Enable(4, 1)
		rt.Enable(2, 2)
		rt.Enable(3, 3)
		trig.Src[1].Store(1)
		j.add("thread")
	})
	if err != nil {
		t.Fatal(err)
	}
	check(t, j.entries, []string{
		"low start",
		"high start",
		"high end",
		"middle", // after high returns, the middle priority preempts low before low resumes
		"low after raising high",
		"low end",
		"low twin",
		"thread",
	})
}

func TestThresholdAndCPULines(t *testing.T) {
	var j journal
	err := run(t, host.Config{}, func() {
		rt.Bind(9, func() { trig.Src[9].Store(0); j.add("handler") })
		rt.Enable(9, 2)
		if n := rt.VectoredInterrupt(2); rt.CPUPriority(n) != 2 {
			j.add("line %d has priority %d", n, rt.CPUPriority(n))
		}
		rt.SetThreshold(3)
		trig.Src[9].Store(1)
		j.add("masked by threshold, pending=%v/%v", rt.SourcePending(9), rt.CPUPending(rt.VectoredInterrupt(2)))
		rt.DisableCPU(rt.VectoredInterrupt(2))
		rt.SetThreshold(0)
		scratch.Load()
		j.add("line disabled")
		rt.EnableCPU(rt.VectoredInterrupt(2)) // enabling is a preemption point
		j.add("end")
	})
	if err != nil {
		t.Fatal(err)
	}
	check(t, j.entries, []string{"masked by threshold, pending=true/true", "line disabled", "handler", "end"})
}

func TestWakeBetweenCheckAndWaitIsNotLost(t *testing.T) {
	// The interrupt arrives (virtual time passes the deadline during the register reads)
	// after the thread checked the flag and before it executes WFI. Inside a critical
	// section WFI returns because the interrupt is pending; the handler then runs at Exit.
	var flag atomic.Bool
	var m *host.Machine
	var checks int
	cfg := host.Config{OnTime: func() { m.SetSource(7, true); m.SetDeadline(-1) }}
	mmio.ResetMemory()
	m = host.New(cfg)
	defer mmio.Hook(trigBase, trigBase+0x100, trigger{m})()
	m.SetDeadline(time.Microsecond)
	err := m.Run(func() {
		rt.Bind(7, func() { trig.Src[7].Store(0); flag.Store(true) })
		rt.Enable(7, 1)
		for {
			cs := rt.EnterCritical()
			if flag.Load() {
				cs.Exit()
				break
			}
			checks++
			for i := 0; i < 100; i++ { // 5µs of register accesses: the deadline passes here
				scratch.Load()
			}
			rt.WaitForInterrupt()
			cs.Exit()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if checks != 1 {
		t.Fatalf("the flag was checked %d times; want 1 (the wake-up must not need a second round)", checks)
	}
}

func TestCheckThenWaitOutsideCriticalSectionLosesTheWake(t *testing.T) {
	// The wrong pattern, to show the previous test is not vacuous: checking the flag and
	// sleeping outside a critical section lets the handler run in between, and the core
	// sleeps forever.
	var flag atomic.Bool
	var m *host.Machine
	mmio.ResetMemory()
	m = host.New(host.Config{OnTime: func() { m.SetSource(7, true); m.SetDeadline(-1) }})
	defer mmio.Hook(trigBase, trigBase+0x100, trigger{m})()
	m.SetDeadline(time.Microsecond)
	err := m.Run(func() {
		rt.Bind(7, func() { trig.Src[7].Store(0); flag.Store(true) })
		rt.Enable(7, 1)
		for !flag.Load() {
			for i := 0; i < 100; i++ {
				scratch.Load() // the handler runs in here
			}
			rt.WaitForInterrupt()
		}
	})
	if !errors.Is(err, host.ErrIdle) {
		t.Fatalf("Run = %v; want ErrIdle (lost wake-up)", err)
	}
}

func TestTwoCoresCrossCoreInterrupts(t *testing.T) {
	var ready, pong atomic.Bool
	var pingCore, pongCore atomic.Int32
	err := run(t, host.Config{Cores: 2}, func() {
		if rt.NumCores() != 2 || rt.CoreID() != 0 {
			panic(fmt.Sprintf("NumCores=%d CoreID=%d", rt.NumCores(), rt.CoreID()))
		}
		rt.Bind(11, func() { trig.Src[11].Store(0); pongCore.Store(int32(rt.CoreID())); pong.Store(true) })
		rt.Enable(11, 1)
		if !rt.StartCore(1, func() {
			rt.Bind(10, func() {
				trig.Src[10].Store(0)
				pingCore.Store(int32(rt.CoreID()))
				trig.Src[11].Store(1) // answer core 0
			})
			rt.Enable(10, 1)
			ready.Store(true)
		}) {
			panic("StartCore(1) failed")
		}
		for !ready.Load() {
			scratch.Load() // busy-wait: time passes with each access
		}
		trig.Src[10].Store(1) // interrupt core 1
		for {
			cs := rt.EnterCritical()
			if pong.Load() {
				cs.Exit()
				break
			}
			rt.WaitForInterrupt()
			cs.Exit()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if pingCore.Load() != 1 || pongCore.Load() != 0 {
		t.Fatalf("core 1's handler ran on core %d, core 0's on core %d", pingCore.Load(), pongCore.Load())
	}
}

func TestCriticalSectionsExcludeOtherCores(t *testing.T) {
	const n = 2000
	counter := 0 // plain int: only the cross-core lock protects it (go test -race checks)
	var done atomic.Int32
	err := run(t, host.Config{Cores: 2}, func() {
		work := func() {
			for i := 0; i < n; i++ {
				rt.Critical(func() {
					v := counter
					scratch.Load() // a preemption point inside the section
					counter = v + 1
				})
			}
			done.Add(1)
		}
		rt.StartCore(1, work)
		work()
		for done.Load() < 2 {
			scratch.Load()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if counter != 2*n {
		t.Fatalf("counter = %d, want %d", counter, 2*n)
	}
}

func TestPanicReportsVirtualTime(t *testing.T) {
	err := run(t, host.Config{}, func() {
		rt.Bind(3, func() { panic("boom") })
		rt.Enable(3, 1)
		for i := 0; i < 20; i++ {
			scratch.Load()
		}
		trig.Src[3].Store(1)
	})
	var pe *host.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("Run = %v; want a PanicError", err)
	}
	if pe.Value != "boom" || pe.Core != 0 || pe.Context != "handler for CPU interrupt 17" || pe.Time != 21*50*time.Nanosecond {
		t.Fatalf("PanicError = core %d, %s, %v, %v", pe.Core, pe.Context, pe.Time, pe.Value)
	}
}

func TestUnboundSourceIsReported(t *testing.T) {
	err := run(t, host.Config{}, func() {
		rt.Enable(12, 4)
		trig.Src[12].Store(1)
	})
	var pe *host.PanicError
	if !errors.As(err, &pe) || pe.Context != "handler for CPU interrupt 20" {
		t.Fatalf("Run = %v; want a panic in the handler for line 20", err)
	}
}

func TestCyclesFollowVirtualTime(t *testing.T) {
	var c0, c1 uint32
	err := run(t, host.Config{CPUHz: 160_000_000}, func() {
		c0 = rt.Cycles()
		for i := 0; i < 1000; i++ {
			scratch.Load()
		}
		c1 = rt.Cycles()
	})
	if err != nil {
		t.Fatal(err)
	}
	// 1000 accesses at 50ns = 50µs = 8000 cycles at 160 MHz.
	if d := c1 - c0; d != 8000 {
		t.Fatalf("Cycles advanced by %d, want 8000", d)
	}
	if rt.CPUFrequency() != 0 {
		t.Fatal("CPUFrequency without a running machine should be 0")
	}
}

func TestSequentialMachines(t *testing.T) {
	for i := 0; i < 3; i++ {
		var hits atomic.Int32
		err := run(t, host.Config{}, func() {
			rt.Bind(1, func() { trig.Src[1].Store(0); hits.Add(1) })
			rt.Enable(1, 1)
			trig.Src[1].Store(1)
		})
		if err != nil || hits.Load() != 1 {
			t.Fatalf("run %d: err %v, %d handler runs", i, err, hits.Load())
		}
	}
}

func BenchmarkRegisterAccess(b *testing.B) {
	// A register load and a store on the simulated bus, with the CPU model's preemption
	// check before each: what every access of simulated firmware costs.
	err := run(b, host.Config{}, func() {
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			scratch.Store(scratch.Load() + 1)
		}
		b.StopTimer()
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N), "ns/access")
}

func BenchmarkInterruptLatency(b *testing.B) {
	// From the write that raises a source to the first instruction of its handler, in host
	// time: the core hands itself over to the handler's goroutine.
	var total time.Duration
	var t0 time.Time
	err := run(b, host.Config{}, func() {
		rt.Bind(1, func() {
			total += time.Since(t0)
			trig.Src[1].Store(0)
		})
		rt.Enable(1, 1)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t0 = time.Now()
			trig.Src[1].Store(1)
		}
		b.StopTimer()
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/raise-to-handler")
}

// Unbind disconnects the source and forgets its handler: the source no longer interrupts,
// and a later Enable without a Bind finds no handler (the stale one never runs).
func TestUnbindDisconnectsAndForgetsTheHandler(t *testing.T) {
	var j journal
	err := run(t, host.Config{}, func() {
		rt.Bind(9, func() { trig.Src[9].Store(0); j.add("handler") })
		rt.Enable(9, 2)
		trig.Src[9].Store(1)
		rt.Unbind(9)
		j.add(fmt.Sprintf("mapped to line %d", host.CurrentCore().SourceLine(9)))
		trig.Src[9].Store(1) // disconnected: no interrupt
		j.add("raised while unbound")
		trig.Src[9].Store(0)
		rt.Enable(9, 2)
		trig.Src[9].Store(1) // routed again, but nothing is bound
	})
	var pe *host.PanicError
	require.ErrorAs(t, err, &pe, "the stale handler ran after Unbind")
	assert.Equal(t, "handler for CPU interrupt 18", pe.Context)
	check(t, j.get(), []string{"handler", "mapped to line 0", "raised while unbound"})
}

// A core holds rt.MaxBound handlers, as the chip's table does: rebinding a bound source
// and binding after an Unbind work, one source more panics naming the limit.
func TestBindHoldsMaxBoundHandlers(t *testing.T) {
	var rebound, afterUnbind bool
	err := run(t, host.Config{}, func() {
		for src := rt.Source(0); src < rt.MaxBound; src++ {
			rt.Bind(src, func() {})
		}
		rt.Bind(3, func() {}) // already bound: replaced, not added
		rebound = true
		rt.Unbind(5)
		rt.Bind(40, func() {}) // the freed place
		afterUnbind = true
		rt.Bind(41, func() {})
	})
	require.True(t, rebound)
	require.True(t, afterUnbind)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rt.MaxBound (24) sources already bound on this core: Unbind one first")
}
