//go:build !tinygo

package rt

import "github.com/gohal/gohal/rt/host"

// The host implementation: the same operations as rt_esp32c3.go, performed on the simulated
// CPU's interrupt controller instead of INTERRUPT_CORE0's registers. A simulator shows the
// same state in those registers, so firmware that reads them back sees what it wrote here.
// Every call that can unmask an interrupt is a preemption point, as on the chip.

// Bind makes handler the handler of src on the current core; nil unbinds it.
func Bind(src Source, handler func()) {
	Start()
	c := host.CurrentCore()
	if handler != nil && !c.Bound(int(src)) && c.NumBound() >= MaxBound {
		panic(errTooManyBound) // the chip's table holds MaxBound handlers
	}
	c.Bind(int(src), handler)
}

// Unbind disconnects src from the current core and forgets its handler. Unlike Bind it does
// not start rt (see the chip's Unbind).
func Unbind(src Source) {
	c := host.CurrentCore()
	c.MapSource(int(src), 0)
	c.Bind(int(src), nil)
}

// Enable routes src to the current core at priority p (clamped to MaxPriority); p = 0
// disables it.
func Enable(src Source, p Priority) {
	if p == 0 {
		Disable(src)
		return
	}
	Start()
	c := host.CurrentCore()
	n := VectoredInterrupt(p)
	c.SetLine(int(n), uint32(min(p, MaxPriority)), false, true)
	c.MapSource(int(src), uint32(n))
	host.Poll()
}

// Disable disconnects src from the current core.
func Disable(src Source) { host.CurrentCore().MapSource(int(src), 0) }

// SourcePending reports whether src's interrupt line is asserted.
func SourcePending(src Source) bool { return host.MustCurrent().Source(int(src)) }

// EnableCPU enables CPU interrupt n on the current core.
func EnableCPU(n CPUInterrupt) {
	Start()
	host.CurrentCore().EnableLine(int(n), true)
	host.Poll()
}

// DisableCPU disables CPU interrupt n on the current core.
func DisableCPU(n CPUInterrupt) { host.CurrentCore().EnableLine(int(n), false) }

// SetCPUPriority sets the priority of CPU interrupt n (0 masks it).
func SetCPUPriority(n CPUInterrupt, p Priority) {
	host.CurrentCore().SetPriority(int(n), uint32(min(p, MaxPriority)))
	host.Poll()
}

// CPUPriority returns the priority of CPU interrupt n.
func CPUPriority(n CPUInterrupt) Priority { return Priority(host.CurrentCore().Priority(int(n))) }

// SetCPUEdge makes CPU interrupt n edge-triggered (latched until ClearCPU) or level.
func SetCPUEdge(n CPUInterrupt, edge bool) { host.CurrentCore().SetLineEdge(int(n), edge) }

// ClearCPU clears the latch of edge-triggered CPU interrupt n.
func ClearCPU(n CPUInterrupt) { host.CurrentCore().Clear(1 << n) }

// CPUPending reports whether CPU interrupt n is pending (enabled or not).
func CPUPending(n CPUInterrupt) bool { return host.CurrentCore().Status()&(1<<n) != 0 }

// SetThreshold masks the interrupts of priority below p on the current core.
func SetThreshold(p Priority) {
	Start()
	host.CurrentCore().SetThreshold(uint32(p))
	host.Poll()
}

// Threshold returns the current core's interrupt threshold.
func Threshold() Priority { return Priority(host.CurrentCore().Threshold()) }

// EnterCritical disables interrupts on the current core and, with several cores, takes the
// lock shared by all of them.
func EnterCritical() CS { return CS{uintptr(host.Enter())} }

// Exit ends the critical section; ending the outermost one enables interrupts again.
func (cs CS) Exit() { host.Exit(uint32(cs.state)) }

// WaitForInterrupt sleeps until an interrupt is pending on the current core. With
// interrupts enabled the handler runs before it returns; inside a critical section it returns
// with the interrupt still pending, so checking a condition and sleeping inside one section
// cannot lose a wake-up.
func WaitForInterrupt() { host.WaitForInterrupt() }

// CoreID returns the number of the core the caller runs on.
func CoreID() int { return host.CoreID() }

// NumCores returns the number of cores.
func NumCores() int { return host.NumCores() }

// StartCore starts entry in thread mode on core id; it reports false if there is no such
// secondary core or it is still running earlier code.
func StartCore(id int, entry func()) bool {
	m := host.MustCurrent()
	if id <= 0 || id >= m.NumCores() {
		return false
	}
	return m.Core(id).Start(entry)
}

// InInterrupt reports whether the caller runs in an interrupt handler.
func InInterrupt() bool { return host.InInterrupt() }

// Cycles returns the core's cycle counter. It is 32 bits wide, as the ESP32-C3's is, and
// wraps; differences between two readings are correct modulo 2³².
func Cycles() uint32 { return uint32(host.Cycles()) }

// CPUFrequency returns the core clock in Hz, the rate at which Cycles counts.
func CPUFrequency() uint32 { return uint32(host.CPUHz()) }

// Start installs rt's trap handler on the current core, as the chip's Start writes mtvec
// (the simulated core boots with whatever trap software the simulator gives it, TinyGo's on
// sim/esp32c3). Every function that routes or enables an interrupt calls it, as on the chip,
// so firmware need not. Without a running machine it does nothing.
func Start() {
	if host.Current() == nil {
		return
	}
	if c := host.CurrentCore(); c.Trap() != host.TrapRT {
		c.SetTrap(host.TrapRT)
		c.SetThreshold(1) // as the chip's Start lowers TinyGo's boot threshold
	}
}

// OnCore reports whether the caller runs on one of the chip's cores. On the chip it always
// does; on the host, goroutines the simulated CPU does not run (a test's, or ones the
// firmware started itself) do not, and CoreID reports 0 for them.
func OnCore() bool { return host.OnCore() }

// TrapEntryCycles returns the cycle counter (Cycles) when the current core last took an
// interrupt trap, for latency measurements (see the chip's version).
func TrapEntryCycles() uint32 { return uint32(host.CurrentCore().TrapEntryCycles()) }
