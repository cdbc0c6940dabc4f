//go:build tinygo && esp32c3

package rt

// import "C" makes TinyGo compile trap_esp32c3.c (rt's trap vector and entry) into the
// program; rt calls no C function. (The blank line keeps this out of the cgo preamble.)

import "C"

import (
	"device/riscv"
	"math/bits"
	"runtime/interrupt"
	"unsafe"

	"github.com/gohal/gohal/rt/mmio"
)

// The ESP32-C3 implementation, for `tinygo build -target=esp32c3`.
//
// # Why rt owns the trap vector
//
// TinyGo's trap handler (runtime/interrupt, interrupt_esp32c3.go, 0.33) cannot run level
// interrupts, and every ESP32-C3 peripheral source is a level signal. For a taken line it
// sets the line's *priority* to 10, clears the pending latch only for edge-type lines,
// re-enables mstatus.MIE and only then calls the Go handler. A level source is still
// asserted at that moment (only the handler can clear it) and priority 10 is above any
// threshold gohal uses, so the line is taken again at once, before a single instruction of
// the handler runs: a trap storm that overflows the stack (Espressif's QEMU shows millions
// of m_external traps at one epc). Nothing in a Go handler can help, because it never runs.
// The handler also never clears mcause, so after the first interrupt interrupt.In() stays
// true in thread mode and TinyGo's next heap allocation panics "heap alloc in interrupt".
// Both are chip behaviour, not emulator artefacts: the hardware executes the same code.
//
// The alternatives were weighed:
//
//   - Edge-type lines with a drain loop let TinyGo's handler clear the latch, but a line
//     shared by several level sources can then lose an interrupt: its edge detector sees
//     the OR of the sources, which need not fall between two events, and the two-word source
//     status cannot be read atomically to close that gap. (Espressif's QEMU also models
//     level lines only; its CPU_INT_TYPE reads 0.)
//   - Running every context at a threshold above 10 (lines at priorities 11..15 only) would
//     make TinyGo's "priority 10" a mask, but leaves five priority levels instead of
//     fifteen and masks TinyGo's own lines, and still needs the mcause fix.
//
// So rt does what esp-hal's runtime does: it installs its own vector table (trap_esp32c3.c,
// mtvec in vectored mode) whose entries jump to gohal_trap_entry. That hands exceptions and
// lines 1..16 (the machine package's pin and UART interrupts) to TinyGo's handler, which
// behaves for them exactly as before, and rt's lines 17..31 to gohalTrap, which:
//
//  1. raises CPU_INT_THRESH to the line's priority + 1 while interrupts are still disabled
//     (a fence makes the write take effect first), so the asserted line and everything at
//     or below its priority stay masked, and higher priorities can nest;
//  2. enables interrupts (priority-15 handlers keep them disabled: no threshold can mask
//     other priority-15 lines, and nothing is above them);
//  3. calls the handler of every asserted source routed to the line;
//  4. disables interrupts and restores the threshold; a source still asserted is taken
//     again after mret, so a level is never lost;
//  5. sets mcause to 0 when it leaves the outermost handler, so interrupt.In() (and with it
//     TinyGo's allocator and rt.InInterrupt) is false again in thread mode. A nested
//     handler leaves the non-zero cause it was taken with, which the outer handler keeps.
//
// This works with TinyGo releases whose handler fixes either flaw, because rt's lines never
// reach TinyGo's handler. The host model (rt/host) runs the same gohalTrap steps, and can run
// a faithful model of TinyGo 0.33's handler instead, which reproduces both failures.
//
// TinyGo's runtime starts with CPU_INT_THRESH = 5; rt lowers it to 1 so that priorities 1..4
// work.

var intm = mmio.At[intMatrix](intMatrixBase)

// boundHandlers are the handlers of the bound sources: of[src] is 1 + the index in fns of
// src's handler, 0 when none is bound. A program binds a few sources, not all 62: a table
// indexed by source took 496 bytes of RAM, this one 62 + 8*MaxBound = 254.
type boundHandlers struct {
	of  [62]uint8
	fns [MaxBound]func()
}

// handlers is the table. Only start refers to it, through handlerTable, so a program that
// never starts rt (blocking drivers only) does not link it.
var handlers boundHandlers

// handlerTable is &handlers once start has run, nil before.
var handlerTable *boundHandlers

// trapEntryCycles is the cycle counter when gohalTrap last started (TrapEntryCycles).
var trapEntryCycles uint32

// TrapEntryCycles returns the cycle counter (Cycles) at the entry of the most recent
// interrupt trap on rt's lines, for latency measurements: Cycles() - TrapEntryCycles() in a
// task woken by an interrupt is the path from the trap to the task. A nested or later trap
// overwrites it. It costs the trap one CSR read and one store.
func TrapEntryCycles() uint32 { return trapEntryCycles }

// trapDepth counts the nested handlers gohalTrap is running; mcause is cleared when the
// outermost one returns.
var trapDepth uint32

//go:extern gohal_trap_vectors
var gohalTrapVectors [0]uintptr

// ESP32-C3 performance-counter CSRs (TRM, "Performance Counter"): mpcer selects the event
// (1 = clock cycles), mpcmr enables counting, mpccr is the 32-bit count.
const (
	mpcer riscv.CSR = 0x7E0
	mpcmr riscv.CSR = 0x7E1
	mpccr riscv.CSR = 0x7E2
)

// TinyGo evaluates package init functions at compile time, and its interpreter cannot run
// CSR writes, so the start-up work happens at run time instead: on the first call of any
// function that needs it (Start, Bind, Enable, EnableCPU, SetThreshold; Cycles starts only
// the counter). Firmware never has to call Start, but may, to pay the cost at a moment of
// its choosing. handlerTable, set by start, says whether it has run.

// Start installs rt's trap vector and configures the interrupt controller and the cycle
// counter. It is idempotent and cheap after the first call.
func Start() {
	if handlerTable == nil {
		start()
	}
}

func start() {
	state := interrupt.Disable()
	if handlerTable != nil {
		interrupt.Restore(state)
		return
	}
	handlerTable = &handlers
	startCycleCounter()
	intm.Thresh.Store(1)
	// Each line 16+p is a level line of priority p; Enable turns it on when a source first
	// uses priority p. Every ESP32-C3 source is a level signal.
	for p := uint32(1); p <= uint32(MaxPriority); p++ {
		n := 16 + p
		intm.Type.Store(intm.Type.Load() &^ (1 << n))
		intm.Pri[n].Store(p)
	}
	// trap_esp32c3.c explains the rounding: the table is in its section twice.
	vectors := (uintptr(unsafe.Pointer(&gohalTrapVectors)) + 255) &^ 255
	if vectors-uintptr(unsafe.Pointer(&gohalTrapVectors)) > 128 {
		panic("rt: gohal's trap vector table is not where trap_esp32c3.c expects it in this link (TinyGo's linker script changed?)")
	}
	riscv.MTVEC.Set(vectors | 1) // vectored mode
	interrupt.Restore(state)
}

// mstatusMIE is mstatus.MIE, the global interrupt enable.
const mstatusMIE = 1 << 3

// gohalTrap runs for a trap on one of rt's lines 17..31, called by gohal_trap_entry with
// interrupts disabled (see the file comment for the steps and why).
//
//export gohalTrap
func gohalTrap(mcause uint32) {
	trapEntryCycles = uint32(mpccr.Get())
	n := mcause & 31
	p := intm.Pri[n].Load() & 0xF
	saved := intm.Thresh.Load()
	intm.Thresh.Store(min(p+1, uint32(MaxPriority)))
	riscv.Asm("fence")
	trapDepth++
	if p < uint32(MaxPriority) {
		riscv.MSTATUS.SetBits(mstatusMIE)
	}
	// Usually one of the two words has a source pending: the empty one costs a load and a
	// branch here, not dispatchWord's prologue and epilogue (about 45 instructions).
	if s := intm.Status[0].Load(); s != 0 {
		dispatchWord(s, 0, n)
	}
	if s := intm.Status[1].Load(); s != 0 {
		dispatchWord(s, 32, n)
	}
	riscv.MSTATUS.ClearBits(mstatusMIE)
	trapDepth--
	intm.Thresh.Store(saved)
	if trapDepth == 0 {
		riscv.MCAUSE.Set(0)
	}
}

func dispatchWord(status uint32, base int, n uint32) {
	for status != 0 {
		b := bits.TrailingZeros32(status)
		status &^= 1 << b
		s := base + b
		if s >= len(handlerTable.of) || intm.Map[s].Load() != n {
			continue
		}
		if i := handlerTable.of[s]; i != 0 {
			handlerTable.fns[i-1]()
		} else {
			// A level source nobody handles would interrupt forever: disconnect it.
			intm.Map[s].Store(0)
		}
	}
}

// Bind makes handler the handler of src on the current core; nil unbinds it.
func Bind(src Source, handler func()) {
	Start()
	state := interrupt.Disable()
	t := handlerTable
	i := t.of[src]
	switch {
	case handler == nil:
		t.forget(src)
	case i != 0:
		t.fns[i-1] = handler
	default:
		for k := range t.fns {
			if t.fns[k] == nil {
				t.fns[k], t.of[src] = handler, uint8(k+1)
				interrupt.Restore(state)
				return
			}
		}
		interrupt.Restore(state)
		panic(errTooManyBound)
	}
	interrupt.Restore(state)
}

// forget unbinds src's handler, if it has one.
func (t *boundHandlers) forget(src Source) {
	if i := t.of[src]; i != 0 {
		t.fns[i-1], t.of[src] = nil, 0
	}
}

// Unbind disconnects src from the current core and forgets its handler. Unlike Bind(src,
// nil) it does not start rt: a driver's teardown, linked whether or not the program ever
// goes async, must not pull rt's trap machinery into a program of blocking drivers.
func Unbind(src Source) {
	state := interrupt.Disable()
	intm.Map[src].Store(0)
	if t := handlerTable; t != nil {
		t.forget(src)
	}
	interrupt.Restore(state)
}

// Enable routes src to the current core at priority p (clamped to MaxPriority); p = 0
// disables it.
func Enable(src Source, p Priority) {
	if p == 0 {
		Disable(src)
		return
	}
	Start()
	p = min(p, MaxPriority)
	n := uint32(VectoredInterrupt(p))
	state := interrupt.Disable()
	intm.Type.Store(intm.Type.Load() &^ (1 << n))
	intm.Pri[n].Store(uint32(p))
	intm.Enable.Store(intm.Enable.Load() | 1<<n)
	intm.Map[src].Store(n)
	interrupt.Restore(state)
}

// Disable disconnects src from the current core.
func Disable(src Source) { intm.Map[src].Store(0) }

// SourcePending reports whether src's interrupt line is asserted.
func SourcePending(src Source) bool {
	return intm.Status[src/32].Load()&(1<<(src%32)) != 0
}

// EnableCPU enables CPU interrupt n on the current core.
func EnableCPU(n CPUInterrupt) {
	Start()
	state := interrupt.Disable()
	intm.Enable.Store(intm.Enable.Load() | 1<<n)
	interrupt.Restore(state)
}

// DisableCPU disables CPU interrupt n on the current core.
func DisableCPU(n CPUInterrupt) {
	state := interrupt.Disable()
	intm.Enable.Store(intm.Enable.Load() &^ (1 << n))
	interrupt.Restore(state)
}

// SetCPUPriority sets the priority of CPU interrupt n (0 masks it).
func SetCPUPriority(n CPUInterrupt, p Priority) { intm.Pri[n%32].Store(uint32(min(p, MaxPriority))) }

// CPUPriority returns the priority of CPU interrupt n.
func CPUPriority(n CPUInterrupt) Priority { return Priority(intm.Pri[n%32].Load() & 0xF) }

// SetCPUEdge makes CPU interrupt n edge-triggered (latched until ClearCPU) or level.
func SetCPUEdge(n CPUInterrupt, edge bool) {
	state := interrupt.Disable()
	if edge {
		intm.Type.Store(intm.Type.Load() | 1<<n)
	} else {
		intm.Type.Store(intm.Type.Load() &^ (1 << n))
	}
	interrupt.Restore(state)
}

// ClearCPU clears the latch of edge-triggered CPU interrupt n. It pulses the CLEAR bit, as
// TinyGo does, which is right whether the hardware clears on the write or on the level.
func ClearCPU(n CPUInterrupt) {
	state := interrupt.Disable()
	intm.Clear.Store(intm.Clear.Load() | 1<<n)
	intm.Clear.Store(intm.Clear.Load() &^ (1 << n))
	interrupt.Restore(state)
}

// CPUPending reports whether CPU interrupt n is pending (enabled or not).
func CPUPending(n CPUInterrupt) bool { return intm.EIP.Load()&(1<<n) != 0 }

// SetThreshold masks the interrupts of priority below p on the current core.
func SetThreshold(p Priority) {
	Start()
	intm.Thresh.Store(uint32(p) & 0xF)
}

// Threshold returns the current core's interrupt threshold.
func Threshold() Priority { return Priority(intm.Thresh.Load() & 0xF) }

// EnterCritical disables interrupts on the current core (the ESP32-C3 has one core, so no
// cross-core lock is needed).
func EnterCritical() CS { return CS{uintptr(interrupt.Disable())} }

// Exit ends the critical section; ending the outermost one enables interrupts again.
func (cs CS) Exit() { interrupt.Restore(interrupt.State(cs.state)) }

// WaitForInterrupt sleeps until an interrupt is pending. With interrupts enabled the
// handler runs before it returns; inside a critical section it returns with the interrupt
// still pending (RISC-V WFI), so checking a condition and sleeping inside one section cannot
// lose a wake-up.
func WaitForInterrupt() { riscv.Asm("wfi") }

// CoreID returns the number of the core the caller runs on.
func CoreID() int { return int(riscv.MHARTID.Get()) }

// NumCores returns the number of cores.
func NumCores() int { return 1 }

// StartCore reports false: the ESP32-C3 has no second core.
func StartCore(id int, entry func()) bool { return false }

// InInterrupt reports whether the caller runs in an interrupt handler.
func InInterrupt() bool { return interrupt.In() }

// Cycles returns the core's 32-bit cycle counter (mpccr); it wraps, and differences between
// two readings are correct modulo 2³².
//
// It starts the counter, not the rest of Start: a program that reads cycles but takes no
// interrupt (a blocking driver's timeout, rng's pacing) must not link rt's trap vector, its
// dispatcher and the 496-byte handler table.
func Cycles() uint32 {
	if !counting {
		startCycleCounter()
	}
	return uint32(mpccr.Get())
}

// counting records that startCycleCounter has run.
var counting bool

// startCycleCounter makes mpccr count clock cycles. Writing the same two CSRs twice (an
// interrupt between the check and the writes) is harmless.
func startCycleCounter() {
	mpcer.Set(1)
	mpcmr.Set(1)
	counting = true
}

// CPUFrequency returns the core clock in Hz: TinyGo's ESP32-C3 runtime runs the CPU at
// 160 MHz.
func CPUFrequency() uint32 { return 160_000_000 }

// OnCore reports whether the caller runs on one of the chip's cores: on the chip, always.
func OnCore() bool { return true }
