// Package rt is the floor gohal firmware stands on, below the HAL: CPU interrupts and the
// interrupt matrix, critical sections, wait-for-interrupt, core id and a cycle counter. Its
// register cells live in rt/mmio.
//
// There is one API with two implementations, chosen by build tag:
//
//   - tinygo && esp32c3: the real chip. Peripheral sources are routed through INTERRUPT_CORE0
//     to CPU interrupts 17..31, one per priority (priority p on line 16+p, esp-hal's
//     vectored scheme). rt owns the trap vector (mtvec) as esp-hal's runtime does, because
//     TinyGo 0.33's own trap handler re-enters a level interrupt before its handler runs and
//     leaves mcause set (rt_esp32c3.go says why and how); its handler raises the threshold
//     above the line's priority before it enables interrupts, so handlers nest by priority,
//     calls the handler bound to every asserted source of the line, and clears mcause when
//     the outermost handler returns. Critical sections clear mstatus.MIE.
//   - the host (everything else): the same API over rt/host, a simulated CPU that a simulator
//     such as sim/esp32c3 runs the firmware on. Each core runs thread code on a goroutine and
//     each handler level on another; a handler runs only where the real core could take the
//     interrupt (see rt/host and README.md), and the race detector sees races between handler
//     and thread code as races. The simulated core runs the same trap-handler steps as the
//     chip (rt/host, trap.go), and boots with a model of TinyGo's, as the chip does.
//
// # Interrupts
//
// The usual way, as esp-hal does it: Bind a handler to a peripheral's interrupt source, then
// Enable the source at a priority. The handler runs on the core that called Enable (and Bind)
// whenever the source's level is high; it must clear the cause in the peripheral. Handlers run
// with interrupts enabled, so a handler of higher priority may preempt one of lower priority;
// data shared between a handler and other code must be accessed inside a critical section
// (EnterCritical, Critical) or with sync/atomic.
//
// The CPU-interrupt functions (EnableCPU, SetCPUPriority, SetThreshold, ...) give direct
// access to the CPU side of the controller, for code that manages lines itself.
package rt

// Source is a peripheral interrupt source, numbered as the chip's interrupt matrix numbers
// them (ESP32-C3: 0..61; the simulator's sim/esp32c3 names the ones it models).
type Source uint16

// Priority is an interrupt priority: 1 is the lowest, MaxPriority the highest, 0 disables.
type Priority uint8

// MaxPriority is the highest interrupt priority.
const MaxPriority Priority = 15

// CPUInterrupt is a CPU interrupt line, 1..31.
type CPUInterrupt uint8

// VectoredInterrupt returns the CPU interrupt line that carries the sources enabled at
// priority p: line 16+p, as in esp-hal.
func VectoredInterrupt(p Priority) CPUInterrupt { return CPUInterrupt(16 + min(p, MaxPriority)) }

// CS is an entered critical section; Exit ends it. Critical sections nest: only the outermost
// Exit enables interrupts again.
type CS struct{ state uintptr }

// Critical runs f inside a critical section.
func Critical(f func()) {
	cs := EnterCritical()
	defer cs.Exit()
	f()
}

// MaxBound is how many interrupt sources can have a handler bound at once on a core.
// Binding one more panics; Unbind (or Bind(src, nil)) frees one.
const MaxBound = 24

// errTooManyBound is Bind's panic past MaxBound bound sources (a string: an error value
// would link the error interface's machinery into programs that have none).
const errTooManyBound = "rt: Bind: rt.MaxBound (24) sources already bound on this core: Unbind one first"
