package esp32c3

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/host"
	"github.com/gohal/gohal/rt/mmio"
)

func TestPanicIsReportedWithVirtualTime(t *testing.T) {
	c := New(Log(io.Discard))
	err := c.Run(func() {
		rt.Bind(rt.Source(SourceSystimerTarget0), func() { panic("alarm handler failed") })
		rt.Enable(rt.Source(SourceSystimerTarget0), 2)
		st.IntEna.Store(1)
		oneShot(0, 16000*250) // 250ms
		for {
			rt.WaitForInterrupt()
		}
	})
	var pe *host.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("Run = %v, want a panic report", err)
	}
	if pe.Value != "alarm handler failed" || pe.Time != 250*time.Millisecond || pe.Context != "handler for CPU interrupt 18" {
		t.Fatalf("panic report: %q at %v in %s", pe.Value, pe.Time, pe.Context)
	}
	if !strings.Contains(err.Error(), "250ms") {
		t.Fatalf("message %q does not give the virtual time", err)
	}
}

func TestTimeoutAndIdleStopTheRun(t *testing.T) {
	err := New(Log(io.Discard), Timeout(2*time.Second)).Run(func() {
		st.TargetConf[0].Store(stPeriodMode | 16000) // a periodic alarm keeps time moving
		st.CompLoad[0].Store(1)
		st.Conf.Store(st.Conf.Load() | stTargetWorkEn0)
		for {
			rt.WaitForInterrupt()
			st.IntClr.Store(1)
		}
	})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Run = %v, want ErrTimeout", err)
	}

	c := New(Log(io.Discard))
	err = c.Run(func() { rt.WaitForInterrupt() })
	if !errors.Is(err, ErrIdle) {
		t.Fatalf("Run = %v, want ErrIdle", err)
	}

	// The time limit is no event that could wake the firmware: idle is idle, at once.
	c = New(Log(io.Discard), Timeout(time.Hour))
	err = c.Run(func() { rt.WaitForInterrupt() })
	if !errors.Is(err, ErrIdle) || c.Now() != 0 {
		t.Fatalf("with Timeout: Run = %v at %v, want ErrIdle at 0", err, c.Now())
	}
}

func TestUnmodelledRegistersAreLoggedOnce(t *testing.T) {
	var log bytes.Buffer
	c := New(Log(&log))
	ledc := mmio.At[[4]mmio.U32](0x6002_D000) // I2S0: no model
	err := c.Run(func() {
		ledc[1].Store(7)
		ledc[1].Store(8)
		if ledc[1].Load() != 8 {
			panic("unmodelled register does not behave as memory")
		}
		mmio.At[mmio.U32](systimerBase + 0xFC).Load() // SYSTIMER DATE: in a model, not modelled
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "I2S0+0x4 (0x6002d004) written") || !strings.Contains(lines[1], "SYSTIMER+0xfc") {
		t.Fatalf("log:\n%s", log.String())
	}
	if got := c.UnmodelledAccesses(); len(got) != 2 || got[1] != 0x6002_D004 {
		t.Fatalf("UnmodelledAccesses = %#x", got)
	}
}

func TestChipsRunOneAfterAnother(t *testing.T) {
	for i := 0; i < 3; i++ {
		c := New(Log(io.Discard))
		var v uint64
		err := c.Run(func() {
			if st.IntRaw.Load() != 0 || sysFromCPU[0].Load() != 0 {
				panic("state leaked from the previous chip")
			}
			sysFromCPU[0].Store(1)
			oneShot(0, 0)
			v = readUnit(0)
		})
		if err != nil {
			t.Fatal(err)
		}
		if v == 0 || v > 1000 {
			t.Fatalf("run %d: unit0 read %d", i, v)
		}
	}
}

func TestSchedulingFromOutsideAndAdvance(t *testing.T) {
	c := New(Log(io.Discard))
	defer c.Close()
	var seen []time.Duration
	e := c.Schedule(3*time.Millisecond, func() { seen = append(seen, c.Now()) })
	c.After(time.Millisecond, func() {
		seen = append(seen, c.Now())
		c.After(time.Millisecond, func() { seen = append(seen, c.Now()) }) // relative to the event's own time
	})
	c.Schedule(5*time.Millisecond, func() { t.Error("cancelled event ran") }).Cancel()
	c.Advance(10 * time.Millisecond)
	if e.Pending() || len(seen) != 3 || seen[0] != time.Millisecond || seen[1] != 2*time.Millisecond || seen[2] != 3*time.Millisecond {
		t.Fatalf("events ran at %v", seen)
	}
	if c.Now() != 10*time.Millisecond {
		t.Fatalf("Now = %v", c.Now())
	}
}

func TestRunsAreDeterministic(t *testing.T) {
	// Thread code busy-polls the counter while two alarms of different priority interrupt
	// it; every observation carries its virtual time. Two runs must agree exactly.
	trace := func() []time.Duration {
		c := New(Log(io.Discard))
		var out []time.Duration
		note := func() { rt.Critical(func() { out = append(out, c.Now()) }) }
		err := c.Run(func() {
			rt.Bind(rt.Source(SourceSystimerTarget0), func() { st.IntClr.Store(1); note() })
			rt.Bind(rt.Source(SourceSystimerTarget0+1), func() { st.IntClr.Store(2); note() })
			rt.Enable(rt.Source(SourceSystimerTarget0), 1)
			rt.Enable(rt.Source(SourceSystimerTarget0+1), 2)
			st.IntEna.Store(3)
			st.TargetConf[0].Store(stPeriodMode | 1000)
			st.CompLoad[0].Store(1)
			st.TargetConf[1].Store(stPeriodMode | 1700)
			st.CompLoad[1].Store(1)
			st.Conf.Store(st.Conf.Load() | stTargetWorkEn0 | stTargetWorkEn0>>1)
			for readUnit(0) < 20000 {
				note()
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := trace(), trace()
	if len(a) < 100 || len(a) != len(b) {
		t.Fatalf("traces of %d and %d events", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("event %d at %v in one run and %v in the other", i, a[i], b[i])
		}
	}
}
