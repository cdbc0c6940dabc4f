//go:build !tinygo

// Package host is the simulated CPU that rt runs on when firmware is built for the host
// instead of the chip. It is imported by rt's host files and by simulators (sim/...); firmware
// never imports it directly, and it does not build with TinyGo.
//
// # The model
//
// A Machine has N cores. Each core runs thread-mode code on one goroutine and every
// interrupt handler nesting level on a goroutine of its own, created before the firmware
// starts. Exactly one of a core's goroutines runs at a time: when an interrupt is taken, the
// running goroutine hands the core to the handler goroutine of the next level and waits until
// that handler returns, exactly as the hardware stacks a trap on top of the interrupted code.
//
// Interrupts are taken only at preemption points: before every register access (the rt/mmio
// bus calls the machine's access hook), when a critical section ends, in WaitForInterrupt,
// and after a simulated peripheral changes its interrupt lines (Poll). As on the ESP32-C3, a
// core takes the highest-priority pending, enabled line that is not below its threshold,
// provided interrupts are enabled on it (mstatus.MIE); taking it clears MIE and sets mcause.
// What follows is the trap software's (trap.go): rt's handler raises the threshold so that
// handlers nest by priority; a model of TinyGo 0.33's handler shows how that one fails.
//
// Each core has an interrupt controller modelled on the ESP32-C3 (and ESP32-S3/P4-style
// per-core matrices): sources are level lines mapped to CPU interrupt lines 1..31, each line
// with an enable bit, a type (level or latched edge), a priority 1..15 (0 masks) and a
// per-core threshold. Simulated chips present this state as registers.
//
// # Virtual time
//
// Time is virtual. Every register access a core makes costs Config.AccessCost; when every core
// waits for an interrupt the clock jumps straight to the next deadline the simulator set. The
// simulator's callback (Config.OnTime) runs on the machine's clock goroutine whenever time
// reaches the deadline, so a one-second timeout takes microseconds and every run of a
// single-core program gives the same result. Config.RealTime paces the clock to the wall
// clock instead, for demos.
//
// # CPU time
//
// What the simulated core is charged for computing, between its register accesses, is one
// of two models.
//
// Counted (the default, deterministic): computation that touches no register is free.
// Virtual time moves only with register accesses (AccessCost each), waits (WFI, a
// simulator's Stall) and what firmware declares with rt.Spend(cycles), which charges the
// calling core that many cycles at CPUHz (Machine.Spend: a stall, so events due meanwhile
// run at their times and interrupts are taken as they fall due). The same program gives
// the same cycle counts under -race and with GOMAXPROCS=1; a CPU-bound loop without
// accesses shows as taking no time.
//
// Measured (Machine.MeasureCPU(scale), opt-in, not deterministic): at every preemption point
// of a core context (a register access, the end of a critical section, WFI, a Handoff,
// the end of a handler, Settle, host.Cycles) the context is also charged the host time its
// goroutine ran since its previous one, minus a floor of 100 ns (the model's own path
// between two accesses is 15-60 ns, and would otherwise be charged as computation), times
// scale (chip cycles per host nanosecond), quantised to whole cycles with the fraction
// carried over, and charged as a stall. Intervals are read from the monotonic clock on
// goroutines locked to their OS threads (runtime.LockOSThread: every core goroutine,
// handler level and adopted coroutine, for the run); the thread CPU clock
// (CLOCK_THREAD_CPUTIME_ID) costs a system call of about 570 ns a reading, more than most
// intervals, so it only calibrates. Time the model spends is not charged: an interval
// restarts after the register model handled an access (Machine.Poll), after a hand-off and
// after a stall. CalibrateCPU sets the scale so that CPUReference, a loop whose cost on the
// chip was counted on QEMU (CPUReferenceCycles), costs on the simulated core what it costs
// on the chip. Other code is charged by how fast the host runs it relative to the
// reference: a memory-bound loop (a byte sieve) is charged about 0.3x the time QEMU gives
// it, and register-level code (examples/preempt's busy loop) 0.2x-0.6x of QEMU's iteration
// counts from run to run; read measured figures as within a factor of a few, and a loaded
// host inflates them. Interrupts are still taken only at preemption points: a long
// computation is charged at its end, and an interrupt that fell due during it is taken
// then, late.
//
// # The race detector
//
// Go's race detector reports two accesses as a race when no happens-before edge orders them.
// A handler and the thread code it interrupts are ordered on a real core only by what the
// program itself does: a critical section, an atomic, the write that raises or enables the
// interrupt. So the model's own hand-offs between a core's goroutines must create no
// happens-before edge, or every race between handler and thread code would be hidden. The
// goroutines hand over with atomics written in assembly (invisible to the detector) and,
// under -race, block with a raw futex system call instead of a channel.
//
// The edges the model does create are the ones the chip has:
//   - critical sections: each core has a mutex that the outermost critical section holds and
//     that every handler run locks and unlocks at its start and at its end, so data shared
//     under critical sections is race-free;
//   - interrupt-controller operations: a handler starts after every change to interrupt
//     state so far (the raise or the enable that made it run) and ends before every later
//     one (disabling the interrupt, for instance), through the controller's own lock. Only
//     real changes take that lock.
//
// What remains unordered, and is reported when it conflicts, is thread code after its last
// such operation against the handler, and the handler against thread code before the
// thread's next one: exactly the accesses an interrupt could land between on the chip.
//
// # Coroutines
//
// A goroutine the firmware starts runs outside the model, except a coroutine driven through
// a Handoff (async's straight-line tasks are): while it runs, between Resume and its Yield,
// it is adopted as the core context that resumed it, with that context's identity,
// preemption points and virtual time, and the race detector sees the hand-off as a
// function call.
package host
