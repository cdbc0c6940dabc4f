//go:build !tinygo

package simrun

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt/host"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// Options tailor a run. The zero value runs the firmware on a plain single-core chip until
// it returns, with UART output and the simulator's log discarded.
type Options struct {
	// Chip are options for the simulated chip (sim.Cores, sim.AccessCost, sim.RNGSeed, …).
	// Run adds sim.Log, sim.RealTime and sim.Timeout from the fields below.
	Chip []sim.Option
	// Setup runs on the new chip before the firmware starts: attach bus devices
	// (c.I2C0().Attach, c.SPI2().Attach), drive pads and schedule button presses
	// (c.GPIO().DriveAt), answer a UART (c.UART(0).Reply), watch pins.
	Setup func(c *sim.Chip)

	// UART0 and UART1 connect the chip's UARTs to the host.
	UART0, UART1 Port
	// USB connects the USB-Serial-JTAG controller's serial port to a simulated USB host,
	// which attaches when the run starts if TX or RX is set (c.USBSerial() in Setup for
	// more). TX receives each packet the host reads; RX is written by the host as Port.RX
	// says (RXAfterTX waits for the first packet).
	USB Port

	// For ends the run when virtual time reaches it, with End Deadline and no error, for
	// firmware that never returns; 0 runs until the firmware returns or fails.
	For time.Duration
	// RealTime paces virtual time to the wall clock, for demos.
	RealTime bool
	// Log receives the simulator's own log: the first access to each register no model
	// implements, device models' notes, the wall-clock-pause note. Nil discards it.
	Log io.Writer

	// Trace, if set, receives a Chrome trace-event JSON file of the run when it ends (open
	// it in https://ui.perfetto.dev or chrome://tracing): see WriteTrace.
	Trace io.Writer
	// VCD, if set, receives the pads' activity as a Value Change Dump when the run ends
	// (open it in GTKWave): every pad whose level changed, plus VCDPins.
	VCD io.Writer
	// VCDPins are pads the VCD shows even if they never change.
	VCDPins []int
	// TraceLimit bounds the events recorded per core for Trace (default 1,000,000); later
	// ones are dropped and counted in Result.Dropped.
	TraceLimit int

	// CPU is how the simulated core is charged for computation between register accesses
	// (see the package documentation, section CPU time): CPUCounted (the default,
	// deterministic) or CPUMeasured.
	CPU CPUMode
	// CPUScale is CPUMeasured's calibration, in chip cycles per nanosecond of host CPU
	// time; 0 calibrates it at the start of the run (host.CalibrateCPU).
	CPUScale float64

	// Options for Main only.

	// Stdin feeds the command's standard input to UART0's RX line (UART0.RX is set to
	// os.Stdin; UART0's other RX fields apply). When standard input is a terminal, -realtime
	// then defaults to true.
	Stdin StdinMode
	// Summary, if set, returns what Main's closing line says before the time figures.
	Summary func(r *Result) string
	// Console is the port Main connects standard output (and, with Stdin, standard input)
	// to: UART0 (the default) or the USB-Serial-JTAG.
	Console Console
	// Configure, if set, runs in Main once the command line is parsed (a command's own
	// flags hold their values then) and may change the options; an error ends Main with
	// status 2.
	Configure func(o *Options) error
}

// CPUMode is how the simulated core is charged for the firmware's computation.
type CPUMode int

const (
	// CPUCounted charges register accesses (sim.AccessCost each), the waits the firmware
	// makes, and what it declares with rt.Spend: deterministic, the same cycle counts under
	// -race and with GOMAXPROCS=1, but computation that touches no register is free.
	CPUCounted CPUMode = iota
	// CPUMeasured also charges the host CPU time the firmware's code takes between two
	// preemption points, scaled to chip cycles (Options.CPUScale) and quantised to whole
	// cycles. Not deterministic: the figures vary from run to run and host to host.
	CPUMeasured
)

func (m CPUMode) String() string {
	switch m {
	case CPUCounted:
		return "counted"
	case CPUMeasured:
		return "measured"
	}
	return fmt.Sprintf("CPUMode(%d)", int(m))
}

// Set parses "counted" or "measured", for a flag.
func (m *CPUMode) Set(s string) error {
	switch s {
	case "counted", "":
		*m = CPUCounted
	case "measured":
		*m = CPUMeasured
	default:
		return fmt.Errorf("unknown CPU mode %q: counted or measured", s)
	}
	return nil
}

// Console is the port a command's standard input and output go through.
type Console int

const (
	// ConsoleUART0 is UART0, the console of most boards' USB-UART bridge.
	ConsoleUART0 Console = iota
	// ConsoleUSB is the USB-Serial-JTAG controller's serial port.
	ConsoleUSB
)

// StdinMode is how Main feeds standard input to UART0.
type StdinMode int

const (
	// NoStdin leaves standard input alone (the default).
	NoStdin StdinMode = iota
	// Stdin feeds standard input to UART0's RX line.
	Stdin
	// StdinRealTime feeds standard input to UART0's RX line only with -realtime (in virtual
	// time the line stays silent), a line at a time as Port.RXLines does: for firmware
	// that waits for someone to type.
	StdinRealTime
)

// Port connects a UART to the host.
type Port struct {
	// TX receives every byte the UART sends, as its frame's stop bit ends. Write errors
	// are ignored.
	TX io.Writer
	// RX is read in the background and fed to the UART's RX line: frames cross the line
	// back to back at the UART's baud rate, so a fast producer is paced as a serial line
	// paces it. The feeder looks for input every virtual millisecond; in virtual time a
	// look that finds none yet waits up to a second of real time for some, so the
	// simulation does not race ahead of a pipe and the same input gives the same run. In
	// real time it never waits.
	RX io.Reader
	// RXEnd is sent on the RX line after RX's end of input (an EOT, say, to tell the
	// firmware the input is over).
	RXEnd []byte
	// RXAfterTX holds RX back until the UART has sent its first byte: firmware that greets
	// first has set the UART up by then, so no input arrives before it can be received.
	RXAfterTX bool
	// RXLines feeds RX a line at a time without its line ending, skipping empty lines, for
	// a person typing a key and Enter.
	RXLines bool
}

// End is how a run ended.
type End int

const (
	// Returned: the firmware's function returned.
	Returned End = iota
	// Deadline: virtual time reached Options.For.
	Deadline
	// Panicked: the firmware panicked (the error is a *host.PanicError).
	Panicked
	// Idle: every core waits for an interrupt nothing will raise (sim.ErrIdle);
	// Result.Waits says what each waits for.
	Idle
	// Failed: the simulator stopped the run for another reason (a core spinning without
	// touching a register, a model's error).
	Failed
)

func (e End) String() string {
	switch e {
	case Returned:
		return "firmware returned"
	case Deadline:
		return "deadline reached"
	case Panicked:
		return "firmware panicked"
	case Idle:
		return "idle"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("End(%d)", int(e))
}

// Result is what a run did.
type Result struct {
	End End
	// Err is the error Run returned: nil for Returned and Deadline.
	Err error
	// Time is the virtual time when the run ended; Wall the real time it took.
	Time, Wall time.Duration
	// Cycles is the core clock's cycle count at the end (rt.Cycles on the firmware's side).
	Cycles uint64
	// Asleep is the virtual time each core spent asleep in WaitForInterrupt (WFI).
	Asleep []time.Duration
	// Waits says, for End Idle, what each core was waiting for.
	Waits []Wait
	// Dropped counts trace events that did not fit in Options.TraceLimit.
	Dropped int
	// CPU is how computation was charged; CPUScale, for CPUMeasured, the chip cycles
	// charged per nanosecond of host CPU time. A measured run is not deterministic.
	CPU      CPUMode
	CPUScale float64
	// Tasks are the figures of every task the executors polled, in the order of their first
	// poll (tasks.go).
	Tasks []TaskStats
	// Chip is the simulated chip, closed, its models left as the run left them (UART
	// output, an EEPROM's contents, a pad's level).
	Chip *sim.Chip

	events []host.Recorded
	tasks  *taskRecorder
	edges  []sim.Edge
	frames [2][]sim.TimedByte
	levels uint32 // pad levels out of reset, before Setup
}

// WFI returns the fraction of the run's virtual time core 0 spent asleep in
// WaitForInterrupt, 0 to 1.
func (r *Result) WFI() float64 {
	if r.Time <= 0 || len(r.Asleep) == 0 {
		return 0
	}
	return float64(r.Asleep[0]) / float64(r.Time)
}

// String is the run in one line: how it ended, the WFI fraction and the times, such as
// "firmware returned; CPU in WFI 98.7% of the time; 5.000012s of virtual time took 31ms".
//
// A run with measured CPU time says so: "...; CPU time measured at 7.9 cycles/host ns, not
// deterministic".
func (r *Result) String() string {
	s := fmt.Sprintf("%s; CPU in WFI %.1f%% of the time; %v of virtual time took %v",
		r.End, 100*r.WFI(), r.Time.Round(time.Microsecond), r.Wall.Round(time.Millisecond))
	if r.CPU == CPUMeasured {
		s += fmt.Sprintf("; CPU time measured at %.2g cycles/host ns, not deterministic", r.CPUScale)
	}
	return s
}

// Wait is what a core waits for when the run ends idle: the interrupt sources routed to
// an enabled CPU line at or above its threshold, none of which any model will raise.
type Wait struct {
	Core    int
	Sources []string // "SYSTIMER_TARGET0 (37) on line 1", …
}

func (w Wait) String() string {
	if len(w.Sources) == 0 {
		return fmt.Sprintf("core %d waits with no interrupt source enabled", w.Core)
	}
	return fmt.Sprintf("core %d waits for %s", w.Core, strings.Join(w.Sources, ", "))
}

// IdleError is the error of a run that ended Idle: sim.ErrIdle (errors.Is) with what each
// core waits for.
type IdleError struct {
	Err   error
	Waits []Wait
}

func (e *IdleError) Error() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	for _, w := range e.Waits {
		b.WriteString("; ")
		b.WriteString(w.String())
	}
	return b.String()
}

func (e *IdleError) Unwrap() error { return e.Err }

// defaultTraceLimit is Options.TraceLimit's default.
const defaultTraceLimit = 1_000_000

// Run runs firmware on a new simulated ESP32-C3 set up as o says, until the firmware
// returns, panics, waits forever (Idle) or virtual time reaches o.For, and returns what
// happened. The error is Result.Err: nil when the firmware returned or the deadline came.
// Trace and VCD files are written either way.
//
// Each run is a fresh boot: Run builds a new chip and resets the hal packages' software
// state (hal.ResetForTest) first. Only one chip runs at a time in a process.
func Run(firmware func(), o Options) (*Result, error) {
	return run(o, func(c *sim.Chip) error { return c.Run(firmware) })
}

// run is Run with the way the chip runs the firmware left to the caller (RunInBubble).
func run(o Options, start func(c *sim.Chip) error) (*Result, error) {
	// A fresh chip is a fresh boot: gohal's drivers forget the previous run.
	hal.ResetForTest()
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	opts := append([]sim.Option{sim.Log(log)}, o.Chip...)
	if o.RealTime {
		opts = append(opts, sim.RealTime())
	}
	if o.For > 0 {
		opts = append(opts, sim.Timeout(o.For))
	}
	c := sim.New(opts...)
	r := &Result{Chip: c, CPU: o.CPU}
	if o.CPU == CPUMeasured {
		r.CPUScale = o.CPUScale
		if r.CPUScale <= 0 {
			r.CPUScale = host.CalibrateCPU()
		}
		if err := c.Machine().MeasureCPU(r.CPUScale); err != nil {
			c.Close()
			return r, err
		}
	} else if o.CPU != CPUCounted {
		c.Close()
		return r, fmt.Errorf("simrun: %v", o.CPU)
	}

	tracing := o.Trace != nil
	limit := 0
	if tracing {
		limit = o.TraceLimit
		if limit <= 0 {
			limit = defaultTraceLimit
		}
	}
	c.Machine().Record(limit)
	var rec sync.Mutex // guards r's recorded slices; the callbacks run with the chip lock held
	for i, p := range []Port{o.UART0, o.UART1} {
		i, p := i, p
		if p.TX != nil {
			c.UART(i).Mirror(p.TX)
		}
		if tracing {
			c.UART(i).OnTX(func(tb sim.TimedByte) {
				rec.Lock()
				r.frames[i] = append(r.frames[i], tb)
				rec.Unlock()
			})
		}
	}
	if tracing || o.VCD != nil {
		c.GPIO().OnEdge(func(e sim.Edge) {
			rec.Lock()
			r.edges = append(r.edges, e)
			rec.Unlock()
		})
	}
	r.levels = padLevels(c)
	if o.Setup != nil {
		o.Setup(c)
	}
	for i, p := range []Port{o.UART0, o.UART1} {
		if p.RX != nil {
			startFeeder(c, c.UART(i), p, o.RealTime)
		}
	}
	if o.USB.TX != nil || o.USB.RX != nil {
		u := c.USBSerial()
		u.Attach()
		if o.USB.TX != nil {
			u.Mirror(o.USB.TX)
		}
		if o.USB.RX != nil {
			startFeeder(c, usbLine{u}, o.USB, o.RealTime)
		}
	}

	r.tasks = newTaskRecorder(c, tracing, limit)
	unobserve := r.tasks.observe()
	wall := time.Now()
	err := start(c)
	unobserve()
	r.Tasks = r.tasks.results()
	r.Wall = time.Since(wall)
	r.Time = c.Now()
	r.Cycles = c.Machine().Cycles()
	for i := 0; i < c.Machine().NumCores(); i++ {
		r.Asleep = append(r.Asleep, c.Machine().SleepTime(i))
	}
	if tracing {
		r.events, r.Dropped = c.Machine().Recorded()
		r.Dropped += r.tasks.dropped
	}
	r.End, r.Err = classify(c, err, r)

	rec.Lock()
	defer rec.Unlock()
	var werr error
	if o.Trace != nil {
		werr = errors.Join(werr, writeTrace(o.Trace, r))
	}
	if o.VCD != nil {
		werr = errors.Join(werr, writeVCD(o.VCD, r, o.VCDPins))
	}
	if werr != nil && r.Err == nil {
		return r, werr
	}
	return r, r.Err
}

// padLevels returns the pads' levels, a bit per pad.
func padLevels(c *sim.Chip) uint32 {
	g := c.GPIO()
	var v uint32
	for p := 0; p < numPads; p++ {
		if g.Level(p) {
			v |= 1 << p
		}
	}
	return v
}

// numPads is the ESP32-C3's GPIO0..GPIO21.
const numPads = 22

// classify turns what the chip's Run returned into an End and the error Run returns.
func classify(c *sim.Chip, err error, r *Result) (End, error) {
	var pe *host.PanicError
	switch {
	case err == nil:
		return Returned, nil
	case errors.Is(err, sim.ErrTimeout):
		return Deadline, nil
	case errors.As(err, &pe):
		return Panicked, err
	case errors.Is(err, sim.ErrIdle):
		r.Waits = waits(c)
		return Idle, &IdleError{Err: err, Waits: r.Waits}
	}
	return Failed, err
}

// waits reads, from each core's interrupt controller, the sources it could still take.
func waits(c *sim.Chip) []Wait {
	m := c.Machine()
	var out []Wait
	for i := 0; i < m.NumCores(); i++ {
		core := m.Core(i)
		w := Wait{Core: i}
		enabled, thresh := core.Enabled(), max(core.Threshold(), 1)
		for src := 0; src < m.Sources(); src++ {
			line := core.SourceLine(src)
			if line == 0 || enabled&(1<<line) == 0 || core.Priority(int(line)) < thresh {
				continue
			}
			w.Sources = append(w.Sources, fmt.Sprintf("%s on line %d", sourceName(src), line))
		}
		out = append(out, w)
	}
	return out
}

// sourceName names an interrupt-matrix source as the SVD does, with its number.
func sourceName(src int) string {
	return fmt.Sprintf("%s (%d)", esp32c3.Interrupt(src), src)
}
