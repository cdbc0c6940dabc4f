// Package swint drives the ESP32-C3's four software interrupts, FROM_CPU_INTR0–3
// (esp32c3-facts.md §2): SYSTEM.CPU_INTR_FROM_CPU_n bit 0 holds interrupt source 50+n high
// until software writes 0 again. Firmware raises one to run a handler at a chosen priority
// soon, on the core that bound it; the async package's interrupt-mode executors and
// cross-core wakes are built on them.
//
// Each of the four is owned by one user at a time, through hal/periph's registry (the one
// hal.Init's tokens and every driver use): New claims the token hal.Init handed out, Take
// claims FROM_CPU_INTRn by number, and a second claim of the same one is an
// *periph.InUseError naming it and its owner. Release gives it back.
//
//	sw, err := swint.Take(1)
//	sw.Bind(func() { sw.Clear(); work() }, 2) // on this core, at priority 2
//	sw.Raise()                                 // from anywhere: work runs at priority 2
//
// *SoftwareInterrupt satisfies async.SoftwareInterrupt. Raise and Clear never allocate and
// are safe from any context (thread mode, any interrupt priority, any core).
package swint

import (
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/system"
	"github.com/gohal/gohal/rt"
)

// Count is the number of software interrupts.
const Count = periph.NumSoftwareInterrupts

// SoftwareInterrupt is one of FROM_CPU_INTR0–3. Get one with New, Take or Claim.
type SoftwareInterrupt struct {
	n    uint8
	core int // core it is bound on, -1 if unbound
}

var ints = [Count]SoftwareInterrupt{{n: 0, core: -1}, {n: 1, core: -1}, {n: 2, core: -1}, {n: 3, core: -1}}

// New claims the software interrupt of token tok (from hal.Init) for the caller.
func New(tok periph.SoftwareInterrupt) (*SoftwareInterrupt, error) { return Claim(tok, "swint") }

// Take claims FROM_CPU_INTRn (n = 0..3) by number, for firmware that does not use hal.Init.
func Take(n int) (*SoftwareInterrupt, error) {
	return Claim(periph.StealSoftwareInterrupt(n), "swint")
}

// Claim claims the software interrupt of token tok for owner, the name an *InUseError shows
// to whoever asks for it next.
func Claim(tok periph.SoftwareInterrupt, owner string) (*SoftwareInterrupt, error) {
	n := tok.Number()
	if err := periph.Claim(periph.KindSoftwareInterrupt, n, owner); err != nil {
		return nil, err
	}
	return &ints[n], nil
}

// Release unbinds the software interrupt (if bound; call it on the core it is bound on),
// lowers it, and gives it back to the registry.
func (s *SoftwareInterrupt) Release() {
	s.Unbind()
	s.Clear()
	periph.Release(periph.KindSoftwareInterrupt, int(s.n))
}

// Number returns n of FROM_CPU_INTRn.
func (s *SoftwareInterrupt) Number() int { return int(s.n) }

// Name returns "FROM_CPU_INTRn".
func (s *SoftwareInterrupt) Name() string { return periph.StealSoftwareInterrupt(int(s.n)).String() }

// Source returns its interrupt-matrix source (50+n).
func (s *SoftwareInterrupt) Source() rt.Source {
	return rt.Source(esp32c3.IRQ_FROM_CPU_INTR0) + rt.Source(s.n)
}

// Raise sets the interrupt's level. The handler bound to it runs on the core it was bound
// on, at its priority, as soon as that core may take it (at once, if that is the caller's
// core and it runs below that priority with interrupts enabled), and again after every
// return until Clear lowers the level. As esp-hal does, Raise waits until the interrupt
// matrix sees the source, so that the interrupt is pending when it returns.
func (s *SoftwareInterrupt) Raise() {
	cs := rt.EnterCritical()
	esp32c3.SYSTEM.CPU_INTR_FROM_CPU[s.n].Write(system.CPU_INTR_FROM_CPUValue(0).WithCPU_INTR_FROM_CPU(true))
	for i := 0; i < 16 && !rt.SourcePending(s.Source()); i++ {
	}
	cs.Exit()
}

// Clear lowers the interrupt's level. A handler must call it (before doing its work, so a
// Raise during the work runs it again).
func (s *SoftwareInterrupt) Clear() {
	esp32c3.SYSTEM.CPU_INTR_FROM_CPU[s.n].Write(system.CPU_INTR_FROM_CPUValue(0))
}

// Pending reports whether the interrupt is raised.
func (s *SoftwareInterrupt) Pending() bool {
	return esp32c3.SYSTEM.CPU_INTR_FROM_CPU[s.n].Read().CPU_INTR_FROM_CPU()
}

// Bind makes handler the interrupt's handler on the current core and enables it there at
// priority p (1..15), replacing an earlier binding (on any core). The handler must Clear
// the interrupt.
func (s *SoftwareInterrupt) Bind(handler func(), p rt.Priority) {
	if p == 0 {
		p = 1
	}
	s.Unbind()
	src := s.Source()
	rt.Bind(src, handler)
	rt.Enable(src, p)
	s.core = rt.CoreID()
}

// Unbind disables the interrupt on the core it was bound on and removes its handler. Call
// it on that core.
func (s *SoftwareInterrupt) Unbind() {
	if s.core < 0 {
		return
	}
	src := s.Source()
	rt.Disable(src)
	rt.Unbind(src)
	s.core = -1
}

// Core returns the core the interrupt is bound on, or -1.
func (s *SoftwareInterrupt) Core() int { return s.core }
