package esp32c3

import (
	"time"
)

// TWAI models TWAI0 (the ESP32-C3's CAN 2.0 controller, SJA1000 PeliCAN-like, base
// 0x6002B000) and the CAN bus it sits on, with a second node a test drives: the node sends
// frames to the chip at virtual times (Send, SendAt), acknowledges the chip's frames (or
// not: SetAck), sees every frame the chip gets onto the bus (Received, OnReceive), and
// errors can be injected into the next frames on the bus (InjectError).
//
// # Device side (registers)
//
//   - MODE (+0x00, reset 1): RESET_MODE b0, LISTEN_ONLY b1, SELF_TEST b2, RX_FILTER_MODE b3
//     (1 = single filter). Bits 1..3 change only in reset mode. Leaving reset mode while
//     bus-off starts the bus-off recovery.
//   - CMD (+0x04, write): TX_REQ b0, ABORT_TX b1, RELEASE_BUF b2, CLR_OVERRUN b3,
//     SELF_RX_REQ b4 (transmit and receive the frame itself). TX_REQ in reset mode, in
//     listen-only mode or while the TX buffer is locked is ignored (logged once).
//   - STATUS (+0x08, read): RX_BUF_ST b0, OVERRUN_ST b1, TX_BUF_ST b2 (the TX buffer is
//     free), TX_COMPLETE b3 (the last transmission succeeded), RX_ST b4, TX_ST b5, ERR_ST b6
//     (a counter >= ERR_WARNING_LIMIT), BUS_OFF_ST b7. MISS_ST (b8) is always 0: a frame that
//     does not fit in the RX FIFO is dropped whole.
//   - INT_RAW (+0x0C): RX b0, TX b1, ERR_WARN b2, OVERRUN b3, ERR_PASSIVE b5, ARB_LOST b6,
//     BUS_ERR b7. Reading it clears every bit but RX, which is a level: set while the RX
//     FIFO holds a message. Bits latch whether or not they are enabled (the SJA1000 only
//     latches enabled ones; a driver that reads INT_RAW only in its handler cannot tell).
//     INT_ENA (+0x10) masks them onto source 25 (TWAI0), a level line.
//   - BUS_TIMING_0/1 (+0x18/+0x1C): the bit time is BRP·(1+TSEG1+TSEG2) APB cycles with
//     BRP = 2·(BAUD_PRESC+1), TSEG1 = TIME_SEG1+1, TSEG2 = TIME_SEG2+1. Written only in
//     reset mode (logged once otherwise).
//   - ARB_LOST_CAP (+0x2C), ERR_CODE_CAP (+0x30): the bit of a lost arbitration; the type
//     (b7:6: 0 bit, 1 form, 2 stuff, 3 other), direction (b5: 1 = receiving) and segment
//     (b4:0, SJA1000 codes) of the last bus error.
//   - ERR_WARNING_LIMIT (+0x34, reset 96), RX_ERR_CNT/TX_ERR_CNT (+0x38/+0x3C): counters
//     writable in reset mode.
//   - DATA_0..12 (+0x40..+0x70): in reset mode DATA_0..3 are the acceptance code and
//     DATA_4..7 the acceptance mask (1 = don't care); in operating mode a write fills the TX
//     buffer and a read returns the RX FIFO's first message, both in the SJA1000 frame
//     layout (frame info, 2 or 4 identifier bytes, data).
//   - RX_MESSAGE_CNT (+0x74): messages in the 64-byte RX FIFO (3 or 5 bytes of header plus
//     the data per message). CLOCK_DIVIDER (+0x7C) is memory.
//
// # Bus
//
// Frames take their exact length on the bus at the bit rate BUS_TIMING gives: the bits from
// SOF to the end of the CRC (computed, CRC-15) with their stuff bits, then CRC delimiter,
// ACK slot and delimiter, EOF and the 3-bit intermission. The second node runs at whatever
// bit rate the chip is set to. When both the chip and the node have a frame ready when the
// bus falls idle, arbitration picks the lower identifier (dominant bits win, standard
// before extended of the same base ID, data before remote); the chip losing latches
// ARB_LOST and retries when the bus is free.
//
// The chip's frames are acknowledged by the node as SetAck says. Without an ACK the chip
// counts an ACK error (TEC += 8) and retransmits at once; by ISO 11898-1's exception, an
// error-passive transmitter whose ACK error meets no dominant bit in its passive error flag
// does not count it, so a lone node stops at TEC 128 (error-passive) and retries for ever
// (TWAIAckNone). TWAIAckNoneErrorFrame is a node that does not acknowledge and sends an
// error frame (a node that sees CRC errors): the chip counts every attempt and goes
// bus-off after TEC passes 255. An error-passive transmitter waits 8 more bit times
// (suspend transmission) before retrying.
//
// Bus-off: TX_ERR_CNT past 255 sets BUS_OFF_ST and RESET_MODE, TEC reads 127 and REC 0, the
// TX buffer is released (TX_COMPLETE 0) and the RX FIFO cleared. Once firmware clears
// RESET_MODE, the controller waits for 128 occurrences of 11 recessive bits (1408 bit
// times; the model counts them as elapsed time, traffic or not: an approximation),
// TX_ERR_CNT counting down from 127 meanwhile, then leaves bus-off with both counters 0.
//
// Frames the node sends are acknowledged by the rest of the bus: they are never retried for
// a missing ACK, and reach the chip only in operating mode, when they pass its acceptance
// filter. In listen-only mode the chip neither acknowledges nor counts errors.
//
// InjectError hits the next frame on the bus with a bit, stuff, CRC or form error: the
// frame is cut short by an error frame (6-bit flag, 8-bit delimiter, intermission) and its
// sender retransmits it. As transmitter the chip counts TEC += 8, as receiver REC += 1,
// and latches BUS_ERR with ERR_CODE_CAP; ERR_WARN and ERR_PASSIVE latch when the error
// warning (ERR_ST, BUS_OFF_ST) or the error-passive state change.
type TWAI struct {
	c    *Chip
	blk  *block
	line irq

	mode     uint32
	raw, ena uint32
	bt0, bt1 uint32
	ewl      uint32
	tec, rec int
	alc, ecc uint32

	txBuf    [13]byte
	acr, amr [4]byte

	// RX FIFO: 64 bytes of messages in the SJA1000 layout, as a ring.
	rxRing  [twaiFIFOSize]byte
	rxLen   [twaiFIFOSize]uint8 // the length of each message, a ring of rxMsgs entries
	rxHead  int                 // byte index of the first message
	rxBytes int
	rxFirst int // index in rxLen of the first message
	rxMsgs  int
	overrun bool

	txPending, txComplete, txSelf, txAbort bool
	txFrame                                TWAIFrame

	errSt, busOff, passive bool
	recovering             bool
	recoverAt              time.Duration
	recoverEv              *Event

	// The bus.
	ack        TWAIAck
	nodeQ      []TWAIFrame
	inject     []TWAIErrorKind
	inFlight   bool
	flight     twaiFlight
	idleAt     time.Duration // when the bus is next idle
	devReadyAt time.Duration // an error-passive chip's suspend transmission
	kickEv     *Event
	flightEv   *Event
	warnBusOff bool // BUS_OFF_ST as ERR_WARN last saw it
	frameEnd   func()
	kickFn     func()

	received  []TWAIFrame // the chip's frames the node received
	log       []TWAIBusEvent
	onReceive []func(TWAIFrame)
}

// twaiFlight is the frame on the bus.
type twaiFlight struct {
	fromDevice bool
	frame      TWAIFrame
	start, end time.Duration
	err        TWAIErrorKind // TWAINoError: it goes through
}

// TWAIFrame is a CAN 2.0 frame on the simulated bus. Data holds the payload of a data
// frame (DLC is then len(Data) when left 0); a remote frame has no data and says the length
// it asks for in DLC.
type TWAIFrame struct {
	ID       uint32
	Extended bool
	Remote   bool
	DLC      int
	Data     []byte
}

// TWAIAck says how the second node acknowledges the chip's frames.
type TWAIAck int

const (
	// TWAIAckAll: the node acknowledges every frame (the default).
	TWAIAckAll TWAIAck = iota
	// TWAIAckNone: nobody acknowledges and nobody flags an error (the chip alone on the
	// bus): TEC climbs to 128 and stays there.
	TWAIAckNone
	// TWAIAckNoneErrorFrame: the node does not acknowledge and answers with an error frame:
	// TEC climbs until bus-off.
	TWAIAckNoneErrorFrame
)

// TWAIErrorKind is a bus error the test injects (or the ACK error the model produces).
type TWAIErrorKind int

const (
	TWAINoError TWAIErrorKind = iota
	TWAIBitError
	TWAIStuffError
	TWAICRCError
	TWAIFormError
	TWAIAckError
)

var twaiErrorNames = [...]string{"none", "bit error", "stuff error", "CRC error", "form error", "ACK error"}

func (k TWAIErrorKind) String() string {
	if k < 0 || int(k) >= len(twaiErrorNames) {
		return "?"
	}
	return twaiErrorNames[k]
}

// TWAIBusEvent is one frame on the bus: who sent it, when it started and ended, and the
// error that cut it short (TWAINoError when it went through).
type TWAIBusEvent struct {
	Start, End time.Duration
	FromChip   bool
	Frame      TWAIFrame
	Error      TWAIErrorKind
}

// SourceTWAI0 is TWAI0's interrupt-matrix source.
const SourceTWAI0 Source = 25

// Register offsets and bits.
const (
	twaiBase       = 0x6002_B000
	twaiMode       = 0x00
	twaiCmd        = 0x04
	twaiStatus     = 0x08
	twaiIntRaw     = 0x0C
	twaiIntEna     = 0x10
	twaiBT0        = 0x18
	twaiBT1        = 0x1C
	twaiALC        = 0x2C
	twaiECC        = 0x30
	twaiEWL        = 0x34
	twaiRXErr      = 0x38
	twaiTXErr      = 0x3C
	twaiData0      = 0x40
	twaiData12     = 0x70
	twaiRXMsgCnt   = 0x74
	twaiClkDiv     = 0x7C
	twaiFIFOSize   = 64
	twaiSysBit     = 19 // CAN_CLK_EN / CAN_RST in PERIP_CLK_EN0 / PERIP_RST_EN0
	twaiModeReset  = 1 << 0
	twaiModeLOM    = 1 << 1
	twaiModeSTM    = 1 << 2
	twaiModeAFM    = 1 << 3
	twaiCmdTX      = 1 << 0
	twaiCmdAbort   = 1 << 1
	twaiCmdRelease = 1 << 2
	twaiCmdClrOvr  = 1 << 3
	twaiCmdSelfRX  = 1 << 4

	twaiIntRX      = 1 << 0
	twaiIntTX      = 1 << 1
	twaiIntErrWarn = 1 << 2
	twaiIntOverrun = 1 << 3
	twaiIntPassive = 1 << 5
	twaiIntArbLost = 1 << 6
	twaiIntBusErr  = 1 << 7
	twaiIntMask    = 0xEF

	twaiStRXBuf    = 1 << 0
	twaiStOverrun  = 1 << 1
	twaiStTXBuf    = 1 << 2
	twaiStTXDone   = 1 << 3
	twaiStRX       = 1 << 4
	twaiStTX       = 1 << 5
	twaiStErr      = 1 << 6
	twaiStBusOff   = 1 << 7
	twaiRecoverBit = 128 * 11
)

func twaiModelled(off uintptr) bool {
	switch {
	case off <= twaiIntEna, off == twaiBT0, off == twaiBT1, off == twaiALC, off == twaiECC, off == twaiEWL,
		off == twaiRXErr, off == twaiTXErr, off == twaiRXMsgCnt, off == twaiClkDiv:
		return off&3 == 0
	case off >= twaiData0 && off <= twaiData12:
		return off&3 == 0
	}
	return false
}

func init() {
	registerModel("twai", func(c *Chip) {
		t := &TWAI{c: c, line: irq{c: c, src: SourceTWAI0}}
		t.frameEnd = t.onFrameEnd
		t.kickFn = t.onKick
		t.blk = newBlock(c, "TWAI0", twaiBase, twaiModelled)
		t.blk.sysBit = twaiSysBit
		t.resetState()
		periphOf(c).twai = t
		c.Hook(twaiBase, blockSize, wordDevice{t})
		c.OnPeripheralReset(0, twaiSysBit, t.reset)
	})
}

// TWAI returns the model of TWAI0 and its bus.
func (c *Chip) TWAI() *TWAI { return periphOf(c).twai }

func (t *TWAI) lock()            { t.c.Lock() }
func (t *TWAI) unlock()          { t.c.Unlock() }
func (t *TWAI) regBlock() *block { return t.blk }

func (t *TWAI) resetState() {
	t.mode, t.raw, t.ena, t.bt0, t.bt1, t.ewl = twaiModeReset, 0, 0, 0, 0, 96
	t.tec, t.rec, t.alc, t.ecc = 0, 0, 0, 0
	t.txBuf, t.acr, t.amr = [13]byte{}, [4]byte{}, [4]byte{}
	t.clearRX()
	t.txPending, t.txComplete, t.txSelf, t.txAbort = false, false, false, false
	t.errSt, t.busOff, t.passive, t.recovering, t.warnBusOff = false, false, false, false, false
	if t.recoverEv != nil {
		t.recoverEv.Cancel()
		t.recoverEv = nil
	}
}

// reset is a reset through SYSTEM.PERIP_RST_EN0. A frame of the chip's on the bus is cut
// short; the node's frames carry on.
func (t *TWAI) reset() {
	if t.inFlight && t.flight.fromDevice {
		t.cancelFlight()
	}
	t.resetState()
	t.blk.reset()
	t.update()
}

func (t *TWAI) clearRX() {
	t.rxHead, t.rxBytes, t.rxFirst, t.rxMsgs, t.overrun = 0, 0, 0, 0, false
}

func (t *TWAI) resetMode() bool { return t.mode&twaiModeReset != 0 }

// rxByte returns byte i of the RX FIFO's first message.
func (t *TWAI) rxByte(i int) uint32 {
	if t.rxMsgs == 0 || i >= int(t.rxLen[t.rxFirst]) {
		return 0
	}
	return uint32(t.rxRing[(t.rxHead+i)%twaiFIFOSize])
}

func (t *TWAI) status() uint32 {
	var v uint32
	if t.rxMsgs > 0 {
		v |= twaiStRXBuf
	}
	if t.overrun {
		v |= twaiStOverrun
	}
	if !t.txPending {
		v |= twaiStTXBuf
	}
	if t.txComplete {
		v |= twaiStTXDone
	}
	if t.inFlight {
		now := t.c.Now()
		if now >= t.flight.start && now < t.flight.end {
			if t.flight.fromDevice {
				v |= twaiStTX
			} else if !t.resetMode() {
				v |= twaiStRX
			}
		}
	}
	if t.errSt {
		v |= twaiStErr
	}
	if t.busOff {
		v |= twaiStBusOff
	}
	return v
}

// tecNow is TX_ERR_CNT: during bus-off recovery it counts the 128 idle sequences down.
func (t *TWAI) tecNow() int {
	if t.recovering {
		seq := int((t.c.Now() - (t.recoverAt - t.bits(twaiRecoverBit))) / t.bits(11))
		return max(127-seq, 0)
	}
	return t.tec
}

func (t *TWAI) readReg(off uintptr) uint32 {
	switch {
	case off == twaiMode:
		return t.mode
	case off == twaiCmd:
		return 0
	case off == twaiStatus:
		return t.status()
	case off == twaiIntRaw:
		v := t.raw
		if t.rxMsgs > 0 {
			v |= twaiIntRX
		}
		t.raw = 0
		t.update()
		return v
	case off == twaiIntEna:
		return t.ena
	case off == twaiBT0:
		return t.bt0
	case off == twaiBT1:
		return t.bt1
	case off == twaiALC:
		return t.alc
	case off == twaiECC:
		return t.ecc
	case off == twaiEWL:
		return t.ewl
	case off == twaiRXErr:
		return uint32(t.rec)
	case off == twaiTXErr:
		return uint32(t.tecNow())
	case off == twaiRXMsgCnt:
		return uint32(t.rxMsgs)
	case off >= twaiData0 && off <= twaiData12 && off&3 == 0:
		i := int(off-twaiData0) / 4
		if t.resetMode() {
			switch {
			case i < 4:
				return uint32(t.acr[i])
			case i < 8:
				return uint32(t.amr[i-4])
			}
			return 0
		}
		return t.rxByte(i)
	}
	t.blk.touch(off, false)
	return t.blk.load(off)
}

func (t *TWAI) writeReg(off uintptr, v uint32) {
	switch {
	case off == twaiMode:
		t.writeMode(v & 0xF)
	case off == twaiCmd:
		t.command(v)
	case off == twaiStatus, off == twaiRXMsgCnt, off == twaiALC, off == twaiECC:
		return // read-only
	case off == twaiIntRaw:
		t.blk.once("rawwrite", "write to INT_RAW ignored: its bits clear when it is read")
		return
	case off == twaiIntEna:
		t.ena = v & twaiIntMask
	case off == twaiBT0, off == twaiBT1, off == twaiEWL, off == twaiRXErr, off == twaiTXErr:
		if !t.resetMode() {
			t.blk.once("cfgop", "BUS_TIMING, ERR_WARNING_LIMIT and the error counters are written only in reset mode: write at +%#x ignored", off)
			return
		}
		switch off {
		case twaiBT0:
			t.bt0 = v & 0xFFFF
		case twaiBT1:
			t.bt1 = v & 0xFF
		case twaiEWL:
			t.ewl = v & 0xFF
		case twaiRXErr:
			t.rec = int(v & 0xFF)
		case twaiTXErr:
			t.tec = int(v & 0xFF)
		}
		t.errState()
	case off >= twaiData0 && off <= twaiData12 && off&3 == 0:
		i := int(off-twaiData0) / 4
		if t.resetMode() {
			switch {
			case i < 4:
				t.acr[i] = byte(v)
			case i < 8:
				t.amr[i-4] = byte(v)
			}
			return
		}
		if t.txPending {
			t.blk.once("txlocked", "DATA written while the TX buffer is locked (TX_BUF_ST = 0): ignored")
			return
		}
		t.txBuf[i] = byte(v)
	default:
		t.blk.touch(off, true)
		t.blk.store(off, v)
	}
	t.update()
}

func (t *TWAI) writeMode(v uint32) {
	was := t.mode
	if was&twaiModeReset == 0 {
		v = v&twaiModeReset | was&^twaiModeReset // LOM, STM, AFM change only in reset mode
	}
	t.mode = v
	switch {
	case was&twaiModeReset == 0 && v&twaiModeReset != 0: // into reset mode
		if t.inFlight && t.flight.fromDevice {
			t.cancelFlight()
		}
		t.txPending, t.txAbort = false, false
		t.clearRX()
		if t.recovering {
			t.recovering = false
			t.recoverEv.Cancel()
			t.recoverEv = nil
		}
	case was&twaiModeReset != 0 && v&twaiModeReset == 0: // operating
		if t.busOff && !t.recovering {
			t.recovering = true
			t.recoverAt = t.c.Now() + t.bits(twaiRecoverBit)
			t.recoverEv = t.c.Schedule(t.recoverAt, t.recovered)
		}
		t.kick()
	}
}

func (t *TWAI) recovered() {
	t.recoverEv = nil
	t.recovering, t.busOff = false, false
	t.tec, t.rec = 0, 0
	t.errState()
	t.update()
	t.kick()
}

func (t *TWAI) command(v uint32) {
	if v&twaiCmdRelease != 0 && t.rxMsgs > 0 {
		n := int(t.rxLen[t.rxFirst])
		t.rxHead = (t.rxHead + n) % twaiFIFOSize
		t.rxBytes -= n
		t.rxFirst = (t.rxFirst + 1) % twaiFIFOSize
		t.rxMsgs--
	}
	if v&twaiCmdClrOvr != 0 {
		t.overrun = false
	}
	if v&twaiCmdAbort != 0 && t.txPending {
		if t.inFlight && t.flight.fromDevice {
			t.txAbort = true // the frame on the bus goes on; it is not retried
		} else {
			t.txPending, t.txComplete = false, false
			t.raw |= twaiIntTX
		}
	}
	if v&(twaiCmdTX|twaiCmdSelfRX) != 0 {
		switch {
		case t.resetMode():
			t.blk.once("txreset", "TX_REQ in reset mode ignored")
		case t.mode&twaiModeLOM != 0:
			t.blk.once("txlom", "TX_REQ in listen-only mode ignored")
		case t.txPending:
			t.blk.once("txbusy", "TX_REQ while a transmission is pending ignored")
		default:
			t.txPending, t.txComplete, t.txAbort = true, false, false
			t.txSelf = v&twaiCmdSelfRX != 0
			t.txFrame = decodeTWAI(t.txBuf[:])
			t.kick()
		}
	}
	t.update()
}

// decodeTWAI reads a frame in the SJA1000 layout.
func decodeTWAI(b []byte) TWAIFrame {
	f := TWAIFrame{Extended: b[0]&0x80 != 0, Remote: b[0]&0x40 != 0, DLC: int(b[0] & 0x0F)}
	d := 3
	if f.Extended {
		f.ID = uint32(b[1])<<21 | uint32(b[2])<<13 | uint32(b[3])<<5 | uint32(b[4])>>3
		d = 5
	} else {
		f.ID = uint32(b[1])<<3 | uint32(b[2])>>5
	}
	if !f.Remote {
		f.Data = append([]byte(nil), b[d:d+min(f.DLC, 8)]...)
	}
	return f
}

// encode writes f in the SJA1000 layout (as the RX FIFO holds it) and returns its length.
func (f *TWAIFrame) encode(b *[13]byte) int {
	dlc := f.dlc()
	b[0] = byte(dlc)
	if f.Extended {
		b[0] |= 0x80
	}
	if f.Remote {
		b[0] |= 0x40
	}
	rtr := byte(0)
	if f.Remote {
		rtr = 1
	}
	d := 3
	if f.Extended {
		b[1], b[2], b[3], b[4] = byte(f.ID>>21), byte(f.ID>>13), byte(f.ID>>5), byte(f.ID<<3)|rtr<<2
		d = 5
	} else {
		b[1], b[2] = byte(f.ID>>3), byte(f.ID<<5)|rtr<<4
	}
	if f.Remote {
		return d
	}
	n := copy(b[d:d+8], f.Data)
	return d + n
}

func (f *TWAIFrame) dlc() int {
	if f.DLC == 0 && !f.Remote {
		return min(len(f.Data), 8)
	}
	return min(f.DLC, 15)
}

// update drives the interrupt line.
func (t *TWAI) update() {
	v := t.raw
	if t.rxMsgs > 0 {
		v |= twaiIntRX
	}
	t.line.set(v&t.ena != 0)
}

// errState recomputes ERR_ST and the error-passive state and latches their interrupts.
func (t *TWAI) errState() {
	tec := t.tecNow()
	errSt := uint32(tec) >= t.ewl || uint32(t.rec) >= t.ewl
	passive := t.busOff || tec >= 128 || t.rec >= 128
	if errSt != t.errSt || t.busOff != t.warnBusOff {
		t.raw |= twaiIntErrWarn
	}
	t.warnBusOff = t.busOff
	if passive != t.passive {
		t.raw |= twaiIntPassive
	}
	t.errSt, t.passive = errSt, passive
}

// bits returns the duration of n bit times at the configured bit rate.
func (t *TWAI) bits(n int) time.Duration {
	brp := 2 * (uint64(t.bt0&0x3FFF) + 1)
	tq := 1 + (uint64(t.bt1&0xF) + 1) + (uint64(t.bt1>>4&7) + 1)
	return ticksToDuration(uint64(n), brp*tq, APBHz)
}

// BitTime returns the bit time BUS_TIMING_0/1 give.
func (t *TWAI) BitTime() time.Duration {
	t.c.Lock()
	defer t.c.Unlock()
	return t.bits(1)
}

// TWAIFrameBits returns how many bit times f takes on the bus: SOF to CRC with stuff bits,
// CRC delimiter, ACK slot and delimiter, EOF and the intermission.
func TWAIFrameBits(f TWAIFrame) int {
	var bitsBuf [128]byte
	b := bitsBuf[:0]
	put := func(v uint32, n int) {
		for i := n - 1; i >= 0; i-- {
			b = append(b, byte(v>>i&1))
		}
	}
	rtr := uint32(0)
	if f.Remote {
		rtr = 1
	}
	put(0, 1) // SOF
	if f.Extended {
		put(f.ID>>18, 11)
		put(1, 1) // SRR
		put(1, 1) // IDE
		put(f.ID, 18)
		put(rtr, 1)
		put(0, 2) // r1, r0
	} else {
		put(f.ID, 11)
		put(rtr, 1)
		put(0, 2) // IDE, r0
	}
	dlc := f.dlc()
	put(uint32(dlc), 4)
	if !f.Remote {
		for i := 0; i < min(dlc, 8) && i < len(f.Data); i++ {
			put(uint32(f.Data[i]), 8)
		}
	}
	crc := uint32(0)
	for _, bit := range b {
		next := uint32(bit) ^ crc>>14&1
		crc = crc << 1 & 0x7FFF
		if next != 0 {
			crc ^= 0x4599
		}
	}
	put(crc, 15)
	stuff, run := 0, 1
	last := b[0]
	for _, bit := range b[1:] {
		if bit == last {
			run++
		} else {
			last, run = bit, 1
		}
		if run == 5 {
			stuff++
			last, run = 1-last, 1 // the stuff bit starts a run of its own
		}
	}
	return len(b) + stuff + 1 + 2 + 7 + 3
}

// arbKey orders frames as arbitration does: lower wins.
func (f *TWAIFrame) arbKey() uint64 {
	rtr := uint64(0)
	if f.Remote {
		rtr = 1
	}
	if f.Extended {
		// base ID, SRR (1), IDE (1), extension, RTR
		return uint64(f.ID>>18)<<21 | 1<<20 | 1<<19 | uint64(f.ID&0x3FFFF)<<1 | rtr
	}
	// base ID, RTR, IDE (0); a standard frame beats an extended one of the same base ID
	return uint64(f.ID&0x7FF)<<21 | rtr<<20
}

// deviceReady reports whether the chip has a frame to put on the bus now.
func (t *TWAI) deviceReady() bool {
	return t.txPending && !t.resetMode() && !t.busOff && t.mode&twaiModeLOM == 0
}

func (t *TWAI) kick() {
	if t.inFlight || t.kickEv != nil {
		return
	}
	dev := t.deviceReady()
	node := len(t.nodeQ) > 0
	if !dev && !node {
		return
	}
	now := t.c.Now()
	start := t.idleAt
	if dev && !node && t.devReadyAt > start {
		start = t.devReadyAt
	}
	if start > now {
		t.kickEv = t.c.Schedule(start, t.kickFn)
		return
	}
	if dev && node && now < t.devReadyAt {
		dev = false // suspended: the node goes first
	}
	fromDevice := dev
	if dev && node {
		if t.nodeQ[0].arbKey() < t.txFrame.arbKey() {
			fromDevice = false
			t.raw |= twaiIntArbLost
			t.alc = 0 // the bit position is not modelled
		}
	}
	t.flight = twaiFlight{fromDevice: fromDevice, start: now}
	if fromDevice {
		t.flight.frame = t.txFrame
	} else {
		t.flight.frame = t.nodeQ[0]
	}
	n := TWAIFrameBits(t.flight.frame)
	errAt := -1 // bit position at which an error cuts the frame short
	if len(t.inject) > 0 {
		t.flight.err = t.inject[0]
		t.inject = t.inject[1:]
		switch t.flight.err {
		case TWAICRCError:
			errAt = n - 10 - 1 // after the ACK delimiter
		default:
			errAt = n / 2
		}
	} else if fromDevice && t.mode&twaiModeSTM == 0 && t.ack != TWAIAckAll {
		t.flight.err = TWAIAckError
		errAt = n - 12 + 1 // after the ACK slot
	}
	if errAt >= 0 {
		n = errAt + 6 + 8 + 3
	}
	t.flight.end = now + t.bits(n)
	t.inFlight = true
	t.flightEv = t.c.Schedule(t.flight.end, t.frameEnd)
	t.update()
}

func (t *TWAI) onKick() {
	t.kickEv = nil
	t.kick()
}

// cancelFlight cuts the chip's frame on the bus short (reset mode, a peripheral reset).
func (t *TWAI) cancelFlight() {
	t.flightEv.Cancel()
	t.flightEv = nil
	t.inFlight = false
	t.idleAt = t.c.Now()
}

func (t *TWAI) onFrameEnd() {
	t.flightEv = nil
	t.inFlight = false
	t.idleAt = t.c.Now()
	f := &t.flight
	t.log = append(t.log, TWAIBusEvent{Start: f.start, End: f.end, FromChip: f.fromDevice, Frame: f.frame, Error: f.err})
	if f.fromDevice {
		t.deviceSent(f)
	} else {
		t.nodeSent(f)
	}
	t.errState()
	t.update()
	t.kick()
}

// eccSegment is the ERR_CODE_CAP segment code of an injected error.
func eccOf(k TWAIErrorKind, rx bool) uint32 {
	var typ, seg uint32
	switch k {
	case TWAIBitError:
		typ, seg = 0, 0x0A // data field
	case TWAIFormError:
		typ, seg = 1, 0x18 // CRC delimiter
	case TWAIStuffError:
		typ, seg = 2, 0x0A
	case TWAICRCError:
		typ, seg = 3, 0x08 // CRC sequence
	case TWAIAckError:
		typ, seg = 3, 0x19 // ACK slot
	}
	v := typ<<6 | seg
	if rx {
		v |= 1 << 5
	}
	return v
}

func (t *TWAI) deviceSent(f *twaiFlight) {
	if f.err == TWAINoError {
		t.txPending, t.txComplete = false, true
		t.raw |= twaiIntTX
		if t.tec > 0 {
			t.tec--
		}
		frame := f.frame
		t.received = append(t.received, frame)
		for _, cb := range t.onReceive {
			cb(frame)
		}
		if t.txSelf {
			t.deliver(&frame)
		}
		return
	}
	t.ecc = eccOf(f.err, false)
	t.raw |= twaiIntBusErr
	// ISO 11898-1: an error-passive transmitter's ACK error with no dominant bit in its
	// passive error flag is not counted.
	if !(f.err == TWAIAckError && t.passive && t.ack == TWAIAckNone) {
		t.tec += 8
	}
	if t.passive {
		t.devReadyAt = t.c.Now() + t.bits(8)
	}
	if t.tec > 255 {
		t.enterBusOff()
		return
	}
	if t.txAbort {
		t.txPending, t.txComplete, t.txAbort = false, false, false
		t.raw |= twaiIntTX
	}
}

func (t *TWAI) enterBusOff() {
	t.busOff = true
	t.tec, t.rec = 127, 0
	t.mode |= twaiModeReset
	t.txPending, t.txComplete, t.txAbort = false, false, false
	t.clearRX()
}

func (t *TWAI) nodeSent(f *twaiFlight) {
	listening := !t.resetMode() && !t.busOff
	if f.err != TWAINoError {
		if listening {
			t.ecc = eccOf(f.err, true)
			t.raw |= twaiIntBusErr
			if t.mode&twaiModeLOM == 0 {
				t.rec = min(t.rec+1, 255)
			}
		}
		return // the node retries it
	}
	t.nodeQ[0] = TWAIFrame{}
	t.nodeQ = t.nodeQ[1:]
	if !listening {
		return
	}
	if t.mode&twaiModeLOM == 0 && t.rec > 0 {
		if t.rec > 127 {
			t.rec = 119
		} else {
			t.rec--
		}
	}
	frame := f.frame
	t.deliver(&frame)
}

// deliver puts a frame the chip received into the RX FIFO if the acceptance filter takes
// it.
func (t *TWAI) deliver(f *TWAIFrame) {
	var b [13]byte
	n := f.encode(&b)
	if !t.accepts(b[:n]) {
		return
	}
	if t.rxBytes+n > twaiFIFOSize {
		t.overrun = true
		t.raw |= twaiIntOverrun
		return
	}
	pos := (t.rxHead + t.rxBytes) % twaiFIFOSize
	for i := 0; i < n; i++ {
		t.rxRing[(pos+i)%twaiFIFOSize] = b[i]
	}
	t.rxLen[(t.rxFirst+t.rxMsgs)%twaiFIFOSize] = uint8(n)
	t.rxBytes += n
	t.rxMsgs++
}

// accepts applies the acceptance filter (SJA1000 PeliCAN single and dual filter modes) to
// a frame in the RX layout.
func (t *TWAI) accepts(b []byte) bool {
	ext := b[0]&0x80 != 0
	remote := b[0]&0x40 != 0
	dataAt := 3
	if ext {
		dataAt = 5
	}
	ndata := len(b) - dataAt
	// match compares frame byte v with code byte i under mask cmp (bits compared).
	match := func(v byte, i int, cmp byte) bool { return (v^t.acr[i])&^t.amr[i]&cmp == 0 }
	if t.mode&twaiModeAFM != 0 { // single filter
		if ext {
			return match(b[1], 0, 0xFF) && match(b[2], 1, 0xFF) && match(b[3], 2, 0xFF) && match(b[4], 3, 0xFC)
		}
		ok := match(b[1], 0, 0xFF) && match(b[2], 1, 0xF0)
		if ndata > 0 && !remote {
			ok = ok && match(b[3], 2, 0xFF)
		}
		if ndata > 1 && !remote {
			ok = ok && match(b[4], 3, 0xFF)
		}
		return ok
	}
	if ext {
		f1 := match(b[1], 0, 0xFF) && match(b[2], 1, 0xFF)
		f2 := match(b[1], 2, 0xFF) && match(b[2], 3, 0xFF)
		return f1 || f2
	}
	f1 := match(b[1], 0, 0xFF) && match(b[2], 1, 0xF0)
	if ndata > 0 && !remote {
		f1 = f1 && match(b[3]>>4, 1, 0x0F) && match(b[3], 3, 0x0F)
	}
	f2 := match(b[1], 2, 0xFF) && match(b[2], 3, 0xF0)
	return f1 || f2
}

// Send makes the node send f as soon as the bus is free (it takes the chip lock: while
// firmware runs, or from an OnReceive callback, use SendAt).
func (t *TWAI) Send(f TWAIFrame) {
	t.c.Lock()
	defer t.c.Unlock()
	t.send(f)
}

func (t *TWAI) send(f TWAIFrame) {
	f.Data = append([]byte(nil), f.Data...)
	t.nodeQ = append(t.nodeQ, f)
	t.kick()
}

// SendAt makes the node send f at virtual time at (or as soon after as the bus is free).
// It may be called while firmware runs and from OnReceive callbacks.
func (t *TWAI) SendAt(at time.Duration, f TWAIFrame) {
	f.Data = append([]byte(nil), f.Data...)
	t.c.Schedule(at, func() { t.send(f) })
}

// SetAck sets how the node acknowledges the chip's frames (default TWAIAckAll).
func (t *TWAI) SetAck(a TWAIAck) {
	t.c.Lock()
	defer t.c.Unlock()
	t.ack = a
}

// InjectError hits the next frame on the bus, the chip's or the node's, with an error of
// kind k (several calls: the next frames, one each).
func (t *TWAI) InjectError(k TWAIErrorKind) {
	t.c.Lock()
	defer t.c.Unlock()
	t.inject = append(t.inject, k)
}

// InjectErrorAt calls InjectError at virtual time at; it may be called while firmware
// runs.
func (t *TWAI) InjectErrorAt(at time.Duration, k TWAIErrorKind) {
	t.c.Schedule(at, func() { t.inject = append(t.inject, k) })
}

// OnReceive registers f to be called with every frame of the chip's the node receives. It
// runs with the chip lock held, at the frame's end: it may call SendAt (to answer), not
// Send.
func (t *TWAI) OnReceive(f func(TWAIFrame)) {
	t.c.Lock()
	defer t.c.Unlock()
	t.onReceive = append(t.onReceive, f)
}

// Received returns the chip's frames the node has received so far.
func (t *TWAI) Received() []TWAIFrame {
	t.c.Lock()
	defer t.c.Unlock()
	return append([]TWAIFrame(nil), t.received...)
}

// Bus returns every frame that has been on the bus, with its errors.
func (t *TWAI) Bus() []TWAIBusEvent {
	t.c.Lock()
	defer t.c.Unlock()
	return append([]TWAIBusEvent(nil), t.log...)
}

// Counters returns the chip's error counters (TEC, REC) as the registers read.
func (t *TWAI) Counters() (tec, rec int) {
	t.c.Lock()
	defer t.c.Unlock()
	return t.tecNow(), t.rec
}

// BusOff reports whether the chip is bus-off (recovering included).
func (t *TWAI) BusOff() bool {
	t.c.Lock()
	defer t.c.Unlock()
	return t.busOff
}

// Pending returns how many of the node's frames wait to be sent.
func (t *TWAI) Pending() int {
	t.c.Lock()
	defer t.c.Unlock()
	return len(t.nodeQ)
}
