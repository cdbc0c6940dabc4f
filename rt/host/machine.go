//go:build !tinygo

package host

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gohal/gohal/rt/mmio"
)

const (
	// Lines is the number of CPU interrupt lines per core; line 0 does not exist, as on
	// RISC-V where cause 0 is not an external interrupt.
	Lines = 32
	// MaxPriority is the highest interrupt priority; 0 means masked.
	MaxPriority = 15
	// MaxSources is the largest number of interrupt sources a machine can have.
	MaxSources = 128

	never = math.MaxUint64
)

// Config describes a machine.
type Config struct {
	// Cores is the number of cores (default 1).
	Cores int
	// Sources is the number of interrupt sources (default 64, at most MaxSources).
	Sources int
	// AccessCost is the virtual time one register access takes (default 50ns). It is what
	// makes time pass while firmware busy-waits on a status register.
	AccessCost time.Duration
	// CPUHz is the core clock that Cycles counts (default 160 MHz).
	CPUHz uint64
	// RealTime paces virtual time to the wall clock, for demos.
	RealTime bool
	// OnTime is called on the machine's clock goroutine each time virtual time reaches the
	// deadline set with SetDeadline; it must set the next deadline.
	OnTime func()
	// CanWake, if set, reports whether anything scheduled could still wake a core. When every
	// core waits for an interrupt and it reports false, Run stops with ErrIdle although a
	// deadline is set: a simulator's own time limit is such a deadline, and jumping to it
	// would report a timeout where the truth is that nothing will ever happen.
	CanWake func() bool
	// StallLimit is how long, in real time, virtual time may stand still while a core is
	// awake before Run stops with ErrStalled (default 10s). Only register accesses move time,
	// so a loop that spins on a plain variable stalls the model: it would never let an
	// interrupt in (and is a bug on the chip as well, where the compiler may hoist the load).
	StallLimit time.Duration
	// Trap is the trap software every core starts with (see Trap). The zero value is rt's;
	// sim/esp32c3 starts with TinyGo 0.33's, as TinyGo's runtime leaves mtvec at boot, and
	// rt installs its own when it starts, as on the chip.
	Trap Trap
	// StopGrace is how long Run waits, after the machine stopped, for cores that run code
	// without touching a register (default 2s). Such cores are abandoned and reported.
	StopGrace time.Duration
}

// ErrIdle is returned by Run when every core waits for an interrupt and nothing is scheduled
// that could ever raise one.
var ErrIdle = errors.New("every core is waiting for an interrupt and nothing is scheduled")

// ErrStalled is returned by Run when a core stayed awake without touching a register for
// Config.StallLimit of real time.
var ErrStalled = errors.New("a core runs without touching any register, so virtual time stands still and no interrupt can be taken (a loop spinning on a plain variable?); wait with rt.WaitForInterrupt instead")

// PanicError reports a panic in firmware, with where and when it happened.
type PanicError struct {
	Core    int
	Context string        // "thread mode" or "handler for CPU interrupt n"
	Time    time.Duration // virtual time of the panic
	Value   any
	Stack   []byte
}

// Unwrap returns the panic value if it is an error (ErrTrapStorm, for one).
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("firmware panic on core %d in %s at %v (virtual time): %v\n%s", e.Core, e.Context, e.Time, e.Value, e.Stack)
}

// Machine is a simulated multi-core CPU with its interrupt controllers and virtual clock.
type Machine struct {
	cfg   Config
	cores []*Core
	cost  uint64

	now      uint64 // virtual nanoseconds since reset (invisible atomics)
	deadline uint64 // when OnTime must next run (invisible atomics)

	// icMu serialises changes to the interrupt controllers. It is also a happens-before
	// device: every handler run acquires it at its start (it runs because of some change:
	// a raise, an enable) and releases it at its end (so later interrupt-controller
	// operations, such as disabling the interrupt, are ordered after the handler).
	icMu     sync.Mutex
	srcLevel [MaxSources / 64]uint64

	gmu sync.Mutex // the cross-core lock every outermost critical section takes (cores > 1)

	clock     parker
	clkLock   uint32 // invisible spin lock: one core at a time waits for the clock
	clkWaiter uint32 // context waiting for OnTime, encoded by ctxID
	idleReq   uint32

	stopping  uint32
	stopOnce  sync.Once
	stopCh    chan struct{}
	errMu     sync.Mutex
	err       error
	started   atomic.Bool
	wg        sync.WaitGroup
	wallStart time.Time

	rec *recorder // set by Record before Run, nil otherwise (record.go)
	cpu cpuMeter  // set by MeasureCPU before Run (cpu.go)
}

var current atomic.Pointer[Machine]

// Current returns the machine that is running, or nil.
func Current() *Machine { return current.Load() }

// New returns a machine in its reset state. Its interrupt controllers and clock can be used
// before Run (a simulator's tests may advance time without firmware).
func New(cfg Config) *Machine {
	if cfg.Cores <= 0 {
		cfg.Cores = 1
	}
	if cfg.Cores > 255 {
		panic("host: at most 255 cores")
	}
	if cfg.Sources <= 0 {
		cfg.Sources = 64
	}
	if cfg.Sources > MaxSources {
		panic(fmt.Sprintf("host: %d interrupt sources, at most %d", cfg.Sources, MaxSources))
	}
	if cfg.AccessCost <= 0 {
		cfg.AccessCost = 50 * time.Nanosecond
	}
	if cfg.CPUHz == 0 {
		cfg.CPUHz = 160_000_000
	}
	if cfg.StopGrace <= 0 {
		cfg.StopGrace = 2 * time.Second
	}
	if cfg.StallLimit <= 0 {
		cfg.StallLimit = 10 * time.Second
	}
	m := &Machine{cfg: cfg, cost: uint64(cfg.AccessCost), deadline: never, stopCh: make(chan struct{})}
	m.clock.init()
	for i := 0; i < cfg.Cores; i++ {
		c := &Core{m: m, id: i, srcMap: make([]uint32, cfg.Sources), handlers: make([]atomic.Pointer[func()], cfg.Sources), trap: uint32(cfg.Trap)}
		for d := range c.ctx {
			x := &context{core: c, depth: d}
			x.init()
			c.ctx[d] = x
		}
		m.cores = append(m.cores, c)
	}
	return m
}

// AccessCost returns the virtual time one register access takes (Config.AccessCost, resolved).
func (m *Machine) AccessCost() time.Duration { return time.Duration(m.cost) }

// NumCores returns the number of cores.
func (m *Machine) NumCores() int { return len(m.cores) }

// Core returns core i.
func (m *Machine) Core(i int) *Core { return m.cores[i] }

// Sources returns the number of interrupt sources.
func (m *Machine) Sources() int { return m.cfg.Sources }

// Now returns the virtual time since reset.
func (m *Machine) Now() time.Duration { return time.Duration(load64(&m.now)) }

// Cycles returns the number of core clock cycles since reset.
func (m *Machine) Cycles() uint64 {
	now := load64(&m.now)
	return now/1e9*m.cfg.CPUHz + now%1e9*m.cfg.CPUHz/1e9
}

// SetDeadline sets the virtual time at which OnTime must next run; a negative t means no
// deadline. Simulators call it with their own lock held, after every change to their
// event queue.
func (m *Machine) SetDeadline(t time.Duration) {
	if t < 0 {
		store64(&m.deadline, never)
		return
	}
	store64(&m.deadline, uint64(t))
}

// Advance moves virtual time forward to t while the machine is not running, for simulator
// tests that drive models without firmware. It does not call OnTime.
func (m *Machine) Advance(t time.Duration) {
	if m.started.Load() && !m.stopped() {
		panic("host: Advance while the machine runs; time passes by itself")
	}
	for {
		n := load64(&m.now)
		if uint64(t) <= n || cas64(&m.now, n, uint64(t)) {
			return
		}
	}
}

func (m *Machine) stopped() bool { return load32(&m.stopping) != 0 }

// Stop ends the run: every core stops at its next preemption point and Run returns err
// (the first non-nil error passed to Stop wins). It may be called from any goroutine,
// including simulator callbacks and firmware.
func (m *Machine) Stop(err error) {
	if err != nil {
		m.errMu.Lock()
		if m.err == nil {
			m.err = err
		}
		m.errMu.Unlock()
	}
	m.stopOnce.Do(func() {
		store32(&m.stopping, 1)
		close(m.stopCh)
		for _, c := range m.cores {
			for _, x := range c.ctx {
				x.unpark()
			}
		}
		m.clock.unpark()
	})
}

// Err returns the error the run stopped with so far.
func (m *Machine) Err() error {
	m.errMu.Lock()
	defer m.errMu.Unlock()
	return m.err
}

// Run starts the cores, runs main in thread mode on core 0 and returns when main returns,
// when Stop is called, when firmware panics (a *PanicError) or when every core waits for an
// interrupt that nothing will raise (ErrIdle). The other cores idle in WaitForInterrupt,
// taking interrupts, until StartCore gives them code to run. Only one machine runs at a
// time; a machine runs once.
func (m *Machine) Run(main func()) error {
	if !m.started.CompareAndSwap(false, true) {
		return errors.New("host: a machine runs only once")
	}
	if !current.CompareAndSwap(nil, m) {
		return errors.New("host: another simulated machine is already running")
	}
	defer current.Store(nil)

	m.wallStart = time.Now()
	var ready sync.WaitGroup
	for _, c := range m.cores {
		for _, x := range c.ctx {
			ready.Add(1)
			m.wg.Add(1)
			if x.depth == 0 {
				go c.threadMain(x, &ready, main)
			} else {
				go c.handlerMain(x, &ready)
			}
		}
	}
	m.wg.Add(1)
	go m.clockMain()
	ready.Wait()

	mmio.SetAccessHook(m.onAccess)
	defer mmio.SetAccessHook(nil)
	for _, c := range m.cores {
		store64(&c.running, load64(&c.ctx[0].g))
		store32(&c.mie, 1)
	}
	for _, c := range m.cores {
		c.ctx[0].unpark()
	}

	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	m.watchStalls(done)
	select {
	case <-done:
	case <-m.stopCh:
		select {
		case <-done:
		case <-time.After(m.cfg.StopGrace):
			err := fmt.Errorf("host: a core did not stop within %v after the machine stopped; it runs code that touches no register and was abandoned", m.cfg.StopGrace)
			if e := m.Err(); e != nil {
				err = fmt.Errorf("%w (and %v)", e, err)
			}
			return err
		}
	}
	return m.Err()
}

// watchStalls returns when the machine finishes or stops; it stops it with ErrStalled when
// virtual time stands still for StallLimit of real time while some core is awake.
func (m *Machine) watchStalls(done <-chan struct{}) {
	step := min(m.cfg.StallLimit/4, time.Second)
	tick := time.NewTicker(step)
	defer tick.Stop()
	last, since := load64(&m.now), time.Now()
	for {
		select {
		case <-done:
			return
		case <-m.stopCh:
			return
		case <-tick.C:
		}
		if now := load64(&m.now); now != last || m.allSleeping() {
			last, since = now, time.Now()
			continue
		}
		if time.Since(since) >= m.cfg.StallLimit {
			m.Stop(fmt.Errorf("at %v: %w", m.Now(), ErrStalled))
			return
		}
	}
}

// fail stops the machine because of a panic on core c.
func (m *Machine) fail(c *Core, x *context, v any) {
	where := "thread mode"
	if x.depth > 0 {
		where = fmt.Sprintf("handler for CPU interrupt %d", load32(&x.line))
	}
	m.Stop(&PanicError{Core: c.id, Context: where, Time: m.Now(), Value: v, Stack: debug.Stack()})
}

// onAccess is the rt/mmio access hook: the preemption point before every register access.
func (m *Machine) onAccess() {
	c, x := m.self()
	if c == nil {
		return
	}
	if m.checkStop(x) {
		return
	}
	m.settle(c, x)
	if t := add64(&m.now, m.cost); t >= load64(&m.deadline) {
		m.reachDeadline(x)
	}
	if load32(&c.pending) != 0 {
		c.poll(x)
	}
}

// Poll is a preemption point: if the calling goroutine is a core with an interrupt it may
// take, the interrupt is taken now. Simulated peripherals call it after a register write
// that may have raised an interrupt line, once they no longer hold their own locks, so the
// interrupt is taken right after the write as on the chip.
//
// With measured CPU time (MeasureCPU) it also begins the caller's next measured interval:
// what the caller did since its last preemption point (a register model handling the
// access) was the simulator's work, not the firmware's.
func (m *Machine) Poll() {
	c, x := m.self()
	if c != nil && load32(&c.pending) != 0 {
		c.poll(x)
	}
	if c != nil {
		m.rebase(x)
	}
}

// self returns the core and context of the calling goroutine, or nil if it is not running
// as one of the machine's cores.
func (m *Machine) self() (*Core, *context) {
	g := getg()
	for _, c := range m.cores {
		if load64(&c.running) == g {
			return c, c.ctx[load32(&c.depth)]
		}
	}
	return nil, nil
}

// checkStop ends the calling core goroutine if the machine is stopping. It reports true if
// the goroutine is already on its way out (running deferred calls), so callers do nothing.
func (m *Machine) checkStop(x *context) bool {
	if load32(&m.stopping) == 0 {
		return false
	}
	if cas32(&x.exiting, 0, 1) {
		runtime.Goexit()
	}
	return true
}

// reachDeadline hands the clock goroutine the work of running OnTime, and waits: the access
// that moved time past the deadline happens after the events that were due.
func (m *Machine) reachDeadline(x *context) {
	for !cas32(&m.clkLock, 0, 1) {
		runtime.Gosched()
	}
	if load64(&m.now) >= load64(&m.deadline) && !m.stopped() {
		store32(&m.clkWaiter, x.id())
		m.clock.unpark()
		x.park()
	}
	store32(&m.clkLock, 0)
	m.checkStop(x)
	m.rebase(x)
}

func (m *Machine) clockMain() {
	defer m.wg.Done()
	for {
		m.clock.park()
		if m.stopped() {
			return
		}
		if w := load32(&m.clkWaiter); w != 0 {
			m.pace(load64(&m.deadline))
			m.fire()
			store32(&m.clkWaiter, 0)
			m.context(w).unpark()
		}
		if cas32(&m.idleReq, 1, 0) {
			m.idle()
		}
	}
}

// fire runs the simulator's OnTime callback; a panic there is a simulator bug and stops the
// machine like a firmware panic would.
func (m *Machine) fire() {
	if m.cfg.OnTime == nil {
		store64(&m.deadline, never)
		return
	}
	defer func() {
		if r := recover(); r != nil {
			m.Stop(&PanicError{Core: -1, Context: "the simulator's clock callback", Time: m.Now(), Value: r, Stack: debug.Stack()})
		}
	}()
	m.cfg.OnTime()
}

// idle runs while every core waits for an interrupt: time jumps from deadline to deadline
// until an event wakes a core.
func (m *Machine) idle() {
	for m.allSleeping() && !m.stopped() {
		d := load64(&m.deadline)
		if !m.cfg.RealTime && d != never && m.cfg.CanWake != nil && !m.cfg.CanWake() {
			m.Stop(fmt.Errorf("at %v: %w", m.Now(), ErrIdle))
			return
		}
		if d == never {
			if !m.cfg.RealTime {
				m.Stop(fmt.Errorf("at %v: %w", m.Now(), ErrIdle))
				return
			}
			// Real time: something outside (a test hook, a terminal) may still act.
			time.Sleep(time.Millisecond)
			continue
		}
		m.pace(d)
		for {
			n := load64(&m.now)
			if n >= d || cas64(&m.now, n, d) {
				break
			}
		}
		m.fire()
	}
}

// pace waits, in real-time mode, until the wall clock catches up with virtual time t.
func (m *Machine) pace(t uint64) {
	if !m.cfg.RealTime || t == never {
		return
	}
	if d := time.Until(m.wallStart.Add(time.Duration(t))); d > 0 {
		time.Sleep(d)
	}
}

func (m *Machine) allSleeping() bool {
	for _, c := range m.cores {
		if load32(&c.sleeping) == 0 {
			return false
		}
	}
	return true
}

// noteSleep is called by a core that has just gone to sleep: if it was the last one awake,
// the clock takes over.
func (m *Machine) noteSleep() {
	if m.allSleeping() {
		store32(&m.idleReq, 1)
		m.clock.unpark()
	}
}

func (m *Machine) context(id uint32) *context {
	id--
	return m.cores[id>>8].ctx[id&0xff]
}

// SetSource drives interrupt source src to level (every source is a level line into the
// interrupt matrix). It never blocks and never preempts, so simulators call it with their
// own locks held.
func (m *Machine) SetSource(src int, level bool) {
	w, bit := src/64, uint64(1)<<(src%64)
	if (load64(&m.srcLevel[w])&bit != 0) == level {
		// No change: no lock either, so that a peripheral re-asserting its unchanged line
		// on every register access does not order the accessing code before handlers.
		return
	}
	m.icMu.Lock()
	defer m.icMu.Unlock()
	old := load64(&m.srcLevel[w])
	nv := old &^ bit
	if level {
		nv |= bit
	}
	if nv == old {
		return
	}
	store64(&m.srcLevel[w], nv)
	if m.rec != nil {
		m.recordSource(src, level)
	}
	for _, c := range m.cores {
		c.update()
	}
}

// Source reports the level of interrupt source src.
func (m *Machine) Source(src int) bool {
	return load64(&m.srcLevel[src/64])&(1<<(src%64)) != 0
}

// SourceStatus returns bits [32i, 32i+32) of the source levels, as the matrix's
// INTR_STATUS registers show them.
func (m *Machine) SourceStatus(i int) uint32 {
	return uint32(load64(&m.srcLevel[i/2]) >> (32 * (i % 2)))
}

// ctxID encodes a context as a non-zero word, for hand-off fields that must be invisible.
func (x *context) id() uint32 { return uint32(x.core.id)<<8 | uint32(x.depth) + 1 }

// lowestBit returns the index of the lowest set bit of a non-zero word.
func lowestBit(v uint32) uint32 { return uint32(bits.TrailingZeros32(v)) }

// HiddenHandoffs reports whether the model's hand-offs between a core's goroutines are
// invisible to the race detector on this architecture (amd64 and arm64), so that races
// between handlers and thread code are reported. Elsewhere the model still runs correctly
// but the detector sees the hand-offs as synchronisation.
const HiddenHandoffs = invisible
