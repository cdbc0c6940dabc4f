//go:build tinygo && !esp32c3

package rt

import "runtime/interrupt"

// The generic TinyGo implementation, for targets gohal has no interrupt-controller support
// for yet (the QEMU machines make tinygo runs on: sifive_e, netduino2). Critical sections,
// core id and InInterrupt work, so the async executor and its sync primitives run there; the
// interrupt-routing functions do nothing and WaitForInterrupt returns at once (the executor
// then polls in a loop). Chip support (esp32c3) lives in its own file.

// Start does nothing on this target.
func Start() {}

// Bind does nothing on this target.
func Bind(src Source, handler func()) {}

// Unbind does nothing on this target.
func Unbind(src Source) {}

// Enable does nothing on this target.
func Enable(src Source, p Priority) {}

// Disable does nothing on this target.
func Disable(src Source) {}

// SourcePending reports false on this target.
func SourcePending(src Source) bool { return false }

// EnableCPU does nothing on this target.
func EnableCPU(n CPUInterrupt) {}

// DisableCPU does nothing on this target.
func DisableCPU(n CPUInterrupt) {}

// SetCPUPriority does nothing on this target.
func SetCPUPriority(n CPUInterrupt, p Priority) {}

// CPUPriority reports 0 on this target.
func CPUPriority(n CPUInterrupt) Priority { return 0 }

// SetCPUEdge does nothing on this target.
func SetCPUEdge(n CPUInterrupt, edge bool) {}

// ClearCPU does nothing on this target.
func ClearCPU(n CPUInterrupt) {}

// CPUPending reports false on this target.
func CPUPending(n CPUInterrupt) bool { return false }

// SetThreshold does nothing on this target.
func SetThreshold(p Priority) {}

// Threshold reports 0 on this target.
func Threshold() Priority { return 0 }

// EnterCritical disables interrupts (TinyGo's runtime/interrupt).
func EnterCritical() CS { return CS{uintptr(interrupt.Disable())} }

// Exit ends the critical section.
func (cs CS) Exit() { interrupt.Restore(interrupt.State(cs.state)) }

// WaitForInterrupt returns at once on this target.
func WaitForInterrupt() {}

// CoreID returns 0.
func CoreID() int { return 0 }

// NumCores returns 1.
func NumCores() int { return 1 }

// StartCore reports false.
func StartCore(id int, entry func()) bool { return false }

// InInterrupt reports whether the caller runs in an interrupt handler.
func InInterrupt() bool { return interrupt.In() }

// OnCore reports true.
func OnCore() bool { return true }

// Cycles returns 0 on this target: it has no cycle counter support yet.
func Cycles() uint32 { return 0 }

// CPUFrequency returns 0 on this target (unknown).
func CPUFrequency() uint32 { return 0 }

// TrapEntryCycles returns 0: this target has no interrupt support in rt.
func TrapEntryCycles() uint32 { return 0 }
