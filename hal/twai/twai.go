// Package twai drives the ESP32-C3's TWAI controller (CAN 2.0A/B, an SJA1000-like core) as
// esp-hal's twai driver does: a Blocking driver from New, and an interrupt-driven Async
// driver from IntoAsync that keeps every blocking method and adds futures.
//
//	p, _ := hal.Init(hal.Config{})
//	can, err := twai.New(p.TWAI0, twai.Config{BitRate: 500_000}, p.GPIO2, p.GPIO3)
//	f, _ := twai.StandardFrame(0x123, []byte{1, 2, 3})
//	err = can.Transmit(f)   // waits until the frame is on the bus and acknowledged
//	g, err := can.Receive() // the next frame the acceptance filter let through
//	ca := can.IntoAsync()   // can is consumed from here on
//	g, err = ca.AwaitReceive(t)
//
// # Configuration
//
// Config.BitRate (25k..1M) gives the bit timing: esp-hal's presets for 25k, 50k, 100k,
// 125k, 250k, 500k, 800k and 1M, otherwise the prescaler and quanta whose rate is within
// 0.1 % with the sample point nearest 80 %; an unreachable rate is a *BitRateError naming
// the nearest reachable one. Config.Timing sets the quanta directly. Config.Filter is the
// acceptance filter (SingleStandard, SingleExtended, DualStandard, DualExtended, or a raw
// code and mask; the zero Filter accepts every frame). Config.Mode is Normal, SelfTest (no
// acknowledgement needed, and every transmitted frame is received back: a loopback) or
// ListenOnly (no acknowledgement, no error frames, no transmission).
//
// Pins: tx and rx go through the GPIO matrix (TWAI_TX, TWAI_RX: signal 74) to a CAN
// transceiver. Giving the same pin for both connects the controller to itself, the way
// esp-hal's self-test example runs on a bare chip (with Mode SelfTest).
//
// # Transmit and receive
//
// Transmit puts a frame in the TX buffer and waits until it has been sent (acknowledged,
// or just sent in SelfTest mode); the controller retransmits by itself after errors. It
// gives up after Config.TransmitTimeout (100 ms by default), aborting the transmission,
// with ErrTransmitTimeout, and fails with ErrBusOff if the controller goes bus-off.
// Receive takes the oldest frame of the 64-byte RX FIFO (RX_MESSAGE_CNT says how many it
// holds), waiting up to Config.ReceiveTimeout (0: as long as it takes). A frame that did
// not fit in the FIFO is lost; Status().Overruns counts them.
//
// # Errors and bus-off
//
// Status reports the error counters (TX_ERR_CNT, RX_ERR_CNT) and the state they put the
// controller in: error-active, error-warning (a counter at Config.ErrorWarningLimit, 96 by
// default), error-passive (a counter at 128), bus-off (TX_ERR_CNT past 255: the
// controller stops and enters reset mode) or recovering. Recover starts the TRM's bus-off
// recovery: it leaves reset mode, the controller waits for 128 occurrences of 11
// recessive bits, and Recover returns once it is error-active again with both counters 0.
//
// # Async
//
// IntoAsync binds the TWAI0 interrupt (source 25) at Config.InterruptPriority.
// TransmitAsync, ReceiveAsync, RecoverAsync and EventAsync are futures woken by TX, RX and
// the error interrupts; the typed awaits AwaitTransmit, AwaitReceive, AwaitRecover and
// AwaitEvent keep their future in the driver and allocate nothing. One operation of each
// kind may be pending at a time; polling a second panics, naming both. The futures have no
// timeout of their own: race them with async.WithTimeout when the bus may stay silent.
//
// Using a driver value after IntoAsync, IntoBlocking or Close consumed it panics with a
// message saying so.
package twai

import (
	"errors"
	"time"
	"unsafe"

	"github.com/gohal/gohal/hal/internal/pinroute"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/internal/itoa"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/twai"
	"github.com/gohal/gohal/rt"
)

// Mode is the controller's operating mode.
type Mode uint8

const (
	// Normal: acknowledges frames, sends error frames, needs an acknowledgement for its own.
	Normal Mode = iota
	// SelfTest: a transmission succeeds without an acknowledgement, and every frame the
	// driver transmits is received back (self reception request): a loopback test.
	SelfTest
	// ListenOnly: receives without acknowledging and without error frames or counting;
	// cannot transmit (a bus monitor).
	ListenOnly
)

var modeNames = [...]string{"Normal", "SelfTest", "ListenOnly"}

func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return "Mode(" + itoa.Itoa(int(m)) + ")"
}

// Defaults of Config fields left zero.
const (
	DefaultTransmitTimeout   = 100 * time.Millisecond
	DefaultErrorWarningLimit = 96
	DefaultInterruptPriority = rt.Priority(1)
)

// Config configures the driver.
type Config struct {
	// BitRate in bit/s, 25_000..1_000_000 (ignored when Timing is set).
	BitRate int
	// Timing sets the bit timing directly (zero: computed from BitRate).
	Timing Timing
	// Mode: Normal (the default), SelfTest or ListenOnly.
	Mode Mode
	// Filter is the acceptance filter (zero: accept every frame).
	Filter Filter
	// ErrorWarningLimit is the error counters' warning threshold (0: 96).
	ErrorWarningLimit uint8
	// TransmitTimeout bounds Transmit, from the call to the end of the transmission
	// (0: DefaultTransmitTimeout, 100 ms).
	TransmitTimeout time.Duration
	// ReceiveTimeout bounds Receive (0: wait as long as it takes).
	ReceiveTimeout time.Duration
	// InterruptPriority is the priority IntoAsync binds TWAI0's interrupt at (default 1).
	InterruptPriority rt.Priority
}

// Errors.
var (
	// ErrConfig is what configuration errors wrap (*BitRateError included).
	ErrConfig = errors.New("twai: invalid configuration")
	// ErrTimeout is what ErrTransmitTimeout, ErrReceiveTimeout and ErrRecoverTimeout wrap.
	ErrTimeout = errors.New("twai: timed out")
	// ErrTransmitTimeout: the frame was not sent within Config.TransmitTimeout (no other
	// node acknowledges it, or the bus is busy with frames of higher priority); the
	// transmission was aborted.
	ErrTransmitTimeout error = &timeoutError{"twai: frame not sent within Config.TransmitTimeout (no acknowledgement, or the bus is busy): transmission aborted"}
	// ErrReceiveTimeout: no frame came within Config.ReceiveTimeout.
	ErrReceiveTimeout error = &timeoutError{"twai: no frame received within Config.ReceiveTimeout"}
	// ErrRecoverTimeout: the bus-off recovery did not end in time (the bus never stayed
	// recessive for 128 × 11 bits).
	ErrRecoverTimeout error = &timeoutError{"twai: bus-off recovery did not complete (the bus was never idle for 128 x 11 bits)"}
	// ErrBusOff: the controller is bus-off (its transmit error counter passed 255); call
	// Recover.
	ErrBusOff = errors.New("twai: the controller is bus-off: call Recover")
	// ErrListenOnly: Transmit in ListenOnly mode.
	ErrListenOnly = errors.New("twai: cannot transmit in ListenOnly mode")
	// ErrAborted: the transmission was aborted (AbortTransmit, or a timeout).
	ErrAborted = errors.New("twai: transmission aborted")
	// ErrFrame is what invalid-frame errors wrap.
	ErrFrame = errors.New("twai: invalid frame")
)

type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }
func (e *configError) Unwrap() error { return ErrConfig }

func cfgErr(msg string) error { return &configError{"twai: " + msg} }

type timeoutError struct{ msg string }

func (e *timeoutError) Error() string { return e.msg }
func (e *timeoutError) Unwrap() error { return ErrTimeout }

type frameError struct{ msg string }

func (e *frameError) Error() string { return e.msg }
func (e *frameError) Unwrap() error { return ErrFrame }

// Register bits (SVD).
const (
	modeReset = 1 << 0
	modeLOM   = 1 << 1
	modeSTM   = 1 << 2
	modeAFM   = 1 << 3

	cmdTX      = 1 << 0
	cmdAbort   = 1 << 1
	cmdRelease = 1 << 2
	cmdClrOvr  = 1 << 3
	cmdSelfRX  = 1 << 4

	stRXBuf   = 1 << 0
	stOverrun = 1 << 1
	stTXBuf   = 1 << 2
	stTXDone  = 1 << 3
	stErr     = 1 << 6
	stBusOff  = 1 << 7

	intRX      = 1 << 0
	intTX      = 1 << 1
	intErrWarn = 1 << 2
	intOverrun = 1 << 3
	intPassive = 1 << 5
	intArbLost = 1 << 6
	intBusErr  = 1 << 7
	intAll     = 0xEF

	sigTWAI     = 74 // TWAI_TX (output) and TWAI_RX (input) in the GPIO matrix
	recoverBits = 128 * 11
)

// ctrl is the state of the configured controller, shared by whichever driver value owns
// it. There is one controller, so it is a static variable: New allocates only the driver
// value.
type ctrl struct {
	r        *twai.TWAI
	cfg      Config
	timing   Timing
	tx, rx   int8
	overruns int
	async    bool

	txOwner  *TransmitFuture
	rxOwner  *ReceiveFuture
	evOwner  *EventFuture
	recOwner *RecoverFuture

	awaitTx  TransmitFuture
	awaitRx  ReceiveFuture
	awaitEv  EventFuture
	awaitRec RecoverFuture
}

var theCtrl ctrl

// ctrlRef is a *ctrl held as an unsafe.Pointer, as in hal/uart: TinyGo then emits no type
// information for everything reachable from a typed pointer in interface-held values.
type ctrlRef struct{ p unsafe.Pointer }

func refOf(c *ctrl) ctrlRef { return ctrlRef{unsafe.Pointer(c)} }

func (r ctrlRef) get() *ctrl { return (*ctrl)(r.p) }

// drv holds the controller and carries the methods Blocking and Async share.
type drv struct {
	c          ctrlRef
	consumedBy string
	mode       string // "Blocking" or "Async"
}

// Blocking is the TWAI driver in blocking mode. Get one with New.
type Blocking struct{ drv }

func (d *drv) get() *ctrl {
	if d.c.p == nil {
		if d.consumedBy == "" {
			panic("twai: use of a " + d.mode + " driver that New did not return")
		}
		panic("twai: " + d.mode + " driver used after " + d.consumedBy + " consumed it")
	}
	return d.c.get()
}

func (d *drv) take(op string) *ctrl {
	c := d.get()
	d.c = ctrlRef{}
	d.consumedBy = op
	return c
}

// check validates cfg and returns the timing it asks for.
func (cfg *Config) check() (Timing, error) {
	if cfg.TransmitTimeout == 0 {
		cfg.TransmitTimeout = DefaultTransmitTimeout
	}
	if cfg.ErrorWarningLimit == 0 {
		cfg.ErrorWarningLimit = DefaultErrorWarningLimit
	}
	if cfg.InterruptPriority == 0 {
		cfg.InterruptPriority = DefaultInterruptPriority
	}
	switch {
	case cfg.TransmitTimeout < 0 || cfg.ReceiveTimeout < 0:
		return Timing{}, cfgErr("Config.TransmitTimeout and ReceiveTimeout must not be negative")
	case cfg.InterruptPriority > rt.MaxPriority:
		return Timing{}, cfgErr("Config.InterruptPriority " + itoa.Itoa(int(cfg.InterruptPriority)) + " is out of range 1..15: nearest valid 15")
	case cfg.Mode > ListenOnly:
		return Timing{}, cfgErr("Config.Mode " + itoa.Itoa(int(cfg.Mode)) + " is not Normal, SelfTest or ListenOnly")
	}
	if err := cfg.Filter.check(); err != nil {
		return Timing{}, err
	}
	if cfg.Timing != (Timing{}) {
		if err := cfg.Timing.check(); err != nil {
			return Timing{}, err
		}
		return cfg.Timing, nil
	}
	if cfg.BitRate == 0 {
		return Timing{}, cfgErr("Config.BitRate is 0: give the bus's rate (125_000, 250_000, 500_000, 1_000_000, ...)")
	}
	return TimingFor(cfg.BitRate)
}

// New claims TWAI0 and its pins, configures the bit timing, mode and acceptance filter
// with the controller in reset mode, and starts it (operating mode), in blocking mode. It
// validates cfg (an error names the field and the nearest valid value) and fails, naming
// the owner, if the controller or a pin is already in use. tx and rx may be the same pin
// (the controller then hears itself: a self test without a transceiver).
func New(t periph.TWAI, cfg Config, tx, rx periph.Pin) (*Blocking, error) {
	timing, err := cfg.check()
	if err != nil {
		return nil, err
	}
	if err := periph.Claim(periph.KindTWAI, t.Number(), "twai.New"); err != nil {
		return nil, err
	}
	same := tx.Number() == rx.Number()
	if same {
		err = periph.Claim(periph.KindPin, tx.Number(), "TWAI0 TX/RX")
	} else {
		pins := [2]periph.Pin{tx, rx}
		roles := [2]string{"TWAI0 TX", "TWAI0 RX"}
		err = periph.ClaimPins(pins[:], roles[:])
	}
	if err != nil {
		periph.Release(periph.KindTWAI, t.Number())
		return nil, err
	}
	c := &theCtrl
	*c = ctrl{r: esp32c3.TWAI0, cfg: cfg, timing: timing, tx: int8(tx.Number()), rx: int8(rx.Number())}

	// Clock on and a reset pulse, as esp-hal's peripheral guard does.
	s := esp32c3.SYSTEM
	s.PERIP_CLK_EN0.Write(s.PERIP_CLK_EN0.Read().WithCAN_CLK_EN(true))
	s.PERIP_RST_EN0.Write(s.PERIP_RST_EN0.Read().WithCAN_RST(true))
	s.PERIP_RST_EN0.Write(s.PERIP_RST_EN0.Read().WithCAN_RST(false))

	// Pins: TX idles recessive (high).
	pinroute.ConnectOutput(tx.Number(), sigTWAI, pinroute.Output{High: true, Input: same})
	pinroute.ConnectInput(rx.Number(), sigTWAI)

	c.configure()
	return &Blocking{drv{c: refOf(c), mode: "Blocking"}}, nil
}

// configure is esp-hal's TwaiConfiguration::new and start: reset mode, mode bits, counters
// 0, warning limit, CLKOUT off, bit timing, filter, interrupts off, operating mode.
func (c *ctrl) configure() {
	r := c.r
	r.MODE.Write(modeReset)
	mode := uint32(modeReset)
	switch c.cfg.Mode {
	case SelfTest:
		mode |= modeSTM
	case ListenOnly:
		mode |= modeLOM
	}
	f := &c.cfg.Filter
	if f.Mode != FilterDual {
		mode |= modeAFM
	}
	r.MODE.Write(twai.MODEValue(mode))
	r.TX_ERR_CNT.Write(0)
	r.RX_ERR_CNT.Write(0)
	r.ERR_WARNING_LIMIT.Write(twai.ERR_WARNING_LIMITValue(c.cfg.ErrorWarningLimit))
	r.CLOCK_DIVIDER.Write(twai.CLOCK_DIVIDERValue(0).WithCLOCK_OFF(true))
	t := c.timing
	r.BUS_TIMING_0.Write(twai.BUS_TIMING_0Value(0).WithBAUD_PRESC(uint32(t.BRP/2 - 1)).WithSYNC_JUMP_WIDTH(uint32(t.SJW - 1)))
	r.BUS_TIMING_1.Write(twai.BUS_TIMING_1Value(0).WithTIME_SEG1(uint32(t.TSeg1 - 1)).WithTIME_SEG2(uint32(t.TSeg2 - 1)).WithTIME_SAMP(t.TripleSample))
	code, mask := f.registers()
	for i := 0; i < 4; i++ {
		r.DATA[i].Write(twai.DATAValue(code[i]))
		r.DATA[4+i].Write(twai.DATAValue(mask[i]))
	}
	r.INT_ENA.Write(0)
	r.INT_RAW.Read() // clears what is latched
	r.MODE.Write(twai.MODEValue(mode &^ modeReset))
}

// Config returns the configuration in effect, with defaults filled in.
func (d *drv) Config() Config { return d.get().cfg }

// Timing returns the bit timing in effect.
func (d *drv) Timing() Timing { return d.get().timing }

// Close puts the controller in reset mode, disables its interrupt (async), gates its
// clock and releases it and its pins. The driver value is consumed.
func (d *drv) Close() error {
	c := d.take("Close")
	if c.async {
		c.unbind()
	}
	c.r.MODE.Write(c.r.MODE.Read() | modeReset)
	c.r.INT_ENA.Write(0)
	s := esp32c3.SYSTEM
	s.PERIP_CLK_EN0.Write(s.PERIP_CLK_EN0.Read().WithCAN_CLK_EN(false))
	pinroute.Release(int(c.tx))
	periph.Release(periph.KindPin, int(c.tx))
	if c.rx != c.tx {
		pinroute.Release(int(c.rx))
		periph.Release(periph.KindPin, int(c.rx))
	}
	periph.Release(periph.KindTWAI, 0)
	return nil
}

func (c *ctrl) status() uint32 { return uint32(c.r.STATUS.Read()) }

// ticks converts a duration to SYSTIMER ticks.
func ticks(d time.Duration) uint64 {
	return uint64(d.Nanoseconds()) * systimer.TicksPerMicrosecond / 1000
}

// bitTime returns n bit times.
func (c *ctrl) bitTime(n int) time.Duration {
	return time.Duration(int64(n) * int64(c.timing.BRP*c.timing.Quanta()) * int64(time.Second) / apbHz)
}

// load writes f into the TX buffer and requests its transmission (with self reception in
// SelfTest mode).
func (c *ctrl) load(f *Frame) {
	var b [13]byte
	n := f.encode(&b)
	for i := 0; i < n; i++ {
		c.r.DATA[i].Write(twai.DATAValue(b[i]))
	}
	cmd := uint32(cmdTX)
	if c.cfg.Mode == SelfTest {
		cmd = cmdSelfRX
	}
	c.r.CMD.Write(twai.CMDValue(cmd))
}

// canTransmit checks what makes a transmission impossible from the start.
func (c *ctrl) canTransmit(f *Frame) error {
	if err := f.check(); err != nil {
		return err
	}
	if c.cfg.Mode == ListenOnly {
		return ErrListenOnly
	}
	if c.status()&stBusOff != 0 {
		return ErrBusOff
	}
	return nil
}

// txResult reads the outcome of a transmission whose TX buffer is free again.
func (c *ctrl) txResult() error {
	st := c.status()
	switch {
	case st&stTXDone != 0:
		return nil
	case st&stBusOff != 0:
		return ErrBusOff
	}
	return ErrAborted
}

// Transmit sends f: it waits for the TX buffer, loads the frame and requests its
// transmission, then waits until it has been sent. It fails with ErrBusOff if the
// controller is (or goes) bus-off, and with ErrTransmitTimeout after
// Config.TransmitTimeout, the transmission then aborted. In SelfTest mode the frame also
// lands in the RX FIFO.
func (d *drv) Transmit(f Frame) error {
	c := d.get()
	if err := c.canTransmit(&f); err != nil {
		return err
	}
	end := systimer.Ticks() + ticks(c.cfg.TransmitTimeout)
	for c.status()&stTXBuf == 0 {
		if systimer.Ticks() >= end {
			return ErrTransmitTimeout
		}
	}
	c.load(&f)
	for {
		st := c.status()
		if st&stTXBuf != 0 {
			return c.txResult()
		}
		if st&stBusOff != 0 {
			return ErrBusOff
		}
		if systimer.Ticks() >= end {
			c.abort()
			return ErrTransmitTimeout
		}
	}
}

// abort asks the controller to drop the pending transmission and waits (at most two frame
// times) for the TX buffer to be released: a frame already on the bus finishes first.
func (c *ctrl) abort() {
	c.r.CMD.Write(cmdAbort)
	end := systimer.Ticks() + ticks(c.bitTime(2*160))
	for c.status()&(stTXBuf|stBusOff) == 0 && systimer.Ticks() < end {
	}
}

// AbortTransmit drops a transmission that has not been sent yet (a frame on the bus
// finishes first).
func (d *drv) AbortTransmit() { d.get().abort() }

// read takes the first frame of the RX FIFO and releases it.
func (c *ctrl) read() Frame {
	var b [13]byte
	b[0] = byte(c.r.DATA[0].Read())
	n := 3
	if b[0]&0x80 != 0 {
		n = 5
	}
	if b[0]&0x40 == 0 {
		n += int(min(b[0]&0x0F, 8))
	}
	for i := 1; i < n; i++ {
		b[i] = byte(c.r.DATA[i].Read())
	}
	c.r.CMD.Write(cmdRelease)
	if c.status()&stOverrun != 0 {
		c.r.CMD.Write(cmdClrOvr)
		c.overruns++
	}
	return decode(&b)
}

// Receive returns the oldest frame in the RX FIFO, waiting for one up to
// Config.ReceiveTimeout (0: as long as it takes). ErrBusOff if the controller is bus-off
// (it then receives nothing).
func (d *drv) Receive() (Frame, error) {
	c := d.get()
	var end uint64
	if c.cfg.ReceiveTimeout > 0 {
		end = systimer.Ticks() + ticks(c.cfg.ReceiveTimeout)
	}
	for {
		st := c.status()
		if st&stRXBuf != 0 {
			return c.read(), nil
		}
		if st&stBusOff != 0 {
			return Frame{}, ErrBusOff
		}
		if end != 0 && systimer.Ticks() >= end {
			return Frame{}, ErrReceiveTimeout
		}
	}
}

// Pending returns how many frames the RX FIFO holds (RX_MESSAGE_CNT).
func (d *drv) Pending() int { return int(d.get().r.RX_MESSAGE_CNT.Read().RX_MESSAGE_COUNTER()) }

// State is the controller's error state.
type State uint8

const (
	ErrorActive  State = iota // both counters below the warning limit
	ErrorWarning              // a counter at or above Config.ErrorWarningLimit (still error-active)
	ErrorPassive              // a counter at or above 128: passive error flags, suspended transmission
	BusOff                    // the transmit counter passed 255: off the bus, in reset mode
	Recovering                // bus-off, recovery under way (Recover)
)

var stateNames = [...]string{"error-active", "error-warning", "error-passive", "bus-off", "recovering"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(" + itoa.Itoa(int(s)) + ")"
}

// Status is a snapshot of the controller's error state.
type Status struct {
	State    State
	TXErrors int // TX_ERR_CNT (during recovery: the idle sequences still to come, 127..0)
	RXErrors int // RX_ERR_CNT
	Overruns int // frames lost because the RX FIFO was full, since New
}

func (c *ctrl) snapshot() Status {
	st := c.status()
	s := Status{
		TXErrors: int(c.r.TX_ERR_CNT.Read().TX_ERR_CNT()),
		RXErrors: int(c.r.RX_ERR_CNT.Read().RX_ERR_CNT()),
		Overruns: c.overruns,
	}
	switch {
	case st&stBusOff != 0:
		s.State = BusOff
		if c.r.MODE.Read()&modeReset == 0 {
			s.State = Recovering
		}
	case s.TXErrors >= 128 || s.RXErrors >= 128:
		s.State = ErrorPassive
	case st&stErr != 0:
		s.State = ErrorWarning
	}
	return s
}

// Status returns the error counters and state.
func (d *drv) Status() Status { return d.get().snapshot() }

// startRecovery leaves reset mode if the controller is bus-off; it reports whether it is.
func (c *ctrl) startRecovery() bool {
	if c.status()&stBusOff == 0 {
		return false
	}
	if m := c.r.MODE.Read(); m&modeReset != 0 {
		c.r.MODE.Write(m &^ modeReset)
	}
	return true
}

// recoverTimeout is twice the 128 × 11 bits of the recovery, plus a millisecond.
func (c *ctrl) recoverTimeout() time.Duration { return 2*c.bitTime(recoverBits) + time.Millisecond }

// Recover brings a bus-off controller back: it leaves reset mode, and waits while the
// controller counts 128 occurrences of 11 recessive bits, until it is error-active with
// both counters 0 (ErrRecoverTimeout if that takes more than twice the idle time). It
// returns nil at once when the controller is not bus-off.
func (d *drv) Recover() error {
	c := d.get()
	if !c.startRecovery() {
		return nil
	}
	end := systimer.Ticks() + ticks(c.recoverTimeout())
	for c.status()&stBusOff != 0 {
		if systimer.Ticks() >= end {
			return ErrRecoverTimeout
		}
	}
	return nil
}
