//go:build tinygo && esp32c3

package rt

import (
	"device/riscv"
	"math/bits"
	"runtime/interrupt"

	"github.com/gohal/gohal/rt/mmio"
)

// The ESP32-C3 implementation, for `tinygo build -target=esp32c3`.
//
// TinyGo's trap handler (runtime/interrupt, interrupt_esp32c3.go) saves mstatus and mepc,
// sets the taken line's priority to 0 while it runs, re-enables MIE and calls the handler
// registered for the line with interrupt.New. rt registers a dispatcher for lines 17..31
// (TinyGo itself uses lower lines: 6, 7 and 9) and configures line 16+p as a level line of
// priority p when a source is first enabled at p. TinyGo's runtime starts with
// CPU_INT_THRESH = 5; rt lowers it to 1 so that priorities 1..4 work.

var intm = mmio.At[intMatrix](intMatrixBase)

// handlers is indexed by source.
var handlers [62]func()

// ESP32-C3 performance-counter CSRs (TRM, "Performance Counter"): mpcer selects the event
// (1 = clock cycles), mpcmr enables counting, mpccr is the 32-bit count.
const (
	mpcer riscv.CSR = 0x7E0
	mpcmr riscv.CSR = 0x7E1
	mpccr riscv.CSR = 0x7E2
)

// started records that start has run. TinyGo evaluates package init functions at compile
// time, and its interpreter cannot run interrupt.New(...).Enable() or CSR writes, so the
// start-up work happens at run time instead: on the first call of any function that needs it
// (Start, Bind, Enable, EnableCPU, SetThreshold, Cycles). Firmware never has to call Start,
// but may, to pay the cost at a moment of its choosing.
var started bool

// Start configures the interrupt controller and the cycle counter. It is idempotent and
// cheap after the first call.
func Start() {
	if !started {
		start()
	}
}

func start() {
	state := interrupt.Disable()
	if started {
		interrupt.Restore(state)
		return
	}
	started = true
	mpcer.Set(1)
	mpcmr.Set(1)
	intm.Thresh.Store(1)
	registerVectors()
	// Interrupt.Enable left the lines edge-triggered at TinyGo's default priority; make each
	// line 16+p a level line of priority p. Every ESP32-C3 source is a level signal.
	for p := uint32(1); p <= uint32(MaxPriority); p++ {
		n := 16 + p
		intm.Type.Store(intm.Type.Load() &^ (1 << n))
		intm.Pri[n].Store(p)
	}
	interrupt.Restore(state)
}

// registerVectors wires lines 17..31 to the dispatcher. TinyGo needs a constant line and a
// plain function in each interrupt.New call, resolved at compile time; Enable keeps the
// handler alive through TinyGo's interrupt lowering (and enables the line).
func registerVectors() {
	interrupt.New(17, func(interrupt.Interrupt) { dispatch(17) }).Enable()
	interrupt.New(18, func(interrupt.Interrupt) { dispatch(18) }).Enable()
	interrupt.New(19, func(interrupt.Interrupt) { dispatch(19) }).Enable()
	interrupt.New(20, func(interrupt.Interrupt) { dispatch(20) }).Enable()
	interrupt.New(21, func(interrupt.Interrupt) { dispatch(21) }).Enable()
	interrupt.New(22, func(interrupt.Interrupt) { dispatch(22) }).Enable()
	interrupt.New(23, func(interrupt.Interrupt) { dispatch(23) }).Enable()
	interrupt.New(24, func(interrupt.Interrupt) { dispatch(24) }).Enable()
	interrupt.New(25, func(interrupt.Interrupt) { dispatch(25) }).Enable()
	interrupt.New(26, func(interrupt.Interrupt) { dispatch(26) }).Enable()
	interrupt.New(27, func(interrupt.Interrupt) { dispatch(27) }).Enable()
	interrupt.New(28, func(interrupt.Interrupt) { dispatch(28) }).Enable()
	interrupt.New(29, func(interrupt.Interrupt) { dispatch(29) }).Enable()
	interrupt.New(30, func(interrupt.Interrupt) { dispatch(30) }).Enable()
	interrupt.New(31, func(interrupt.Interrupt) { dispatch(31) }).Enable()
}

// dispatch runs in TinyGo's trap handler for vectored line n (priority n-16), with MIE
// already enabled again. It raises the threshold above its own priority first, so only
// higher priorities nest, then calls the handler of every asserted source routed to n.
func dispatch(n uint32) {
	p := n - 16
	state := interrupt.Disable()
	saved := intm.Thresh.Load()
	intm.Thresh.Store(min(p+1, uint32(MaxPriority)))
	interrupt.Restore(state)

	dispatchWord(intm.Status[0].Load(), 0, n)
	dispatchWord(intm.Status[1].Load(), 32, n)

	state = interrupt.Disable()
	intm.Thresh.Store(saved)
	interrupt.Restore(state)
}

func dispatchWord(status uint32, base int, n uint32) {
	for status != 0 {
		b := bits.TrailingZeros32(status)
		status &^= 1 << b
		s := base + b
		if s >= len(handlers) || intm.Map[s].Load() != n {
			continue
		}
		if h := handlers[s]; h != nil {
			h()
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
	handlers[src] = handler
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
func Cycles() uint32 {
	Start()
	return uint32(mpccr.Get())
}

// CPUFrequency returns the core clock in Hz: TinyGo's ESP32-C3 runtime runs the CPU at
// 160 MHz.
func CPUFrequency() uint32 { return 160_000_000 }

// OnCore reports whether the caller runs on one of the chip's cores: on the chip, always.
func OnCore() bool { return true }
