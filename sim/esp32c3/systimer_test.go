package esp32c3

import (
	"io"
	"testing"
	"time"

	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/mmio"
)

// stRegs is SYSTIMER as raw registers (esp32c3-facts.md §3).
type stRegs struct {
	Conf       mmio.U32
	UnitOp     [2]mmio.U32
	UnitLoad   [2]struct{ Hi, Lo mmio.U32 }
	Target     [3]struct{ Hi, Lo mmio.U32 }
	TargetConf [3]mmio.U32
	Value      [2]struct{ Hi, Lo mmio.U32 }
	CompLoad   [3]mmio.U32
	UnitLoadGo [2]mmio.U32
	IntEna     mmio.U32
	IntRaw     mmio.U32
	IntClr     mmio.U32
	IntSt      mmio.U32
}

var st = mmio.At[stRegs](systimerBase)

// readUnit reads a counter the way esp-hal and ESP-IDF do: UPDATE, wait for VALUE_VALID,
// then LO, HI, LO until the two LO reads agree.
func readUnit(u int) uint64 {
	st.UnitOp[u].Store(stOpUpdate)
	for st.UnitOp[u].Load()&stOpValid == 0 {
	}
	for {
		lo := st.Value[u].Lo.Load()
		hi := st.Value[u].Hi.Load()
		if st.Value[u].Lo.Load() == lo {
			return uint64(hi)<<32 | uint64(lo)
		}
	}
}

// oneShot arms comparator k at absolute counter value target, as esp-hal's schedule does.
func oneShot(k int, target uint64) {
	st.Conf.Store(st.Conf.Load() &^ (stTargetWorkEn0 >> k))
	st.IntClr.Store(1 << k)
	st.TargetConf[k].Store(0)
	st.Target[k].Hi.Store(uint32(target >> 32))
	st.Target[k].Lo.Store(uint32(target))
	st.CompLoad[k].Store(1)
	st.Conf.Store(st.Conf.Load() | stTargetWorkEn0>>k)
}

func TestSystimerCountsAt16MHz(t *testing.T) {
	c := New(Log(io.Discard))
	defer c.Close()
	if st.Conf.Load() != stConfReset {
		t.Fatalf("CONF reset %#x", st.Conf.Load())
	}
	c.Advance(time.Millisecond)
	if v := readUnit(0); v != 16000 {
		t.Fatalf("unit0 after 1ms = %d, want 16000", v)
	}
	if v := readUnit(1); v != 0 {
		t.Fatalf("unit1 is stopped at reset but reads %d", v)
	}
	// Load unit1 with a 52-bit value and start it.
	st.UnitLoad[1].Hi.Store(0xFFFFF)
	st.UnitLoad[1].Lo.Store(0xFFFF_FF00)
	st.UnitLoadGo[1].Store(1)
	st.Conf.Store(st.Conf.Load() | stUnitWorkEn0>>1)
	c.Advance(16 * time.Microsecond) // 256 ticks: wraps at 52 bits
	if v := readUnit(1); v != 0 {
		t.Fatalf("unit1 = %#x, want the 52-bit wrap to 0", v)
	}
	// Stopping freezes the value; starting resumes from it.
	st.Conf.Store(st.Conf.Load() &^ stUnitWorkEn0)
	c.Advance(time.Millisecond)
	if v := readUnit(0); v != 16000+256 {
		t.Fatalf("stopped unit0 = %d", v)
	}
	st.Conf.Store(st.Conf.Load() | stUnitWorkEn0)
	c.Advance(time.Microsecond)
	if v := readUnit(0); v != 16000+256+16 {
		t.Fatalf("restarted unit0 = %d", v)
	}
}

func TestSystimerTargetFiresAtTheRightTime(t *testing.T) {
	c := New(Log(io.Discard))
	defer c.Close()
	st.IntEna.Store(1)
	oneShot(0, 16000) // 1ms
	c.Advance(time.Millisecond - 63*time.Nanosecond)
	if st.IntRaw.Load() != 0 || c.Machine().Source(int(SourceSystimerTarget0)) {
		t.Fatalf("fired early at %v", c.Now())
	}
	c.Advance(63 * time.Nanosecond)
	if st.IntRaw.Load() != 1 || st.IntSt.Load() != 1 || !c.Machine().Source(int(SourceSystimerTarget0)) {
		t.Fatalf("not fired at %v: raw %#x", c.Now(), st.IntRaw.Load())
	}
	// Target mode fires once; INT_CLR is write-1-to-clear and drops the line.
	st.IntClr.Store(0)
	if st.IntRaw.Load() != 1 {
		t.Fatal("writing 0 to INT_CLR cleared")
	}
	st.IntClr.Store(1)
	c.Advance(time.Millisecond)
	if st.IntRaw.Load() != 0 || c.Machine().Source(int(SourceSystimerTarget0)) {
		t.Fatal("target mode fired twice")
	}
	// A target already in the past fires as soon as it is loaded.
	oneShot(1, 5)
	if st.IntRaw.Load() != 2 {
		t.Fatalf("past target: raw %#x", st.IntRaw.Load())
	}
	// INT_ENA gates only the line, not the raw bit.
	if c.Machine().Source(int(SourceSystimerTarget0) + 1) {
		t.Fatal("comparator 1's line is high with INT_ENA clear")
	}
}

func TestSystimerPeriodMode(t *testing.T) {
	c := New(Log(io.Discard))
	defer c.Close()
	fired := 0
	c.Schedule(0, func() {}) // nothing: make sure unrelated events do not disturb
	st.TargetConf[2].Store(stPeriodMode | 16000)
	st.CompLoad[2].Store(1)
	st.Conf.Store(st.Conf.Load() | stTargetWorkEn0>>2)
	for i := 0; i < 10; i++ {
		c.Advance(time.Millisecond)
		if st.IntRaw.Load()&4 != 0 {
			fired++
			st.IntClr.Store(4)
		}
	}
	if fired != 10 {
		t.Fatalf("period mode fired %d times in 10 periods", fired)
	}
}

func TestSystimerAlarmInterruptInFirmware(t *testing.T) {
	c := New(Log(io.Discard))
	var at []time.Duration
	var target uint64
	err := c.Run(func() {
		rt.Bind(rt.Source(SourceSystimerTarget0), func() {
			at = append(at, c.Now())
			st.IntClr.Store(1)
		})
		rt.Enable(rt.Source(SourceSystimerTarget0), 1)
		st.IntEna.Store(1)
		for i := 0; i < 3; i++ {
			target = readUnit(0) + 16_000_000 // one second from now
			oneShot(0, target)
			n := len(at)
			for {
				cs := rt.EnterCritical()
				done := len(at) > n
				if !done {
					rt.WaitForInterrupt()
				}
				cs.Exit()
				if done {
					break
				}
			}
			if want := timeOfTick(target); at[i] != want {
				panic("alarm " + at[i].String() + ", want " + want.String())
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(at) != 3 || at[2] < 3*time.Second {
		t.Fatalf("alarms at %v", at)
	}
}

// BenchmarkVirtualSecondOfTimers runs one virtual second of a 1 kHz SYSTIMER alarm
// interrupt per iteration: the firmware sleeps in WFI, each alarm wakes it, the handler
// clears the interrupt. ns/op is the host time one simulated second takes.
func BenchmarkVirtualSecondOfTimers(b *testing.B) {
	c := New(Log(io.Discard))
	ticks := 0
	err := c.Run(func() {
		rt.Bind(rt.Source(SourceSystimerTarget0), func() {
			st.IntClr.Store(1)
			ticks++
		})
		rt.Enable(rt.Source(SourceSystimerTarget0), 1)
		st.IntEna.Store(1)
		st.TargetConf[0].Store(stPeriodMode | 16000)
		st.CompLoad[0].Store(1)
		st.Conf.Store(st.Conf.Load() | stTargetWorkEn0)
		b.ResetTimer()
		for want := 1000 * b.N; ; {
			cs := rt.EnterCritical()
			n := ticks
			if n < want {
				rt.WaitForInterrupt()
			}
			cs.Exit()
			if n >= want {
				break
			}
		}
		b.StopTimer()
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e9, "real-s/virtual-s")
}
