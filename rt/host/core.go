//go:build !tinygo

package host

import (
	"fmt"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
)

// Core is one simulated core: its execution contexts and its interrupt controller.
//
// Every word below that a core's goroutines pass between each other is accessed only with
// the invisible atomics (inv_*.go), never with plain loads and stores: the hand-offs carry no
// happens-before edge, so plain accesses would be reported as races in the model itself.
type Core struct {
	m  *Machine
	id int

	// ctx[0] runs thread mode; ctx[d] runs the handler at nesting depth d.
	ctx [MaxPriority + 1]*context

	running  uint64 // goroutine of the context that owns the core now
	depth    uint32 // its nesting depth
	mie      uint32 // 1 when interrupts are enabled (mstatus.MIE), 0 in a critical section
	mcause   uint32 // the mcause CSR: set when a trap is taken, cleared only by software
	trapAt   uint64 // the cycle counter when the last trap was taken (invisible atomics)
	sleeping uint32 // 1 while in WaitForInterrupt
	global   uint32 // 1 while this core's outermost critical section holds m.gmu

	entry atomic.Pointer[func()] // code StartCore gave a secondary core

	// The trap software (trap.go): which handler mtvec points at, TinyGo's per-line
	// handlers (interrupt.New), and the nesting count rt's handler keeps.
	trap      uint32
	vectors   [Lines]atomic.Pointer[func()]
	trapDepth uint32

	// mu is held by the outermost critical section and acquired and released around every
	// handler run: the happens-before edges that make data shared under critical sections
	// race-free. Within a core it never blocks (see doc.go).
	mu sync.Mutex

	// The interrupt controller. Written under m.icMu, read with invisible loads.
	enable, edge, latched, lines uint32
	thresh                       uint32
	pending                      uint32 // lines that are pending and enabled
	prio                         [Lines]uint32
	srcMap                       []uint32 // CPU interrupt line of each source, 0 = none
	handlers                     []atomic.Pointer[func()]
}

type context struct {
	parker
	core    *Core
	depth   int
	g       uint64
	exiting uint32
	// The line a handler context was taken for.
	line uint32
	// Measured CPU time (cpu.go): the thread CPU clock when the context's current interval
	// began, the fraction of a cycle not charged yet (float64 bits), and the remainder of
	// the last cycles-to-nanoseconds conversion.
	cpuMark, cpuFrac, cycRem uint64
}

// ID returns the core's number.
func (c *Core) ID() int { return c.id }

func (c *Core) threadMain(x *context, ready *sync.WaitGroup, main func()) {
	m := c.m
	defer m.wg.Done()
	m.lockThread()
	store64(&x.g, getg())
	ready.Done()
	x.park()
	if m.stopped() {
		return
	}
	m.rebase(x)
	defer func() {
		if r := recover(); r != nil {
			m.fail(c, x, r)
		}
	}()
	if c.id == 0 {
		main()
		m.Stop(nil)
		return
	}
	for {
		if e := c.entry.Swap(nil); e != nil {
			(*e)()
			continue
		}
		c.wfi(x)
	}
}

func (c *Core) handlerMain(h *context, ready *sync.WaitGroup) {
	m := c.m
	defer m.wg.Done()
	m.lockThread()
	store64(&h.g, getg())
	ready.Done()
	for {
		h.park()
		if m.stopped() {
			return
		}
		m.rebase(h)
		line := load32(&h.line)
		// Everything critical sections and interrupt-controller changes (the raise or enable
		// that caused this interrupt) did so far happens before this handler.
		c.mu.Lock()
		c.mu.Unlock()
		m.icMu.Lock()
		m.icMu.Unlock()
		if m.rec != nil {
			m.record(c, RecordTrapEnter, int(line), h.depth)
		}
		c.runTrap(h, line)
		// The handler's computation after its last preemption point, up to mret.
		m.settle(c, h)
		if m.rec != nil {
			m.record(c, RecordTrapExit, int(line), h.depth)
		}
		if m.stopped() {
			return
		}
		// And this handler happens before every later critical section and interrupt-
		// controller operation.
		c.mu.Lock()
		c.mu.Unlock()
		m.icMu.Lock()
		m.icMu.Unlock()
		store32(&c.mie, 1) // mret: MIE from MPIE, which was 1 since the trap was taken
		prev := c.ctx[h.depth-1]
		store32(&c.depth, uint32(prev.depth))
		store64(&c.running, load64(&prev.g))
		prev.unpark()
	}
}

// DispatchSources runs the handlers of the sources that assert line: the vectored dispatch
// of esp-hal and rt, which snapshots the source status and calls the handler of every
// asserted source mapped to the line. rt's trap handler calls it; a model of other trap
// software may call it from a line's vector (SetVector).
func (c *Core) DispatchSources(line int) {
	m := c.m
	var snap [MaxSources / 64]uint64
	for i := range snap {
		snap[i] = load64(&m.srcLevel[i])
	}
	for w, v := range snap {
		for v != 0 {
			s := w*64 + int(lowestBit64(v))
			v &= v - 1
			if s >= len(c.srcMap) || load32(&c.srcMap[s]) != uint32(line) {
				continue
			}
			f := c.handlers[s].Load()
			if f == nil {
				panic(fmt.Sprintf("interrupt source %d is mapped to CPU interrupt %d on core %d but no handler is bound to it", s, line, c.id))
			}
			if m.rec != nil {
				m.record(c, RecordHandlerEnter, s, 0)
			}
			(*f)()
			if m.rec != nil {
				m.record(c, RecordHandlerExit, s, 0)
			}
		}
	}
}

// best returns the line the core would take now if interrupts were enabled: the pending,
// enabled line of highest priority at or above the threshold (priority 0 masks a line). As
// on the ESP32-C3, the hardware keeps no "current priority": a handler runs above the code
// it interrupted only because the trap software raised the threshold (trap.go).
// Between lines of equal priority the lowest-numbered wins (the ESP32-C3 TRM does not say;
// see esp32c3-facts.md, UNCONFIRMED).
func (c *Core) best() (line, prio uint32, ok bool) {
	p := load32(&c.pending)
	if p == 0 {
		return 0, 0, false
	}
	floor := max(load32(&c.thresh), 1)
	for p != 0 {
		l := lowestBit(p)
		p &= p - 1
		if pr := load32(&c.prio[l]); pr >= floor && pr > prio {
			line, prio, ok = l, pr, true
		}
	}
	return line, prio, ok
}

// wakeable reports whether WaitForInterrupt would return now.
func (c *Core) wakeable() bool {
	if c.id != 0 && load32(&c.depth) == 0 && c.entry.Load() != nil {
		return true
	}
	_, _, ok := c.best()
	return ok
}

// poll takes interrupts while one is pending that the core may take.
func (c *Core) poll(x *context) {
	for {
		if c.m.checkStop(x) || load32(&c.mie) == 0 {
			return
		}
		line, prio, ok := c.best()
		if !ok {
			return
		}
		c.take(x, line, prio)
	}
}

// take hands the core from x to the handler context one level up and waits until the
// handler returns the core.
func (c *Core) take(x *context, line, prio uint32) {
	if x.depth+1 >= len(c.ctx) {
		// On the chip each nested trap takes another frame of the stack until it overflows.
		c.m.fail(c, x, fmt.Errorf("%w: CPU interrupt %d (priority %d) was taken again %d traps deep before its handler could clear it (%s)",
			ErrTrapStorm, line, prio, x.depth+1, trapName(load32(&c.trap))))
		c.m.checkStop(x)
		return
	}
	h := c.ctx[x.depth+1]
	store32(&h.line, line)
	// What the hardware does on a trap: MIE is cleared (MPIE keeps the old value, 1) and
	// mcause records the interrupt.
	store32(&c.mie, 0)
	store32(&c.mcause, 1<<31|line)
	store64(&c.trapAt, c.m.Cycles())
	store32(&c.depth, uint32(h.depth))
	store64(&c.running, load64(&h.g))
	h.unpark()
	x.park()
	c.m.checkStop(x)
	c.m.rebase(x)
}

// wfi is WaitForInterrupt on core c, called by its running context x.
func (c *Core) wfi(x *context) {
	m := c.m
	slept := false // recorded as asleep (Record)
	m.settle(c, x)
	defer m.rebase(x)
	for {
		if m.checkStop(x) {
			return
		}
		if c.wakeable() {
			break
		}
		store32(&c.sleeping, 1)
		if c.wakeable() {
			if !cas32(&c.sleeping, 1, 0) {
				x.park() // a waker cleared the flag first and is unparking us
			}
			break
		}
		if m.rec != nil && !slept {
			slept = true
			m.record(c, RecordSleep, 0, 0)
		}
		m.noteSleep()
		x.park()
		store32(&c.sleeping, 0)
	}
	if slept {
		m.record(c, RecordWake, 0, 0)
	}
	if load32(&c.mie) != 0 {
		c.poll(x)
	}
}

// kick wakes the core if it sleeps and now has something to do. The sleeper publishes
// sleeping before checking for work and the waker publishes work before checking sleeping,
// both with sequentially consistent atomics, so a wake-up is never lost.
func (c *Core) kick() {
	if load32(&c.sleeping) != 0 && c.wakeable() && cas32(&c.sleeping, 1, 0) {
		c.ctx[load32(&c.depth)].unpark()
	}
}

// update recomputes the core's interrupt lines from the sources and wakes it if needed.
// Called with m.icMu held.
func (c *Core) update() {
	var lines uint32
	for w := range c.m.srcLevel {
		v := load64(&c.m.srcLevel[w])
		for v != 0 {
			s := w*64 + int(lowestBit64(v))
			v &= v - 1
			if s < len(c.srcMap) {
				if l := load32(&c.srcMap[s]); l != 0 {
					lines |= 1 << l
				}
			}
		}
	}
	old := load32(&c.lines)
	edge := load32(&c.edge)
	latched := load32(&c.latched) | lines&^old&edge
	store32(&c.lines, lines)
	store32(&c.latched, latched)
	pending := (lines&^edge | latched) & load32(&c.enable)
	store32(&c.pending, pending)
	if pending != 0 {
		c.kick()
	}
}

func (c *Core) modify(f func()) {
	c.m.icMu.Lock()
	defer c.m.icMu.Unlock()
	f()
	c.update()
}

// MapSource routes interrupt source src to CPU interrupt line (0 disconnects it).
func (c *Core) MapSource(src int, line uint32) {
	c.modify(func() { store32(&c.srcMap[src], line%Lines) })
}

// SourceLine returns the CPU interrupt line source src is routed to, 0 if none.
func (c *Core) SourceLine(src int) uint32 { return load32(&c.srcMap[src]) }

// SetEnabled sets the mask of enabled CPU interrupt lines (bit 0 is ignored).
func (c *Core) SetEnabled(mask uint32) { c.modify(func() { store32(&c.enable, mask&^1) }) }

// EnableLine enables or disables one line, leaving the others as they are.
func (c *Core) EnableLine(line int, on bool) {
	c.modify(func() { store32(&c.enable, setBit(load32(&c.enable), line, on)&^1) })
}

// SetLineEdge makes one line edge-triggered (true) or level (false).
func (c *Core) SetLineEdge(line int, edge bool) {
	c.modify(func() { store32(&c.edge, setBit(load32(&c.edge), line, edge)&^1) })
}

// SetLine configures a line in one step: priority, type and enable.
func (c *Core) SetLine(line int, prio uint32, edge, enabled bool) {
	c.modify(func() {
		store32(&c.prio[line%Lines], min(prio, MaxPriority))
		store32(&c.edge, setBit(load32(&c.edge), line, edge)&^1)
		store32(&c.enable, setBit(load32(&c.enable), line, enabled)&^1)
	})
}

func setBit(v uint32, bit int, on bool) uint32 {
	if on {
		return v | 1<<(bit%Lines)
	}
	return v &^ (1 << (bit % Lines))
}

// Enabled returns the mask of enabled lines.
func (c *Core) Enabled() uint32 { return load32(&c.enable) }

// SetEdge sets which lines are edge-triggered (1) rather than level (0).
func (c *Core) SetEdge(mask uint32) { c.modify(func() { store32(&c.edge, mask&^1) }) }

// Edge returns the mask of edge-triggered lines.
func (c *Core) Edge() uint32 { return load32(&c.edge) }

// Clear clears the edge latches of the lines in mask (CPU_INT_CLEAR).
func (c *Core) Clear(mask uint32) {
	c.modify(func() { store32(&c.latched, load32(&c.latched)&^mask) })
}

// SetPriority sets the priority of a line, 0 (masked) to MaxPriority.
func (c *Core) SetPriority(line int, p uint32) {
	c.modify(func() { store32(&c.prio[line%Lines], min(p, MaxPriority)) })
}

// Priority returns the priority of a line.
func (c *Core) Priority(line int) uint32 { return load32(&c.prio[line%Lines]) }

// SetThreshold sets the core's interrupt threshold: lines below it are masked.
func (c *Core) SetThreshold(t uint32) { c.modify(func() { store32(&c.thresh, t) }) }

// Threshold returns the core's interrupt threshold.
func (c *Core) Threshold() uint32 { return load32(&c.thresh) }

// Status returns the pending lines, enabled or not (level lines asserted, edge lines latched).
func (c *Core) Status() uint32 {
	return load32(&c.lines)&^load32(&c.edge) | load32(&c.latched)
}

// Bind makes h the handler of interrupt source src on this core (nil unbinds).
func (c *Core) Bind(src int, h func()) {
	if h == nil {
		c.handlers[src].Store(nil)
		return
	}
	c.handlers[src].Store(&h)
}

// NumBound returns how many sources have a handler on this core.
func (c *Core) NumBound() int {
	n := 0
	for i := range c.handlers {
		if c.handlers[i].Load() != nil {
			n++
		}
	}
	return n
}

// Bound reports whether source src has a handler on this core.
func (c *Core) Bound(src int) bool { return c.handlers[src].Load() != nil }

// Start gives a secondary core code to run in thread mode; it reports false for core 0 or a
// core that has not finished the code it was given before.
func (c *Core) Start(entry func()) bool {
	if c.id == 0 || !c.entry.CompareAndSwap(nil, &entry) {
		return false
	}
	if load32(&c.sleeping) != 0 && cas32(&c.sleeping, 1, 0) {
		c.ctx[load32(&c.depth)].unpark()
	}
	return true
}

func lowestBit64(v uint64) uint32 { return uint32(bits.TrailingZeros64(v)) }

// The functions below act on the calling goroutine's core in the running machine; rt's
// host implementation is built on them.

// CurrentCore returns the core the caller runs on (core 0 for goroutines that are not a
// core's). It panics if no machine is running.
func CurrentCore() *Core {
	m := MustCurrent()
	if c, _ := m.self(); c != nil {
		return c
	}
	return m.cores[0]
}

// Poll is a preemption point for the running machine, if any (see Machine.Poll).
func Poll() {
	if m := current.Load(); m != nil {
		m.Settle()
		m.Poll()
	}
}

// Critical-section states returned by Enter.
const (
	csNested  = 0 // interrupts were already disabled: nothing to undo
	csOuter   = 1 // the outermost section on a core
	csForeign = 2 // a goroutine that is not a core: locks only
	csNone    = 3 // no machine
)

// Enter begins a critical section on the caller's core: interrupts are disabled on it and,
// for the outermost section, the core's mutex (and with several cores the cross-core lock)
// is taken. It returns the state Exit needs.
func Enter() uint32 {
	// Small enough to inline: without a running machine (unit tests, benchmarks of code
	// that uses critical sections) a critical section costs one atomic load.
	m := current.Load()
	if m == nil {
		return csNone
	}
	return m.enter()
}

func (m *Machine) enter() uint32 {
	c, _ := m.self()
	if c == nil {
		m.cores[0].mu.Lock()
		if len(m.cores) > 1 {
			m.gmu.Lock()
		}
		return csForeign
	}
	if load32(&c.mie) == 0 {
		return csNested
	}
	store32(&c.mie, 0)
	c.mu.Lock()
	if len(m.cores) > 1 {
		m.gmu.Lock()
		store32(&c.global, 1)
	}
	return csOuter
}

// Exit ends the critical section Enter began; leaving the outermost one is a preemption
// point.
func Exit(state uint32) {
	// Only csOuter and csForeign have anything to undo (one comparison keeps this inlinable).
	if state-csOuter <= csForeign-csOuter {
		exitSection(state)
	}
}

//go:noinline
func exitSection(state uint32) {
	if m := current.Load(); m != nil {
		m.exit(state)
	}
}

func (m *Machine) exit(state uint32) {
	if state == csForeign {
		if len(m.cores) > 1 {
			m.gmu.Unlock()
		}
		m.cores[0].mu.Unlock()
		return
	}
	c, x := m.self()
	if c == nil {
		panic("rt: critical section ended on a different goroutine than it began")
	}
	if len(m.cores) > 1 {
		store32(&c.global, 0)
		m.gmu.Unlock()
	}
	c.mu.Unlock()
	store32(&c.mie, 1)
	m.settle(c, x)
	c.poll(x)
}

// WaitForInterrupt sleeps until the caller's core has an interrupt it may take (taking it
// first if interrupts are enabled). Inside a critical section it returns with the interrupt
// still pending, as RISC-V's WFI does. On a goroutine that is not a core it only yields:
// WFI may legally return at any time.
//
// With several cores, a core that sleeps inside a critical section lets go of the cross-core
// lock until it wakes: masking its own interrupts is what makes check-then-sleep safe (the
// idiom rt documents), and on the single-core chip that is all a critical section is. Holding
// the lock would keep every other core out of its critical sections, including the one that
// raises the interrupt this core waits for.
func WaitForInterrupt() {
	m := current.Load()
	if m == nil {
		runtime.Gosched()
		return
	}
	c, x := m.self()
	if c == nil {
		runtime.Gosched()
		return
	}
	if load32(&c.global) != 0 {
		store32(&c.global, 0)
		m.gmu.Unlock()
		defer func() {
			m.gmu.Lock()
			store32(&c.global, 1)
		}()
	}
	c.wfi(x)
}

// CoreID returns the caller's core number (0 outside a machine or a core).
func CoreID() int {
	if m := current.Load(); m != nil {
		if c, _ := m.self(); c != nil {
			return c.id
		}
	}
	return 0
}

// InInterrupt reports whether the caller runs in an interrupt handler. Like TinyGo's
// interrupt.In (which its allocator asks before every heap allocation), it reads mcause:
// non-zero means "in a handler". The hardware sets mcause when it takes a trap and nothing
// but software clears it, so after trap software that forgets to (TinyGo 0.33's) it stays
// true in thread mode, as on the chip.
func InInterrupt() bool {
	if m := current.Load(); m != nil {
		if c, x := m.self(); x != nil {
			return load32(&c.mcause) != 0
		}
	}
	return false
}

// Cycles returns the running machine's cycle counter (0 without a machine). With measured
// CPU time (MeasureCPU) the caller's core is charged first (Settle), so that the count
// includes the computation that led to the reading.
func Cycles() uint64 {
	if m := current.Load(); m != nil {
		m.Settle()
		return m.Cycles()
	}
	return 0
}

// CPUHz returns the running machine's core clock (0 without a machine).
func CPUHz() uint64 {
	if m := current.Load(); m != nil {
		return m.cfg.CPUHz
	}
	return 0
}

// MustCurrent returns the running machine and panics with a clear message if there is none.
func MustCurrent() *Machine {
	m := current.Load()
	if m == nil {
		panic("rt: no simulated chip is running (start one with a simulator, e.g. sim/esp32c3)")
	}
	return m
}

// NumCores returns the running machine's number of cores (1 without a machine).
func NumCores() int {
	if m := current.Load(); m != nil {
		return len(m.cores)
	}
	return 1
}

// OnCore reports whether the caller is one of the running machine's cores (thread or
// handler context), rather than a goroutine the model does not run.
func OnCore() bool {
	if m := current.Load(); m != nil {
		c, _ := m.self()
		return c != nil
	}
	return false
}
