//go:build !tinygo

package host

import (
	"errors"
	"math"
	"runtime"
	"time"
)

// CPU time: what the simulated core is charged for computation between register accesses.
// See the package documentation, section "CPU time".

// cpuMeter is a machine's measured-CPU-time state, fixed before Run.
type cpuMeter struct {
	scale  float64 // chip cycles per host nanosecond of thread CPU time; 0: not measuring
	offset uint64  // host ns of model overhead subtracted from every interval
}

// MeasureCPU makes the machine charge each core, at its preemption points, for the host
// time its goroutine ran since the previous one, multiplied by scale (chip cycles per host
// nanosecond; CalibrateCPU estimates it) and quantised to whole core cycles. Time the model
// itself spends (register models, hand-offs, waiting) is not charged. It must be called
// before Run; scale <= 0 turns measuring off.
//
// The intervals are read from the monotonic clock (the vDSO: about 25 ns a reading) on a
// goroutine locked to its OS thread (every core goroutine, and every coroutine adopted
// through a Handoff, is locked for the run). The thread CPU clock
// (CLOCK_THREAD_CPUTIME_ID), which would not count time the thread was descheduled, is a
// real system call on Linux, about 570 ns a reading on the host this was built on: more
// than most intervals between two register accesses, whose noise it would swamp. So a
// loaded host (parallel tests) inflates the charges, and measured runs are not
// deterministic: the charges depend on the host, its load and its caches.
func (m *Machine) MeasureCPU(scale float64) error {
	if m.started.Load() {
		return errors.New("host: MeasureCPU after Run")
	}
	if scale <= 0 || math.IsNaN(scale) || math.IsInf(scale, 0) {
		m.cpu = cpuMeter{}
		return nil
	}
	m.cpu = cpuMeter{scale: scale, offset: max(clockOverhead(), measureFloor)}
	return nil
}

// Measuring reports whether the machine charges measured host CPU time (MeasureCPU).
func (m *Machine) Measuring() bool { return m.cpu.scale > 0 }

// CPUScale returns the scale MeasureCPU set (chip cycles per host ns), 0 if not measuring.
func (m *Machine) CPUScale() float64 { return m.cpu.scale }

// measureFloor is the least host time subtracted from every measured interval. Between two
// register accesses with no firmware code in between, the model's own path (the bus
// dispatch, finding the core, reading the clock) still takes 15 to 60 ns of host time, which
// at about 7 chip cycles per host ns would charge a few hundred cycles per access: more
// than the computation of most register-level code (examples/preempt's busy loop then ran
// 50 times too few iterations). So measured mode charges computation only beyond 100 ns
// of host time per interval (about 700 cycles at the calibrated scale): short stretches
// between accesses cost what counted mode charges, and long ones (the CPU hogs measured
// mode exists to find) are charged in full, minus the floor.
const measureFloor = 100

// monoBase is the origin of intervalClock.
var monoBase = time.Now()

// intervalClock is the clock measured intervals are read from: monotonic nanoseconds.
func intervalClock() uint64 { return uint64(time.Since(monoBase)) + 1 }

// clockOverhead estimates what one reading of the interval clock adds to an interval: the
// smallest difference between back-to-back readings, the floor every measured interval has
// even with no code between its ends.
func clockOverhead() uint64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	best := uint64(math.MaxUint64)
	prev := intervalClock()
	for i := 0; i < 1000; i++ {
		now := intervalClock()
		if d := now - prev; now > prev && d < best {
			best = d
		}
		prev = now
	}
	if best == math.MaxUint64 {
		return 0
	}
	return best
}

// lockThread locks the calling goroutine to its OS thread when the machine measures CPU
// time, and starts its context's interval.
func (m *Machine) lockThread() {
	if m.cpu.scale > 0 {
		runtime.LockOSThread()
	}
}

// rebase starts a new measured interval for context x on the calling goroutine's thread:
// what the thread did until now is not the firmware's (the model's own work, a hand-off).
func (m *Machine) rebase(x *context) {
	if m.cpu.scale > 0 {
		store64(&x.cpuMark, intervalClock())
	}
}

// settle charges context x, which the calling goroutine runs, for the CPU time its thread
// used since the interval began, and begins the next one. It is a preemption point when
// the charge reaches a deadline: events due run at their times and the core takes the
// interrupts they raise, if it may (Stall's rules).
func (m *Machine) settle(c *Core, x *context) {
	if m.cpu.scale <= 0 {
		return
	}
	m.accrue(x)
	m.flush(c, x)
}

// accrue adds the CPU time the calling thread used since x's interval began to x's
// uncharged cycles, and begins the next interval, without charging anything yet: a
// coroutine that gives its context back (Handoff.Done) leaves the charge to its resumer.
func (m *Machine) accrue(x *context) {
	now := intervalClock()
	last := load64(&x.cpuMark)
	store64(&x.cpuMark, now)
	if last == 0 || now <= last+m.cpu.offset {
		return
	}
	cyc := math.Float64frombits(load64(&x.cpuFrac)) + float64(now-last-m.cpu.offset)*m.cpu.scale
	store64(&x.cpuFrac, math.Float64bits(cyc))
}

// flush charges x's whole uncharged cycles (quantisation: the fraction of a cycle is carried
// to the next interval) as a stall of core c.
func (m *Machine) flush(c *Core, x *context) {
	cyc := math.Float64frombits(load64(&x.cpuFrac))
	whole := math.Floor(cyc)
	if whole < 1 {
		return
	}
	store64(&x.cpuFrac, math.Float64bits(cyc-whole))
	m.stall(c, x, m.cyclesToNs(x, uint64(whole)))
	// The stall's own work (events, handlers taken) is the model's, not the firmware's.
	store64(&x.cpuMark, intervalClock())
}

// cyclesToNs converts n core cycles to virtual nanoseconds, carrying the remainder in x so
// that charges in whole cycles add up exactly.
func (m *Machine) cyclesToNs(x *context, n uint64) uint64 {
	hz := m.cfg.CPUHz
	total := n*1e9 + load64(&x.cycRem)
	store64(&x.cycRem, total%hz)
	return total / hz
}

// Settle charges the calling core now for the CPU time it used since its last preemption
// point, in a machine that measures CPU time (MeasureCPU), so that a reading of virtual
// time that follows includes it. A simulator's observer calls it before reading the clock
// (a task's poll starts or ends, for instance). It does nothing on a goroutine that is not a
// core, or when the machine does not measure.
func (m *Machine) Settle() {
	if m.cpu.scale <= 0 {
		return
	}
	if c, x := m.self(); c != nil && !m.checkStop(x) {
		m.settle(c, x)
	}
}

// Spend charges the calling core for n core cycles of computation, deterministically: it
// stalls for n cycles of virtual time (Stall's rules: events run at their times and
// interrupts are taken as they fall due). It is the host side of rt.Spend, the call
// firmware makes to declare what a stretch of computation costs on the chip.
func (m *Machine) Spend(n uint64) {
	c, x := m.self()
	if c == nil || n == 0 || m.checkStop(x) {
		return
	}
	m.settle(c, x)
	m.stall(c, x, m.cyclesToNs(x, n))
	m.rebase(x)
}

// Spend charges the running machine's calling core for n core cycles (Machine.Spend); it
// does nothing without a running machine or off its cores.
func Spend(n uint64) {
	if m := current.Load(); m != nil {
		m.Spend(n)
	}
}

// Settle is Machine.Settle on the running machine, if any.
func Settle() {
	if m := current.Load(); m != nil {
		m.Settle()
	}
}

// CPUReference is the reference computation CalibrateCPU times: an iteration of a 32-bit
// linear congruential generator whose result is xor-folded into an accumulator with a data-
// dependent branch. CPUReferenceCycles is what an iteration costs on the ESP32-C3 (see
// CPUReferenceCycles).
func CPUReference(iterations int) uint32 {
	x, acc := uint32(1), uint32(0)
	for i := 0; i < iterations; i++ {
		x = x*1664525 + 1013904223
		if x&0x100 != 0 {
			acc += x >> 7
		} else {
			acc ^= x
		}
	}
	return acc
}

// CPUReferenceCycles is the cost of one CPUReference iteration on the ESP32-C3 at 160 MHz,
// in core cycles: TinyGo 0.33 compiles the loop to 7 or 9 rv32imc instructions by the
// branch, 8.0 per iteration on average (counted on Espressif's QEMU with -icount: 10^6
// iterations took 1,024,006 SYSTIMER ticks of 62.5 ns at 8 ns an instruction), and the C3
// retires about one instruction a cycle on such code (single-issue, one-cycle multiplier),
// plus about a cycle for each of the two taken branches an iteration has on average.
const CPUReferenceCycles = 10

// CalibrateCPU returns a scale for MeasureCPU: chip cycles per host nanosecond, from the
// host CPU time CPUReference takes on the calling goroutine's thread (a few milliseconds;
// the thread CPU clock on Linux, the monotonic clock elsewhere),
// so that code like the reference costs on the simulated core what it costs on the chip.
// Code the host runs with more (or less) parallelism than the reference is charged less
// (more) than on the chip: measured runs are estimates, good to a factor of about two.
func CalibrateCPU() float64 {
	clock := threadCPU
	if !haveThreadCPU {
		clock = intervalClock
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	best := math.Inf(1)
	const n = 1 << 20
	for round := 0; round < 5; round++ {
		t0 := clock()
		sink += CPUReference(n)
		if d := float64(clock() - t0); d > 0 && d < best {
			best = d
		}
	}
	if math.IsInf(best, 1) {
		return 0
	}
	return CPUReferenceCycles * n / best
}

var sink uint32
