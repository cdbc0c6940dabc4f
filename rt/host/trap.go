//go:build !tinygo

package host

import (
	"errors"
	"fmt"
)

// Trap selects the trap software a core runs when it takes an interrupt: the code its mtvec
// points at. On the ESP32-C3 the hardware does little by itself (it clears MIE, records
// mcause and jumps); masking the line, enabling nesting, finding the handler and clearing
// mcause are all the trap software's job, and what it gets wrong, the chip gets wrong. So
// the model runs the same steps as the real software, not an idealised dispatcher.
type Trap uint32

const (
	// TrapRT is rt's own trap handler (gohalTrap in rt/rt_esp32c3.go), which rt installs
	// in mtvec when it starts. The two must be kept in step.
	TrapRT Trap = iota
	// TrapTinyGo033 is TinyGo 0.33's handler (runtime/interrupt, interrupt_esp32c3.go,
	// handleInterrupt), which TinyGo's runtime leaves in mtvec at boot: it sets the taken
	// line's priority to 10, clears the latch of an edge line only, enables interrupts, calls
	// the handler registered for the line with interrupt.New (SetVector), then restores the
	// priority, and never clears mcause.
	TrapTinyGo033
)

// ErrTrapStorm is the failure Run reports when a core takes traps nested deeper than the
// chip could (a line that re-enters before its handler runs): on the chip each nested trap
// takes another stack frame until the stack overflows.
var ErrTrapStorm = errors.New("trap storm")

// tinygoDisableThreshold is the priority TinyGo 0.33's handler gives the line it runs
// ("disableThreshold"): meant to mask it, but it is above every threshold gohal uses.
const tinygoDisableThreshold = 10

func trapName(t uint32) string {
	if Trap(t) == TrapTinyGo033 {
		return "trap handler: TinyGo 0.33's, which re-enables interrupts with the line still asserted at priority 10"
	}
	return "trap handler: rt's"
}

// SetTrap installs trap software t on the core: the model of writing mtvec.
func (c *Core) SetTrap(t Trap) { store32(&c.trap, uint32(t)) }

// Trap returns the trap software installed on the core.
func (c *Core) Trap() Trap { return Trap(load32(&c.trap)) }

// SetVector registers f as the handler TinyGo's trap software calls for CPU interrupt line
// (the model of interrupt.New(line, f)); nil removes it. rt's trap software does not use
// vectors: it dispatches to the handlers bound to sources.
func (c *Core) SetVector(line int, f func()) {
	if f == nil {
		c.vectors[line%Lines].Store(nil)
		return
	}
	c.vectors[line%Lines].Store(&f)
}

// MCause returns the core's mcause CSR: 1<<31 | line after an interrupt was taken, until
// software clears it.
func (c *Core) MCause() uint32 { return load32(&c.mcause) }

// runTrap runs the installed trap software for line on handler context h. It is entered as
// the hardware leaves a trap: MIE clear, mcause set. It must return with MIE clear; the
// caller then performs mret.
func (c *Core) runTrap(h *context, line uint32) {
	defer func() {
		if r := recover(); r != nil {
			c.m.fail(c, h, r)
		}
	}()
	if Trap(load32(&c.trap)) == TrapTinyGo033 {
		c.tinygoTrap(h, line)
	} else {
		c.rtTrap(h, line)
	}
}

// rtTrap is gohalTrap (rt/rt_esp32c3.go), step for step.
func (c *Core) rtTrap(h *context, line uint32) {
	p := c.Priority(int(line))
	saved := c.Threshold()
	c.SetThreshold(min(p+1, MaxPriority)) // masks the line and everything at or below p
	store32(&c.trapDepth, load32(&c.trapDepth)+1)
	if p < MaxPriority {
		store32(&c.mie, 1)
		c.poll(h) // a higher priority may be taken at once
	}
	c.DispatchSources(int(line))
	if p < MaxPriority && load32(&c.mie) == 0 {
		panic("interrupt handler returned inside a critical section")
	}
	store32(&c.mie, 0)
	d := load32(&c.trapDepth) - 1
	store32(&c.trapDepth, d)
	c.SetThreshold(saved)
	if d == 0 {
		store32(&c.mcause, 0) // so thread mode is not "in an interrupt" (interrupt.In)
	}
}

// tinygoTrap is TinyGo 0.33's handleInterrupt for an interrupt, step for step.
func (c *Core) tinygoTrap(h *context, line uint32) {
	saved := c.Priority(int(line))
	c.SetPriority(int(line), tinygoDisableThreshold)
	if bit := uint32(1) << line; c.Edge()&bit != 0 {
		c.Clear(bit)
	}
	store32(&c.mie, 1)
	c.poll(h) // a level line still asserted is taken again here, before its handler runs
	if f := c.vectors[line].Load(); f != nil {
		(*f)()
	}
	if load32(&c.mie) == 0 {
		panic(fmt.Sprintf("the handler of CPU interrupt %d returned inside a critical section", line))
	}
	store32(&c.mie, 0)
	c.SetPriority(int(line), saved)
}

// TrapEntryCycles returns the machine's cycle counter when the core last took a trap.
func (c *Core) TrapEntryCycles() uint64 { return load64(&c.trapAt) }
