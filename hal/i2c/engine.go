package i2c

import (
	"sync/atomic"
	"time"

	"github.com/gohal/gohal/hal/internal/pinroute"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/i2c"
	"github.com/gohal/gohal/pac/esp32c3/system"
	"github.com/gohal/gohal/rt"
)

// Controller constants (esp32c3-facts.md §7).
const (
	fifoSize  = 32
	chunkSize = fifoSize - 1 // esp-hal's I2C_CHUNK_SIZE
	numCmds   = 8
	srcHz     = periph.XTALHz // esp-hal's I2C source clock on the C3: XTAL (CLK_CONF.SCLK_SEL = 0)
	maxBusTO  = 0x1F          // TO.TIME_OUT_VALUE: 2^value clocks, 5 bits
	maxFSMTO  = 23            // SCL_(MAIN_)ST_TIME_OUT: at most 2^23 clocks
	intMask   = 0x3FFFF       // esp-hal's INT_CLR value

	// COMD fields and opcodes.
	opRStart    = 6
	opWrite     = 1
	opRead      = 3
	opStop      = 2
	opEnd       = 4
	cmdAckCheck = 1 << 8
	cmdAckValue = 1 << 10 // READ: send NACK after the byte(s)

	// INT_RAW bits.
	intEndDetect  = 1 << 3
	intArbLost    = 1 << 5
	intTransDone  = 1 << 7
	intTimeOut    = 1 << 8
	intNack       = 1 << 10
	intSclStTO    = 1 << 13
	intSclMainSTO = 1 << 14

	intDone   = intEndDetect | intTransDone
	intErrors = intArbLost | intTimeOut | intNack | intSclStTO | intSclMainSTO
	// intListen is what an async chunk enables: completion and every error (esp-hal's
	// I2cFuture::listen).
	intListen = intDone | intErrors

	sysBit = 7 // I2C_EXT0 in SYSTEM.PERIP_CLK_EN0 / PERIP_RST_EN0

	ticksPerUs = systimer.TicksPerMicrosecond
	// clearBusTimeout bounds the hardware bus clear (esp-hal's CLEAR_BUS_TIMEOUT_MS).
	clearBusTimeout = 50 * time.Millisecond
)

// timing holds the register values set_frequency computes.
type timing struct {
	div, low, high, wait uint32
	sdaHold, sdaSample   uint32
	setup, hold          uint32
	busTO                uint32 // TO.TIME_OUT_VALUE
	busTOEn              bool
	fsmTO                uint32
	freq                 uint32 // the resulting SCL frequency
	timeoutTicks         uint64
	prio                 rt.Priority
	multiMaster          bool
}

// engine is the driver state shared by the Blocking and Async values. It holds no pointer to
// the register block (I2C0, the C3's only I2C controller, is used directly): engine is
// reachable from interfaces (a task holding an *Async or a future), and TinyGo emits type
// information for every type reachable from those, which for an *i2c.I2C field would be the
// controller's register types, about 2 KB of flash.
type engine struct {
	t        timing
	freq     uint32
	sda, scl periph.Pin
	busy     atomic.Uint32 // the call whose transfer is in progress (callNone: none)
	await    Future        // the typed awaits' future (AwaitWrite, ...): a local would escape
}

// computeTiming validates cfg and computes the register values as esp-hal's
// set_frequency does (esp32c3-facts.md §7, "Timing").
func computeTiming(cfg Config) (timing, error) {
	var t timing
	f := cfg.Frequency
	if f == 0 {
		f = DefaultFrequency
	}
	if f < MinFrequency || f > MaxFrequency {
		near := uint32(MinFrequency)
		if f > MaxFrequency {
			near = MaxFrequency
		}
		return t, &ConfigError{Field: "Frequency", Value: f, Nearest: near,
			Reason: "the controller reaches 153 Hz to 1 MHz from its 40 MHz clock"}
	}
	t.div = srcHz/(f*1024) + 1
	sclk := uint32(srcHz) / t.div
	h := sclk / f / 2
	t.low = h - 1
	if f >= 80_000 {
		t.wait = h/2 - 2
	} else {
		t.wait = h / 4
	}
	t.high = h - t.wait
	t.sdaHold = h/4 - 1
	t.sdaSample = h/2 - 1
	t.setup = h - 1
	t.hold = h - 1
	t.freq = sclk / (2 * h)

	if cfg.BusTimeout > 0 {
		// esp-hal's BusTimeout::BusCycles on chips whose timeout is exponential: the
		// smallest power of two of controller clocks covering the bus cycles.
		clocks := uint64(cfg.BusTimeout) * 2 * uint64(h)
		e := uint32(0)
		for uint64(1)<<e < clocks {
			e++
		}
		if e > maxBusTO {
			return t, &ConfigError{Field: "BusTimeout", Value: cfg.BusTimeout,
				Nearest: uint32((uint64(1) << maxBusTO) / (2 * uint64(h))),
				Reason:  "the bus timeout counts at most 2^31 controller clocks"}
		}
		t.busTO, t.busTOEn = e, true
	}
	t.fsmTO = uint32(cfg.FSMTimeout)
	if t.fsmTO == 0 {
		t.fsmTO = DefaultFSMTimeout
	}
	if t.fsmTO > maxFSMTO {
		return t, &ConfigError{Field: "FSMTimeout", Value: uint32(cfg.FSMTimeout), Nearest: maxFSMTO,
			Reason: "the state-machine timeouts count at most 2^23 clocks"}
	}
	to := cfg.Timeout
	if to <= 0 {
		to = DefaultTimeout
	}
	t.timeoutTicks = uint64(to/time.Microsecond) * ticksPerUs
	t.prio = cfg.Priority
	if t.prio == 0 {
		t.prio = DefaultPriority
	}
	if t.prio > rt.MaxPriority {
		return t, &ConfigError{Field: "Priority", Value: uint32(cfg.Priority), Nearest: uint32(rt.MaxPriority),
			Reason: "interrupt priorities are 1..15"}
	}
	t.multiMaster = cfg.MultiMaster
	return t, nil
}

func newEngine(p periph.I2C, cfg Config, sda, scl periph.Pin) (*engine, error) {
	if p.Number() != 0 {
		return nil, periph.ErrNoSuchResource
	}
	t, err := computeTiming(cfg)
	if err != nil {
		return nil, err
	}
	if err := periph.Claim(periph.KindI2C, 0, "an i2c master driver"); err != nil {
		return nil, err
	}
	if err := periph.ClaimPins([]periph.Pin{sda, scl}, []string{"I2C0 SDA", "I2C0 SCL"}); err != nil {
		periph.Release(periph.KindI2C, 0)
		return nil, err
	}
	c := &engine{t: t, freq: t.freq, sda: sda, scl: scl}
	enableClock()
	c.setup()
	// The pins last, as esp-hal's with_sda/with_scl: open drain with pull-up, released
	// (high) before the controller drives them, the same pad routed both ways.
	for _, pin := range [2]struct {
		n   int
		sig uint32
	}{{sda.Number(), pinroute.I2CEXT0SDA}, {scl.Number(), pinroute.I2CEXT0SCL}} {
		pinroute.ConnectOutput(pin.n, pin.sig, pinroute.Output{OpenDrain: true, PullUp: true, High: true, Input: true})
		pinroute.ConnectInput(pin.n, pin.sig)
	}
	return c, nil
}

// enableClock is the peripheral guard's first acquisition: clock on, reset pulsed.
func enableClock() {
	s := esp32c3.SYSTEM
	cs := rt.EnterCritical()
	s.PERIP_CLK_EN0.Modify(func(v system.PERIP_CLK_EN0Value) system.PERIP_CLK_EN0Value { return v.WithEXT0_CLK_EN(true) })
	s.PERIP_RST_EN0.Modify(func(v system.PERIP_RST_EN0Value) system.PERIP_RST_EN0Value { return v | 1<<sysBit })
	s.PERIP_RST_EN0.Modify(func(v system.PERIP_RST_EN0Value) system.PERIP_RST_EN0Value { return v &^ (1 << sysBit) })
	cs.Exit()
}

// resetPeripheral pulses I2C0's reset: esp-hal's FSM reset on the C3 (do_fsm_reset), which
// has no reliable FSM_RST. The configuration is lost and set up again.
func (c *engine) resetPeripheral() {
	s := esp32c3.SYSTEM
	cs := rt.EnterCritical()
	s.PERIP_RST_EN0.Modify(func(v system.PERIP_RST_EN0Value) system.PERIP_RST_EN0Value { return v | 1<<sysBit })
	s.PERIP_RST_EN0.Modify(func(v system.PERIP_RST_EN0Value) system.PERIP_RST_EN0Value { return v &^ (1 << sysBit) })
	cs.Exit()
	c.setup()
}

// setup is esp-hal's Driver::setup: master mode, filters, timing, timeouts, CONF_UPGATE.
func (c *engine) setup() {
	r, t := esp32c3.I2C0, &c.t
	r.CTR.Write(i2c.CTRValue(0).WithMS_MODE(true).
		WithSDA_FORCE_OUT(true).WithSCL_FORCE_OUT(true). // open drain
		WithCLK_EN(true).WithARBITRATION_EN(t.multiMaster))
	r.FILTER_CFG.Write(i2c.FILTER_CFGValue(0).WithSCL_FILTER_THRES(7).WithSDA_FILTER_THRES(7).
		WithSCL_FILTER_EN(true).WithSDA_FILTER_EN(true))
	r.CLK_CONF.Write(i2c.CLK_CONFValue(0).WithSCLK_DIV_NUM(t.div - 1).WithSCLK_SEL(false).WithSCLK_ACTIVE(true))
	r.SCL_LOW_PERIOD.Write(i2c.SCL_LOW_PERIODValue(0).WithSCL_LOW_PERIOD(t.low))
	r.SCL_HIGH_PERIOD.Write(i2c.SCL_HIGH_PERIODValue(0).WithSCL_HIGH_PERIOD(t.high).WithSCL_WAIT_HIGH_PERIOD(t.wait))
	r.SDA_HOLD.Write(i2c.SDA_HOLDValue(0).WithTIME(t.sdaHold))
	r.SDA_SAMPLE.Write(i2c.SDA_SAMPLEValue(0).WithTIME(t.sdaSample))
	r.SCL_RSTART_SETUP.Write(i2c.SCL_RSTART_SETUPValue(0).WithTIME(t.setup))
	r.SCL_STOP_SETUP.Write(i2c.SCL_STOP_SETUPValue(0).WithTIME(t.setup))
	r.SCL_START_HOLD.Write(i2c.SCL_START_HOLDValue(0).WithTIME(t.hold))
	r.SCL_STOP_HOLD.Write(i2c.SCL_STOP_HOLDValue(0).WithTIME(t.hold))
	to := i2c.TOValue(0).WithTIME_OUT_EN(t.busTOEn).WithTIME_OUT_VALUE(1)
	if t.busTOEn {
		to = to.WithTIME_OUT_VALUE(t.busTO)
	}
	r.TO.Write(to)
	r.SCL_ST_TIME_OUT.Write(i2c.SCL_ST_TIME_OUTValue(0).WithSCL_ST_TO_I2C(t.fsmTO))
	r.SCL_MAIN_ST_TIME_OUT.Write(i2c.SCL_MAIN_ST_TIME_OUTValue(0).WithSCL_MAIN_ST_TO_I2C(t.fsmTO))
	c.updateRegisters()
}

// updateRegisters writes CONF_UPGATE, which latches the configuration into the
// controller's clock domain.
func (c *engine) updateRegisters() {
	esp32c3.I2C0.CTR.Modify(func(v i2c.CTRValue) i2c.CTRValue { return v.WithCONF_UPGATE(true) })
}

// close stops the controller and gives everything back.
func (c *engine) close() {
	r := esp32c3.I2C0
	r.INT_ENA.Write(0)
	r.INT_CLR.Write(intMask)
	pinroute.TieInput(pinroute.I2CEXT0SDA, true)
	pinroute.TieInput(pinroute.I2CEXT0SCL, true)
	pinroute.Release(c.sda.Number())
	pinroute.Release(c.scl.Number())
	s := esp32c3.SYSTEM
	cs := rt.EnterCritical()
	s.PERIP_CLK_EN0.Modify(func(v system.PERIP_CLK_EN0Value) system.PERIP_CLK_EN0Value { return v.WithEXT0_CLK_EN(false) })
	cs.Exit()
	periph.Release(periph.KindPin, c.sda.Number())
	periph.Release(periph.KindPin, c.scl.Number())
	periph.Release(periph.KindI2C, 0)
}

// Blocking entry points: each runs one xfer to completion, spinning on the registers. The
// operations of Write, Read and WriteRead travel by value in the xfer (no slice of a local
// array, which TinyGo would put on the heap).

// The driver methods that start a transfer, as engine.busy records the one in progress.
const (
	callNone = iota
	callWrite
	callRead
	callWriteRead
	callTransaction
	callTx
	callWriteAsync
	callReadAsync
	callWriteReadAsync
	callTransactionAsync
	callAwaitWrite
	callAwaitRead
	callAwaitWriteRead
)

var callNames = [...]string{"", "Write", "Read", "WriteRead", "Transaction", "Tx",
	"WriteAsync", "ReadAsync", "WriteReadAsync", "TransactionAsync",
	"AwaitWrite", "AwaitRead", "AwaitWriteRead"}

// concurrent panics for a future polled while another transfer holds the driver: the
// project's rule for misuse, where a blocking call gets ErrBusy. The message is built only
// here, at the end.
func (c *engine) concurrent(second uint8) {
	first := c.busy.Load()
	msg := "i2c: I2C0: " + callNames[second] + " polled while "
	if first >= callWriteAsync {
		msg += "a " + callNames[first] + " is in progress on I2C0; one transfer at a time: await the " +
			callNames[first] + " (or Cancel it) before starting another"
	} else {
		msg += "a blocking " + callNames[first] + " (interrupted by this poll's higher priority) is in progress on I2C0; one transfer at a time: do not start a transfer at a priority that can preempt one in progress"
	}
	panic(msg)
}

func (c *engine) write(call uint8, addr uint16, w []byte) error {
	return c.run(call, addr, [2]Operation{{Buf: w}}, 1, nil)
}

func (c *engine) read(call uint8, addr uint16, r []byte) error {
	return c.run(call, addr, [2]Operation{{Buf: r, Read: true}}, 1, nil)
}

func (c *engine) writeRead(call uint8, addr uint16, w, r []byte) error {
	return c.run(call, addr, [2]Operation{{Buf: w}, {Buf: r, Read: true}}, 2, nil)
}

func (c *engine) transaction(addr uint16, ops []Operation) error {
	if ops == nil {
		ops = []Operation{}
	}
	return c.run(callTransaction, addr, [2]Operation{}, 0, ops)
}

// tx is tinygo.org/x/drivers' Tx: w then r, either possibly empty; both empty probes the
// address with an empty write.
func (c *engine) tx(addr uint16, w, r []byte) error {
	switch {
	case len(r) == 0:
		return c.write(callTx, addr, w)
	case len(w) == 0:
		return c.read(callTx, addr, r)
	}
	return c.writeRead(callTx, addr, w, r)
}

func (c *engine) run(call uint8, addr uint16, inline [2]Operation, n int, ext []Operation) error {
	if !c.busy.CompareAndSwap(callNone, uint32(call)) {
		return ErrBusy
	}
	x, err := begin(c, addr, inline, n, ext)
	for err == nil {
		st, f := x.step()
		if st == stepDone {
			err = f.err()
			break
		}
	}
	c.busy.Store(callNone)
	return err
}

// step results.
const (
	stepWait = iota // a chunk is on the bus: wait for an interrupt (or poll again)
	stepSpin        // the chunk's events fired but not every COMMAND_DONE yet: poll again
	stepDone        // finished, with the error returned alongside
)

// fault is a transfer's outcome inside the engine: a small integer rather than an error
// value, because comparing interfaces makes TinyGo link its reflect package (about 6 KB).
type fault uint8

const (
	fOK fault = iota
	fAddressNACK
	fDataNACK
	fArbitrationLost
	fBusTimeout
	fTimeout
	fIncomplete
)

var faultErrors = [...]error{nil, ErrAddressNACK, ErrDataNACK, ErrArbitrationLost, ErrBusTimeout, ErrTimeout, ErrIncomplete}

func (f fault) err() error { return faultErrors[f] }

// kinds of operation, for START decisions.
const (
	kindNone = iota
	kindWrite
	kindRead
)

// xfer is one transaction in progress: the state machine both modes drive. Blocking calls
// step until it is done; an async Future calls it from Poll and waits for the interrupt in
// between. It never allocates.
type xfer struct {
	c        *engine
	inline   [2]Operation // the operations, unless ext holds them
	nInline  int
	ext      []Operation
	addr     uint16 // 7 or 10 bits
	ten      bool
	i        int // current operation
	off      int // bytes of ops[i] done
	last     int // kind of the previous operation (kindNone at the start)
	inflight bool
	chunkN   int  // bytes read or written by the chunk on the bus
	chunkRd  bool // the chunk on the bus reads
	addrCmds uint8
	deadline uint64 // SYSTIMER ticks
	chunks   int    // chunks started so far
}

// begin validates the address and prepares the transaction (the caller holds busy);
// nothing goes on the bus yet except, if a previous transfer left the bus busy, esp-hal's
// bus clear. The xfer is returned by value and no xfer method returns a pointer into it,
// so a blocking call's xfer stays on the stack under both Go and TinyGo, and so do the
// caller's buffers it refers to.
func begin(c *engine, addr uint16, inline [2]Operation, n int, ext []Operation) (xfer, error) {
	x := xfer{c: c, inline: inline, nInline: n, ext: ext}
	if addr&TenBit != 0 {
		if addr&^TenBit > 0x3FF {
			return x, AddressError{addr}
		}
		x.addr, x.ten = addr&^TenBit, true
	} else {
		if addr > 0x7F {
			return x, AddressError{addr}
		}
		x.addr = addr
	}
	x.deadline = systimer.Ticks() + c.t.timeoutTicks
	x.i = x.next(-1)
	if esp32c3.I2C0.SR.Read().BUS_BUSY() {
		c.clearBus()
	}
	return x, nil
}

// count is the number of operations.
func (x *xfer) count() int {
	if x.ext != nil {
		return len(x.ext)
	}
	return x.nInline
}

// op returns operation i (a copy: no pointer into x leaves it).
func (x *xfer) op(i int) Operation {
	if x.ext != nil {
		return x.ext[i]
	}
	return x.inline[i]
}

// next returns the index of the operation after i that runs (zero-length reads are
// skipped, as esp-hal skips them), or count().
func (x *xfer) next(i int) int {
	for i++; i < x.count(); i++ {
		if op := x.op(i); !op.Read || len(op.Buf) > 0 {
			break
		}
	}
	return i
}

func kindOf(op Operation) int {
	if op.Read {
		return kindRead
	}
	return kindWrite
}

// step advances the transaction as far as it can without waiting.
func (x *xfer) step() (int, fault) {
	for {
		if x.inflight {
			st, f := x.poll()
			if st != stepDone {
				return st, fOK
			}
			x.inflight = false
			if f != fOK {
				x.c.recover(f)
				return stepDone, f
			}
			op := x.op(x.i)
			if x.chunkRd {
				if f := x.drain(op.Buf[x.off : x.off+x.chunkN]); f != fOK {
					x.c.recover(f)
					return stepDone, f
				}
			}
			x.off += x.chunkN
			if x.off >= len(op.Buf) {
				x.last = kindOf(op)
				x.i, x.off = x.next(x.i), 0
			}
		}
		if x.i >= x.count() {
			return stepDone, fOK
		}
		if x.expired() {
			x.c.recover(fTimeout)
			return stepDone, fTimeout
		}
		if x.startChunk() {
			return stepWait, fOK
		}
		// An empty write with neither START nor STOP puts nothing on the bus.
		x.last = kindWrite
		x.i, x.off = x.next(x.i), 0
	}
}

func (x *xfer) expired() bool { return systimer.Ticks() > x.deadline }

// chunkLen is esp-hal's calculate_chunk_size: whole chunks of max, but never leave a last
// chunk shorter than two bytes.
func chunkLen(remaining, max int) int {
	switch {
	case remaining <= max:
		return remaining
	case remaining > max+2:
		return max
	}
	return max - 2
}

// cmdList writes the command list of a chunk.
type cmdList struct {
	r *i2c.I2C
	n int
}

func (l *cmdList) add(op, n, flags uint32) {
	l.r.COMD[l.n].Write(i2c.COMDValue(0).WithCOMMAND(op<<11 | flags | n))
	l.n++
}

// startChunk loads and starts the next chunk of ops[x.i] (esp-hal's
// start_write_operation / start_read_operation). It reports false for an empty write
// without START or STOP, which esp-hal skips.
func (x *xfer) startChunk() bool {
	op := x.op(x.i)
	kind := kindOf(op)
	nxt := x.next(x.i)
	rem := len(op.Buf) - x.off
	start := x.off == 0 && x.last != kind
	max := chunkSize
	if x.ten && start && kind == kindWrite {
		max-- // a 10-bit address takes two FIFO bytes
	}
	n := chunkLen(rem, max)
	lastChunk := x.off+n == len(op.Buf)
	stop := lastChunk && nxt >= x.count()
	if kind == kindWrite && n == 0 && !start && !stop {
		return false
	}
	c, r := x.c, esp32c3.I2C0
	c.resetBeforeTransmission()
	l := cmdList{r: r}
	x.addrCmds = 0
	data := op.Buf[x.off : x.off+n]
	if kind == kindWrite {
		if start {
			l.add(opRStart, 0, 0)
			// The address gets a WRITE of its own, so that its COMMAND_DONE tells an address
			// NACK from a data NACK (esp-hal writes it in the data's WRITE).
			x.addrCmds |= 1 << l.n
			if x.ten {
				l.add(opWrite, 2, cmdAckCheck)
			} else {
				l.add(opWrite, 1, cmdAckCheck)
			}
		}
		if n > 0 {
			l.add(opWrite, uint32(n), cmdAckCheck)
		}
		x.finishList(&l, start, stop)
		if start {
			x.pushAddress(false, true)
		}
		for _, b := range data {
			r.FIFO_DATA.Write(i2c.FIFO_DATAValue(b))
		}
	} else {
		willContinue := !lastChunk || (nxt < x.count() && x.op(nxt).Read)
		// With a 10-bit address, a read right after a write to the device needs only the
		// read form of the first byte after the repeated START; otherwise the full address
		// is written first.
		full10 := x.ten && x.last != kindWrite
		if start {
			l.add(opRStart, 0, 0)
			if full10 {
				x.addrCmds |= 1 << l.n
				l.add(opWrite, 2, cmdAckCheck)
				l.add(opRStart, 0, 0)
			}
			x.addrCmds |= 1 << l.n
			l.add(opWrite, 1, cmdAckCheck)
		}
		initial := n
		if !willContinue {
			initial--
		}
		if initial > 0 {
			l.add(opRead, uint32(initial), 0)
		}
		if !willContinue {
			l.add(opRead, 1, cmdAckValue) // NACK the last byte
		}
		c.updateRegisters()
		if start {
			x.pushAddress(full10, false)
		}
		x.finishList(&l, start, stop)
	}
	x.chunkN, x.chunkRd, x.inflight = n, kind == kindRead, true
	x.chunks++
	r.CTR.Modify(func(v i2c.CTRValue) i2c.CTRValue { return v.WithTRANS_START(true) })
	return true
}

// finishList ends a chunk's command list: STOP after the last chunk, END unless the chunk
// is the whole transaction (esp-hal adds both to a last chunk that did not START).
func (x *xfer) finishList(l *cmdList, start, stop bool) {
	if stop {
		l.add(opStop, 0, 0)
	}
	if !(start && stop) {
		l.add(opEnd, 0, 0)
	}
}

// pushAddress writes the address bytes into the TX FIFO: addr<<1|R/W, or for 10 bits
// 11110 a9 a8 W and a7..a0 (writes, and reads with full10), then 11110 a9 a8 R for reads.
func (x *xfer) pushAddress(full10, write bool) {
	f := &esp32c3.I2C0.FIFO_DATA
	if !x.ten {
		b := byte(x.addr << 1)
		if !write {
			b |= 1
		}
		f.Write(i2c.FIFO_DATAValue(b))
		return
	}
	hi := byte(0xF0 | (x.addr>>7)&6)
	if write || full10 {
		f.Write(i2c.FIFO_DATAValue(hi))
		f.Write(i2c.FIFO_DATAValue(byte(x.addr)))
	}
	if !write {
		f.Write(i2c.FIFO_DATAValue(hi | 1))
	}
}

// resetBeforeTransmission is esp-hal's: clear every interrupt, reset the FIFOs, zero the
// command list.
func (c *engine) resetBeforeTransmission() {
	r := esp32c3.I2C0
	r.INT_CLR.Write(intMask)
	// reset_fifo (v3): both FIFO resets with the FIFO pointers protected, watermarks RX 1
	// and TX 8; release the resets; clear the watermark interrupts; CONF_UPGATE.
	fc := i2c.FIFO_CONFValue(0).WithFIFO_PRT_EN(true).WithRXFIFO_WM_THRHD(1).WithTXFIFO_WM_THRHD(8)
	r.FIFO_CONF.Write(fc.WithTX_FIFO_RST(true).WithRX_FIFO_RST(true))
	r.FIFO_CONF.Write(fc)
	r.INT_CLR.Write(i2c.INT_CLRValue(0).WithRXFIFO_WM_INT_CLR(true).WithTXFIFO_WM_INT_CLR(true))
	c.updateRegisters()
	for i := 0; i < numCmds; i++ {
		r.COMD[i].Write(0)
	}
}

// poll checks the chunk on the bus (esp-hal's I2cFuture::poll_completion followed by
// all_commands_done).
func (x *xfer) poll() (int, fault) {
	r := esp32c3.I2C0
	raw := uint32(r.INT_RAW.Read())
	f := x.check(raw)
	if raw&intDone != 0 {
		if f == fBusTimeout {
			f = fOK // done and timed out: esp-hal takes it as done, checked too late
		}
		if f != fOK {
			return stepDone, f
		}
		if !x.allCommandsDone() {
			if x.expired() {
				return stepDone, fIncomplete
			}
			return stepSpin, fOK
		}
		return stepDone, x.check(uint32(r.INT_RAW.Read()))
	}
	if f != fOK {
		return stepDone, f
	}
	if x.expired() {
		return stepDone, fTimeout
	}
	return stepWait, fOK
}

// check is esp-hal's check_errors, in its order, with the NACK's cause read from the
// address commands' COMMAND_DONE.
func (x *xfer) check(raw uint32) fault {
	r := esp32c3.I2C0
	switch {
	case raw&intNack != 0:
		for i := 0; i < numCmds; i++ {
			if x.addrCmds&(1<<i) != 0 && !r.COMD[i].Read().COMMAND_DONE() {
				return fAddressNACK
			}
		}
		return fDataNACK
	case raw&intArbLost != 0:
		return fArbitrationLost
	case raw&intTransDone != 0 && !r.SR.Read().RESP_REC():
		return fDataNACK
	case raw&(intSclStTO|intSclMainSTO|intTimeOut) != 0:
		return fBusTimeout
	}
	return fOK
}

// allCommandsDone reports whether every command up to the END or STOP has COMMAND_DONE.
func (x *xfer) allCommandsDone() bool {
	r := esp32c3.I2C0
	for i := 0; i < numCmds; i++ {
		v := r.COMD[i].Read()
		op := v.COMMAND() >> 11 & 7
		if v != 0 && op != opEnd && !v.COMMAND_DONE() {
			return false
		}
		if op == opEnd || op == opStop {
			break
		}
	}
	return true
}

// drain pops a read chunk's bytes (esp-hal's read_all_from_fifo).
func (x *xfer) drain(buf []byte) fault {
	r := esp32c3.I2C0
	if int(r.SR.Read().RXFIFO_CNT()) < len(buf) {
		return fIncomplete
	}
	for i := range buf {
		buf[i] = byte(r.FIFO_DATA.Read().FIFO_RDATA())
	}
	return fOK
}

// abort abandons a chunk on the bus (a cancelled future).
func (x *xfer) abort() {
	if x.inflight {
		x.inflight = false
		x.c.recover(fTimeout)
	}
}

// recover puts the controller back in order after a failed transfer: a timeout, lost
// arbitration or a bus left busy gets esp-hal's bus clear (which resets the controller);
// anything else a controller reset.
func (c *engine) recover(f fault) {
	if f == fTimeout || f == fBusTimeout || f == fArbitrationLost || esp32c3.I2C0.SR.Read().BUS_BUSY() {
		c.clearBus()
		return
	}
	c.resetPeripheral()
}

// clearBus is esp-hal's hardware bus clear on the C3 (ClearBusFuture with reset_fsm): reset
// the controller, wait 5 µs, send nine SCL pulses with SCL_SP_CONF and wait for the
// hardware to finish them (at most clearBusTimeout), then make a STOP by hand on the pins:
// SDA low, SCL high, SDA high, 5 µs apart, with the pins detached from the controller.
func (c *engine) clearBus() {
	r := esp32c3.I2C0
	c.resetPeripheral()
	delayUs(5)
	r.SCL_SP_CONF.Modify(func(v i2c.SCL_SP_CONFValue) i2c.SCL_SP_CONFValue {
		return v.WithSCL_RST_SLV_NUM(9).WithSCL_RST_SLV_EN(true)
	})
	c.updateRegisters()
	limit := systimer.Ticks() + uint64(clearBusTimeout/time.Microsecond)*ticksPerUs
	for r.SCL_SP_CONF.Read().SCL_RST_SLV_EN() {
		if systimer.Ticks() > limit {
			r.SCL_SP_CONF.Modify(func(v i2c.SCL_SP_CONFValue) i2c.SCL_SP_CONFValue {
				return v.WithSCL_RST_SLV_NUM(0).WithSCL_RST_SLV_EN(false)
			})
			c.updateRegisters()
			break
		}
	}
	sda, scl := c.sda.Number(), c.scl.Number()
	delayUs(5)
	pinroute.Drive(sda, true)
	pinroute.Drive(scl, false)
	pinroute.Detach(scl)
	pinroute.Detach(sda)
	pinroute.Drive(sda, false)
	delayUs(5)
	pinroute.Drive(scl, true)
	delayUs(5)
	pinroute.Drive(sda, true) // STOP: SDA rises while SCL is high
	delayUs(5)
	pinroute.Attach(sda, pinroute.I2CEXT0SDA)
	pinroute.Attach(scl, pinroute.I2CEXT0SCL)
	r.INT_CLR.Write(intMask)
}

// delayUs busy-waits on the SYSTIMER.
func delayUs(us uint64) {
	end := systimer.Ticks() + us*ticksPerUs
	for systimer.Ticks() < end {
	}
}
