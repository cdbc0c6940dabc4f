// Command latency measures how long the executors take to react, on whatever runs it:
//
//  1. a SYSTIMER alarm to the poll of the timer's task, on the thread executor asleep in
//     WFI;
//  2. the same on an interrupt-mode executor (polled in FROM_CPU_INTR0 at priority 2);
//  3. Waker.Wake() in an interrupt handler (FROM_CPU_INTR1) to the poll of the woken task,
//     on the thread executor awake;
//  4. a crowd of 1,000 timers due at one instant (100 tasks of 10 timers each), on the
//     interrupt executor: from the alarm to the first and to the last of their tasks'
//     polls. The alarm's handler wakes them one by one and each wake can be taken at once,
//     so the first poll comes as soon as for a single timer, not after the whole crowd has
//     been handled;
//  5. a byte arriving on UART0 RX to the poll of the task reading it (thread executor in
//     WFI), from the RX interrupt's trap (rt.TrapEntryCycles), in CPU cycles. It needs input:
//     send bytes within a second (make qemu-c3 and the test do); without any it says so.
//
// Measurements 1 and 3, and Waker.Wake() in a handler with the thread executor asleep in WFI
// (SYSTIMER comparator 0, which the time driver leaves free, interrupting the sleep), are
// also counted exactly in CPU cycles (rt.Cycles, the ESP32-C3's mpccr): from just before
// the Wake, or from the trap's entry into rt's handler (rt.TrapEntryCycles), to the first
// statement of the task's Poll, less one reading of the counter. Espressif's QEMU runs one
// instruction per cycle, so on it they are instruction counts, without the SYSTIMER
// reading's cost and 62.5 ns grain; the trap-entry figures leave out the few instructions
// of the vector jump and gohal_trap_entry's register saves (rt/trap_esp32c3.c) before it.
//
// Each is sampled 32 times with SYSTIMER unit 0 (16 MHz: 62.5 ns a tick) and reported as
// min/avg/max nanoseconds, and divided by 8 ns: on Espressif's QEMU with -icount
// shift=3 (make qemu-c3) virtual time advances 8 ns per executed instruction, so that
// column counts instructions there. On the simulator the figures are its cost model's.
// A reading of the counter itself costs a few register accesses and is included; the first
// line of the report measures it.
//
//	go run ./examples/latency                          # on the ESP32-C3 simulator
//	tinygo build -target=esp32c3 ./examples/latency    # for the chip (or QEMU)
package main

import (
	"sync/atomic"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/swint"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/pac/esp32c3"
	st "github.com/gohal/gohal/pac/esp32c3/systimer"
	"github.com/gohal/gohal/rt"
)

const (
	samples     = 32
	gap         = 2 * async.Millisecond // between two timer samples
	urgentLevel = 2                     // the interrupt executor's priority
)

// stats accumulates latencies in SYSTIMER ticks.
type stats struct {
	min, max, sum uint64
	n             int
}

func (s *stats) add(ticks uint64) {
	if s.n == 0 || ticks < s.min {
		s.min = ticks
	}
	s.max = max(s.max, ticks)
	s.sum += ticks
	s.n++
}

// reportCycles prints "what: min/avg/max N/N/N CPU cycles (rt.Cycles), N samples".
func (s *stats) reportCycles(con *console.Console, what string) {
	avg := s.sum / uint64(max(s.n, 1))
	con.S(what).S(": min/avg/max ").D(int64(s.min)).S("/").D(int64(avg)).S("/").D(int64(s.max)).
		S(" CPU cycles (rt.Cycles), ").D(int64(s.n)).S(" sample").S(plural(s.n)).NL()
}

// cyclesRead is what one rt.Cycles reading costs, subtracted from the exact figures.
var cyclesRead uint32

// since returns the cycles from c0 to c1 less one reading of the counter.
func since(c0, c1 uint32) uint64 { return uint64(c1 - c0 - cyclesRead) }

// report prints "what: min/avg/max N/N/N ns = N/N/N instructions at 8 ns".
func (s *stats) report(con *console.Console, what string) {
	ns := func(ticks uint64) int64 { return int64(ticks * 1000 / systimer.TicksPerMicrosecond) }
	avg := s.sum / uint64(max(s.n, 1))
	con.S(what).S(": min/avg/max ").D(ns(s.min)).S("/").D(ns(avg)).S("/").D(ns(s.max)).S(" ns = ").
		D(ns(s.min) / 8).S("/").D(ns(avg) / 8).S("/").D(ns(s.max) / 8).S(" instructions at 8 ns, ").D(int64(s.n)).S(" sample").S(plural(s.n)).NL()
}

// timerTask sleeps until a deadline, samples times, and measures how late after the
// alarm (the counter reaching the deadline) it is polled.
type timerTask struct {
	st       stats
	trap     stats // rt.Cycles from the alarm's trap
	tm       async.Timer
	deadline async.Instant
	armed    bool
	done     atomic.Bool
}

func (t *timerTask) Poll(cx *async.Context) bool {
	c := rt.Cycles()
	for {
		if t.armed {
			if _, ok := t.tm.Poll(cx); !ok {
				return false
			}
			t.st.add(systimer.Ticks() - uint64(t.deadline)*systimer.TicksPerMicrosecond)
			t.trap.add(since(rt.TrapEntryCycles(), c))
			t.armed = false
			if t.st.n == samples {
				t.done.Store(true)
				return true
			}
		}
		t.deadline = async.Now().Add(gap)
		t.tm = async.At(t.deadline)
		t.armed = true
	}
}

// crowdTask is one of measurement 4's tasks, waiting on timersPerTask timers: it notes when
// it was polled with every one of them past its deadline.
type crowdTask struct {
	tms  [timersPerTask]async.Timer
	seen uint64 // ticks when the last timer's poll completed; 0 until then
}

func (c *crowdTask) Poll(cx *async.Context) bool {
	for i := range c.tms {
		if _, ok := c.tms[i].Poll(cx); !ok {
			return false
		}
	}
	c.seen = systimer.Ticks()
	crowdDone.Add(1)
	return true
}

// The crowd: 100 tasks (an executor's table holds at most 255) of 10 timers each.
const (
	crowdSize     = 100
	timersPerTask = 10
)

var (
	crowd     [crowdSize]crowdTask
	crowdDone atomic.Int32
)

// The handler of FROM_CPU_INTR1 (measurement 3) stamps the time and wakes the task.
// Plain globals: a handler must not allocate.
var (
	wakeSWI    *swint.SoftwareInterrupt
	wakeTask   async.Waker
	wokenAt    uint64
	wakeStats  stats
	wakeCycles uint32 // rt.Cycles just before the Wake
	wakeExact  stats
)

func onWakeSWI() {
	wakeSWI.Clear()
	wokenAt = systimer.Ticks()
	wakeCycles = rt.Cycles()
	wakeTask.Wake()
}

// wakeTaskPoll raises FROM_CPU_INTR1, whose handler preempts it at once and wakes it; the
// next poll measures from the Wake to itself.
type wakeMeasure struct{ raised bool }

func (w *wakeMeasure) Poll(cx *async.Context) bool {
	c := rt.Cycles()
	if w.raised {
		cs := rt.EnterCritical() // wokenAt is the handler's
		wakeStats.add(systimer.Ticks() - wokenAt)
		wakeExact.add(since(wakeCycles, c))
		cs.Exit()
		if wakeStats.n == samples {
			return true
		}
	}
	wakeTask = cx.Waker()
	w.raised = true
	wakeSWI.Raise()
	return false
}

// The WFI measurement: SYSTIMER comparator 0 (the time driver uses 1 and 2) interrupts the
// thread executor's sleep, and its handler wakes the task.
var (
	sleepTask  async.Waker
	sleepExact stats // from just before the Wake
	sleepTrap  stats // from the trap
	sleepWake  uint32
	sleepEntry uint32
)

func onComparator0() {
	esp32c3.SYSTIMER.INT_CLR.Write(st.INT_CLRValue(1))
	sleepEntry = rt.TrapEntryCycles()
	sleepWake = rt.Cycles()
	sleepTask.Wake()
}

// armComparator0 arms comparator 0 for now + ticks, as the time driver arms its own.
func armComparator0(ticks uint64) {
	const work = st.CONFValue(1) << 24 // TARGET0_WORK_EN
	s := esp32c3.SYSTIMER
	target := systimer.Ticks() + ticks
	cs := rt.EnterCritical()
	s.CONF.Write(s.CONF.Read() &^ work)
	s.INT_CLR.Write(st.INT_CLRValue(1))
	s.TARGET_CONF[0].Write(st.TARGET_CONFValue(0))
	s.TARGET[0].HI.Write(st.TARGET_HIValue(0).WithTIMER_TARGET_HI(uint32(target >> 32)))
	s.TARGET[0].LO.Write(st.TARGET_LOValue(0).WithTIMER_TARGET_LO(uint32(target)))
	s.COMP_LOAD[0].Write(st.COMP_LOADValue(0).WithTIMER_COMP_LOAD(true))
	s.CONF.Write(s.CONF.Read() | work)
	s.INT_ENA.Write(s.INT_ENA.Read() | 1)
	cs.Exit()
}

// sleepMeasure arms comparator 0 and waits; the executor sleeps in WFI until it fires.
type sleepMeasure struct{ armed bool }

func (m *sleepMeasure) Poll(cx *async.Context) bool {
	c := rt.Cycles()
	if m.armed {
		cs := rt.EnterCritical()
		sleepExact.add(since(sleepWake, c))
		sleepTrap.add(since(sleepEntry, c))
		cs.Exit()
		if sleepExact.n == samples {
			return true
		}
	}
	sleepTask = cx.Waker()
	m.armed = true
	armComparator0(100 * systimer.TicksPerMicrosecond)
	return false
}

func firmware() {
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	check(err)
	con := console.New(u)
	con.S("latency: ").D(samples).S(" samples each, SYSTIMER ticks of 62.5 ns").NL()

	// 0. What one reading of the counter costs: it is part of every figure below.
	var reads stats
	for i := 0; i < samples; i++ {
		a := systimer.Ticks()
		reads.add(systimer.Ticks() - a)
	}
	reads.report(con, "one SYSTIMER reading (part of each figure below)")
	cyclesRead = ^uint32(0)
	for i := 0; i < samples; i++ {
		a := rt.Cycles()
		cyclesRead = min(cyclesRead, rt.Cycles()-a)
	}

	// 1. Thread executor, asleep in WFI between alarms.
	th, err := executor.Thread(executor.Options{Name: "main"})
	check(err)
	t1 := &timerTask{}
	_, err = async.SpawnWith(th.Spawner(), t1, async.SpawnOptions{Name: "timer"})
	check(err)
	th.Run()
	t1.st.report(con, "SYSTIMER alarm -> timer task polled, thread executor in WFI")

	// 2. Interrupt executor; the thread sleeps in WFI meanwhile.
	ie, err := executor.Interrupt(0, urgentLevel, executor.Options{Name: "urgent"})
	check(err)
	t2 := &timerTask{}
	_, err = async.SpawnWith(ie.Spawner(), t2, async.SpawnOptions{Name: "timer"})
	check(err)
	for {
		cs := rt.EnterCritical()
		if t2.done.Load() {
			cs.Exit()
			break
		}
		rt.WaitForInterrupt()
		cs.Exit()
	}
	t2.st.report(con, "SYSTIMER alarm -> timer task polled, interrupt executor (priority 2)")
	ie.Close()

	// 4. A crowd of timers due at one instant, on an interrupt executor.
	ce, err := executor.Interrupt(0, urgentLevel, executor.Options{Name: "crowd", Tasks: crowdSize})
	check(err)
	at := async.Now().Add(5 * async.Millisecond)
	for i := range crowd {
		for k := range crowd[i].tms {
			crowd[i].tms[k].Reset(at)
		}
		_, err = async.SpawnWith(ce.Spawner(), &crowd[i], async.SpawnOptions{Name: "crowd"})
		check(err)
	}
	for {
		cs := rt.EnterCritical()
		if crowdDone.Load() == crowdSize {
			cs.Exit()
			break
		}
		rt.WaitForInterrupt()
		cs.Exit()
	}
	var first, last uint64
	for i := range crowd {
		d := crowd[i].seen - uint64(at)*systimer.TicksPerMicrosecond
		if i == 0 || d < first {
			first = d
		}
		last = max(last, d)
	}
	var firstSt, lastSt stats
	firstSt.add(first)
	lastSt.add(last)
	firstSt.report(con, "1000 timers due at once -> first task polled, interrupt executor (priority 2)")
	lastSt.report(con, "1000 timers due at once -> last task polled, interrupt executor (priority 2)")
	ce.Close()

	// 3. Wake from an interrupt handler, thread executor awake.
	wakeSWI, err = swint.Take(1)
	check(err)
	wakeSWI.Bind(onWakeSWI, 1)
	_, err = async.SpawnWith(th.Spawner(), &wakeMeasure{}, async.SpawnOptions{Name: "woken"})
	check(err)
	th.Run()
	wakeStats.report(con, "Waker.Wake() in a handler -> task polled, thread executor awake")
	wakeSWI.Unbind()
	wakeSWI.Release()

	// Exact counts (rt.Cycles): 3 again, the same wake with the executor asleep in WFI, and
	// 1 from the alarm's trap.
	rt.Bind(rt.Source(esp32c3.IRQ_SYSTIMER_TARGET0), onComparator0)
	rt.Enable(rt.Source(esp32c3.IRQ_SYSTIMER_TARGET0), 1)
	_, err = async.SpawnWith(th.Spawner(), &sleepMeasure{}, async.SpawnOptions{Name: "sleeper"})
	check(err)
	th.Run()
	rt.Disable(rt.Source(esp32c3.IRQ_SYSTIMER_TARGET0))
	rt.Unbind(rt.Source(esp32c3.IRQ_SYSTIMER_TARGET0))
	wakeExact.reportCycles(con, "exact: Waker.Wake() in a handler -> Poll, thread executor awake")
	sleepExact.reportCycles(con, "exact: Waker.Wake() in a handler -> Poll, thread executor in WFI")
	sleepTrap.reportCycles(con, "exact: interrupt trap -> Poll of the task its handler woke, thread executor in WFI")
	t1.trap.reportCycles(con, "exact: SYSTIMER alarm trap -> timer task's Poll, thread executor in WFI")

	// 5. UART0 RX interrupt -> the reading task polled.
	con.S("latency: send bytes to UART0 RX within 1 s to measure its interrupt").NL()
	ua := u.IntoAsync() // u is consumed: the console goes on through ua
	con = console.New(ua)
	rx := &rxTask{u: ua}
	_, err = async.SpawnWith(th.Spawner(), rx, async.SpawnOptions{Name: "rx"})
	check(err)
	th.Run()
	if rx.st.n == 0 {
		con.S("UART0 RX interrupt -> reading task polled: no input within 1 s").NL()
	} else {
		c := &rx.st
		con.S("UART0 RX interrupt -> reading task polled, thread executor in WFI: min/avg/max ").D(int64(c.min)).S("/").
			D(int64(c.sum / uint64(c.n))).S("/").D(int64(c.max)).S(" CPU cycles (rt.Cycles), ").D(int64(c.n)).S(" sample").S(plural(c.n)).NL()
	}

	con.S("latency: done").NL()
	ua.Flush()
	th.Close()
	ua.Close()
}

// rxTask reads UART0 a byte at a time (so every byte is an RX interrupt of its own) and
// measures, in CPU cycles, from the interrupt's trap to its own poll, for each byte it had
// to wait for. It stops after 8 bytes, or 1 s after the last one.
type rxTask struct {
	u       *uart.Async
	rd      uart.ReadFuture
	dl      async.Timeout[async.Outcome[int]]
	buf     [1]byte
	st      stats
	reading bool
	waited  bool // the read found the FIFO empty: an RX interrupt woke it
}

func (r *rxTask) Poll(cx *async.Context) bool {
	for r.st.n < 8 {
		if !r.reading {
			r.rd = r.u.ReadAsync(r.buf[:])
			r.dl.Init(&r.rd, async.Now().Add(async.Second))
			r.reading, r.waited = true, false
		}
		res, ok := r.dl.Poll(cx)
		if !ok {
			r.waited = true
			return false
		}
		now := rt.Cycles()
		r.reading = false
		if res.Err != nil {
			return true // a second without input (or a receive error): done
		}
		if r.waited { // a byte already in the FIFO has no interrupt of its own to measure from
			r.st.add(uint64(now - rt.TrapEntryCycles()))
		}
	}
	return true
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}
