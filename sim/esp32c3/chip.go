// Package esp32c3 is a model of the ESP32-C3 behind the rt/mmio host bus: firmware written
// against pac/esp32c3 and rt runs on it under `go run` and `go test`, with virtual time.
//
// A Chip owns the models of the chip's peripherals (each hooked on the bus over its register
// block), an rt/host Machine (the core, its interrupt controller and the virtual clock) and an
// event queue. Models keep their state under the one chip lock (Lock/Unlock) and schedule
// what hardware does over time (a UART frame ends, an alarm fires) with Schedule instead of
// sleeping; when the core waits for an interrupt, time jumps to the next event.
//
// Registers a model does not handle behave as memory that starts at the SVD reset values
// (the simulator links pac/esp32c3, whose host init records them), and the first access to a register of a block no
// model covers is logged, so gaps in the model are visible.
//
// The core models are the interrupt matrix (INTERRUPT_CORE0), SYSTIMER, the SYSTEM block with
// the FROM_CPU_INTR software interrupts; the other peripherals register themselves from their
// own files with registerModel.
//
// # Time
//
// Virtual time passes with register accesses (AccessCost each), jumps to the next event
// while every core waits for an interrupt, and is what rt.Cycles, SYSTIMER and the models
// see. Go's own clock is a different matter: time.Sleep, time.Now, time.Since, timers and
// tickers are the host's, and a host program cannot intercept them.
//
// Under Run they stay wall-clock time. A time.Sleep in firmware, or in a driver such as
// tinygo.org/x/drivers (aht20 sleeps 80 ms for its conversion), then takes no virtual time:
// a part that needs the time to pass (a conversion, an EEPROM write cycle) is still busy
// after it, and time.Since measures the host. The simulator cannot see a time.Sleep; what it
// notes, once, in its log is core 0 running for 5 ms or more of wall-clock time between two
// register accesses, which is what a sleep looks like (a long computation looks the same,
// hence a note, not an error; RealTime runs are not checked).
//
// Under go test, Chip.RunInBubble makes Go's clock virtual with testing/synctest (Go 1.25
// or later: synctest.Test needs a *testing.T, and there is no other entry point, so plain
// programs cannot have this). The firmware's thread mode on core 0 runs in a synctest
// bubble, as a coroutine that core 0 resumes (rt/host's Handoff), while the machine, its
// handlers and the models stay outside it. In the bubble Go's clock is fake and moves only
// when every goroutine of the bubble is durably blocked, which for the firmware means it
// sleeps or waits on a timer; the fake clock then jumps at once to the wake-up. At the
// firmware's next register access (or when it returns) the simulator sees how far the fake
// clock moved and makes core 0 stall for exactly that much virtual time (rt/host's
// Machine.Stall): events due in between run at their own times and interrupts are taken as
// they fall due, during the sleep, as on a chip whose sleep busy-waits. Then the fake clock
// is moved up to virtual time (the firmware sleeps in the bubble for the difference, which
// returns at once), so after every register access time.Now is virtual time exactly, and
// time.Since around a time.Sleep(d) with no access in between is d. Both clocks are pure
// functions of what the firmware does, so a run is as deterministic as under Run: the same
// cycle counts with -race and with GOMAXPROCS=1.
//
// What RunInBubble does not cover:
//   - between a sleep and the firmware's next register access, virtual time (Chip.Now,
//     rt.Cycles) does not include the sleep yet, and time.Now does not include the register
//     accesses since the last one;
//   - interrupt handlers, the other cores of a Cores(n) chip, and goroutines that are not the
//     firmware's thread mode on core 0 run outside the bubble: their Go clock is the wall
//     clock, and a time.Sleep there takes no virtual time. A goroutine the firmware starts
//     is in the bubble (its sleeps move the fake clock, which core 0 then stalls for at its
//     next access), but it is outside the core model as under Run;
//   - a firmware that spins on time.Now/time.Since without a register access or a sleep
//     never lets the fake clock move, and hangs (watch it with go test -timeout);
//   - the firmware must not leave its own goroutines blocked when it returns: synctest.Test
//     reports them as a deadlock.
package esp32c3

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	// The PAC's host init records every register's SVD reset value with the bus, so a chip
	// starts from the documented state even when the firmware under test does not import it.
	_ "github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt/host"
	"github.com/gohal/gohal/rt/mmio"
)

// Source is an interrupt-matrix source number, 0..61 (esp32c3-facts.md §1).
type Source int

// Interrupt sources the models raise.
const (
	SourceGPIO            Source = 16
	SourceSPI2            Source = 19
	SourceUART0           Source = 21
	SourceUART1           Source = 22
	SourceI2C0            Source = 29
	SourceTG0T0           Source = 32
	SourceTG0WDT          Source = 33
	SourceTG1T0           Source = 34
	SourceTG1WDT          Source = 35
	SourceSystimerTarget0 Source = 37 // .. 39 for targets 1 and 2
	SourceFromCPU0        Source = 50 // .. 53 for FROM_CPU_INTR1..3
)

// NumSources is the number of interrupt-matrix sources.
const NumSources = 62

// Clock frequencies the models time themselves with.
const (
	APBHz      = 80_000_000
	XTALHz     = 40_000_000
	SystimerHz = 16_000_000
)

// ErrTimeout is returned by Run when the virtual-time limit set with Timeout is reached.
var ErrTimeout = errors.New("esp32c3: virtual time limit reached")

// ErrIdle is returned by Run when the firmware waits for an interrupt that nothing will ever
// raise.
var ErrIdle = host.ErrIdle

// Option configures a Chip.
type Option func(*config)

type config struct {
	cores      int
	realTime   bool
	accessCost time.Duration
	cpuHz      uint64
	log        io.Writer
	timeout    time.Duration
	rngSeed    *uint64 // RNGSeed (rng.go)
}

// Cores simulates n cores, each with its own interrupt matrix (core k's at
// 0x600C2000 + 0x800·k, the layout of the dual-core ESP32-S3).
//
// This is a test configuration, not a real ESP32-C3, which has one core: it exists to test
// multi-core firmware (one thread-mode executor per core, cross-core wakes) on the C3's
// peripherals, the way the dual-core ESP32 and ESP32-S3 are built. Every peripheral source,
// FROM_CPU_INTR0–3 included, reaches every core's matrix; each core routes the sources it
// enables (rt.Enable on that core) to its own CPU lines, so a software interrupt enabled only
// on core 1 interrupts core 1 alone. Critical sections then also take a lock shared by all
// cores, and virtual time is shared: with two cores awake it advances with both cores'
// register accesses, in an order that depends on the host's scheduling.
func Cores(n int) Option { return func(c *config) { c.cores = n } }

// RealTime paces virtual time to the wall clock, for demos.
func RealTime() Option { return func(c *config) { c.realTime = true } }

// AccessCost sets the virtual time one register access takes (default 50ns).
func AccessCost(d time.Duration) Option { return func(c *config) { c.accessCost = d } }

// CPUFrequency sets the core clock rt.Cycles counts (default 160 MHz, as TinyGo sets it).
func CPUFrequency(hz uint64) Option { return func(c *config) { c.cpuHz = hz } }

// Log sends the simulator's log (unmodelled registers, model messages) to w instead of
// standard error; io.Discard silences it.
func Log(w io.Writer) Option { return func(c *config) { c.log = w } }

// Timeout stops Run with ErrTimeout when virtual time reaches d.
func Timeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// Chip is a simulated ESP32-C3.
type Chip struct {
	cfg config
	m   *host.Machine

	mu sync.Mutex // the chip lock: all model state

	evMu   sync.Mutex // the event queue, separate so Schedule works with or without mu
	events eventHeap
	active int // events in the queue that are not passive
	seq    uint64
	evNow  atomic.Int64 // virtual time of the event being run, -1 outside events

	logMu      sync.Mutex
	unmodelled map[uintptr]bool
	unhooks    []func()
	closed     atomic.Bool

	intm   *intMatrix
	sys    *system
	systim *systimer
	periph peripherals // the registered models, for the test hooks (c.UART(0), …)
	rng    *RNG        // rng.go
	rwdt   *RWDT       // wdt.go
	tsync  timeSync    // Go's clock as the firmware sees it (time.go)
}

var (
	modelsMu sync.Mutex
	models   = map[string]func(c *Chip){}
	live     atomic.Pointer[Chip]
)

// registerModel makes New build a peripheral model: every registered constructor is called
// once per chip, in name order, after the core models exist. Call it from init.
func registerModel(name string, build func(c *Chip)) {
	modelsMu.Lock()
	defer modelsMu.Unlock()
	if _, dup := models[name]; dup {
		panic("esp32c3: model " + name + " registered twice")
	}
	models[name] = build
}

// New returns a chip fresh out of reset with every model hooked on the bus. Only one chip
// is live at a time: New closes the previous one (it panics if that one is still running).
func New(opts ...Option) *Chip {
	cfg := config{cores: 1, log: os.Stderr}
	for _, o := range opts {
		o(&cfg)
	}
	if prev := live.Load(); prev != nil {
		if host.Current() != nil {
			panic("esp32c3: New while another chip is running")
		}
		prev.Close()
	}
	mmio.ResetMemory()
	c := &Chip{cfg: cfg, unmodelled: map[uintptr]bool{}}
	c.tsync.wallBase = time.Now()
	c.evNow.Store(-1)
	c.m = host.New(host.Config{
		Cores:      cfg.cores,
		Sources:    NumSources,
		AccessCost: cfg.accessCost,
		CPUHz:      cfg.cpuHz,
		RealTime:   cfg.realTime,
		OnTime:     c.onTime,
		CanWake:    c.canWake,
		// What TinyGo's runtime leaves in mtvec at boot: its own handler. rt installs its
		// trap handler when it starts, as on the chip; firmware that takes interrupts
		// without rt meets TinyGo's, with its failures (see rt/host, trap.go).
		Trap: host.TrapTinyGo033,
	})
	live.Store(c)
	mmio.SetObserver(c.observe)

	c.intm = newIntMatrix(c)
	c.sys = newSystem(c)
	c.systim = newSystimer(c)

	modelsMu.Lock()
	names := make([]string, 0, len(models))
	for n := range models {
		names = append(names, n)
	}
	sort.Strings(names)
	builds := make([]func(*Chip), len(names))
	for i, n := range names {
		builds[i] = models[n]
	}
	modelsMu.Unlock()
	for _, b := range builds {
		b(c)
	}
	if cfg.timeout > 0 {
		c.schedule(cfg.timeout, func() { c.m.Stop(fmt.Errorf("%w (%v)", ErrTimeout, cfg.timeout)) }, true)
	}
	return c
}

// Machine returns the simulated CPU, for tests that inspect the interrupt controller.
func (c *Chip) Machine() *host.Machine { return c.m }

// Lock takes the chip lock that guards all model state.
func (c *Chip) Lock() { c.mu.Lock() }

// Unlock releases the chip lock.
func (c *Chip) Unlock() { c.mu.Unlock() }

// SetSourceLevel drives an interrupt-matrix source line (every ESP32-C3 source is a level).
// It never blocks; models call it with the chip lock held after each state change.
func (c *Chip) SetSourceLevel(src Source, level bool) { c.m.SetSource(int(src), level) }

// RaiseBeforeAccess raises software interrupt FROM_CPU_INTRn so that the running core
// takes it just before its k-th register access from now (k >= 1): every access costs the
// machine's access cost, and an event due at an access runs before it. For tests that must
// land an interrupt at an exact point of a handler, such as between the read and the write
// of a read-modify-write.
func (c *Chip) RaiseBeforeAccess(n, k int) {
	at := c.Now() + time.Duration(k)*c.m.AccessCost()
	c.Schedule(at, func() { c.SetSourceLevel(SourceFromCPU0+Source(n), true) })
}

// Hook registers a model at [base, base+size) on the bus until the chip closes. After each
// access the model handled, the accessing core takes any interrupt the access raised, as the
// chip would before its next instruction.
func (c *Chip) Hook(base, size uintptr, dev mmio.Device) {
	c.unhooks = append(c.unhooks, mmio.Hook(base, base+size, polled{dev, c.m, c}))
}

type polled struct {
	dev mmio.Device
	m   *host.Machine
	c   *Chip
}

func (p polled) Read(addr uintptr, size int) uint64 {
	p.c.beforeAccess()
	v := p.dev.Read(addr, size)
	p.m.Poll()
	return v
}

func (p polled) Write(addr uintptr, size int, v uint64) {
	p.c.beforeAccess()
	p.dev.Write(addr, size, v)
	p.m.Poll()
}

// Logf writes a line to the simulator's log, prefixed with the virtual time.
func (c *Chip) Logf(format string, args ...any) {
	c.logMu.Lock()
	defer c.logMu.Unlock()
	fmt.Fprintf(c.cfg.log, "[%12v] %s\n", c.Now(), fmt.Sprintf(format, args...))
}

// Unmodelled notes an access to a register that behaves as plain memory because no model
// gives it behaviour; the first access to each address is logged. Models call it for the
// registers of their block they leave as memory on purpose but do not implement.
func (c *Chip) Unmodelled(addr uintptr, write bool) {
	c.logMu.Lock()
	seen := c.unmodelled[addr]
	c.unmodelled[addr] = true
	c.logMu.Unlock()
	if !seen {
		dir := "read"
		if write {
			dir = "written"
		}
		c.Logf("unmodelled register %s %s; it behaves as memory", regName(addr), dir)
	}
}

// UnmodelledAccesses returns the addresses of the unmodelled registers touched so far.
func (c *Chip) UnmodelledAccesses() []uintptr {
	c.logMu.Lock()
	defer c.logMu.Unlock()
	out := make([]uintptr, 0, len(c.unmodelled))
	for a := range c.unmodelled {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// observe is the bus observer: accesses no model handled. Those inside the peripheral
// address space are registers of a block nobody models.
func (c *Chip) observe(addr uintptr, size int, write bool) {
	c.beforeAccess()
	if addr >= 0x6000_0000 && addr < 0x600D_1000 {
		c.Unmodelled(addr, write)
	}
}

// blocks names the register blocks of the ESP32-C3 (base addresses from the SVD) for log
// messages.
var blocks = []struct {
	base uintptr
	name string
}{
	{0x6000_0000, "UART0"}, {0x6000_2000, "SPI1"}, {0x6000_3000, "SPI0"}, {0x6000_4000, "GPIO"},
	{0x6000_8000, "RTC_CNTL"}, {0x6000_9000, "IO_MUX"}, {0x6000_C000, "UHCI1"}, {0x6001_0000, "UART1"},
	{0x6001_3000, "I2C0"}, {0x6001_4000, "UHCI0"}, {0x6001_6000, "RMT"}, {0x6001_9000, "LEDC"},
	{0x6001_D000, "BB"}, {0x6001_F000, "TIMG0"}, {0x6002_0000, "TIMG1"}, {0x6002_3000, "SYSTIMER"},
	{0x6002_4000, "SPI2"}, {0x6002_6000, "APB_CTRL"}, {0x6002_B000, "TWAI0"}, {0x6002_D000, "I2S0"},
	{0x6003_A000, "AES"}, {0x6003_B000, "SHA"}, {0x6003_C000, "RSA"}, {0x6003_D000, "DS"},
	{0x6003_E000, "HMAC"}, {0x6003_F000, "DMA"}, {0x6004_0000, "APB_SARADC"}, {0x6004_3000, "USB_DEVICE"},
	{0x600C_0000, "SYSTEM"}, {0x600C_1000, "SENSITIVE"}, {0x600C_2000, "INTERRUPT_CORE0"},
	{0x600C_4000, "EXTMEM"}, {0x600C_C000, "XTS_AES"}, {0x600C_E000, "ASSIST_DEBUG"},
}

func regName(addr uintptr) string {
	for i := len(blocks) - 1; i >= 0; i-- {
		b := blocks[i]
		if addr >= b.base && addr < b.base+0x1000 {
			return fmt.Sprintf("%s+%#x (%#x)", b.name, addr-b.base, addr)
		}
	}
	return fmt.Sprintf("%#x", addr)
}

// subRead extracts a size-byte access at addr from the 32-bit register value word.
func subRead(word uint32, addr uintptr, size int) uint64 {
	if size >= 4 {
		return uint64(word)
	}
	sh := (addr & 3) * 8
	return uint64(word>>sh) & (1<<(uint(size)*8) - 1)
}

// subWrite merges a size-byte write of v at addr into the 32-bit register value old.
func subWrite(old uint32, addr uintptr, size int, v uint64) uint32 {
	if size >= 4 {
		return uint32(v)
	}
	sh := (addr & 3) * 8
	mask := uint32(1<<(uint(size)*8)-1) << sh
	return old&^mask | uint32(v)<<sh&mask
}
