package esp32c3

import (
	"fmt"
	"io"
	"time"
)

// UART models UART0 (base 0x60000000) and UART1 (base 0x60010000) of the ESP32-C3 (facts
// sheet section 6): 128-byte TX and RX FIFOs behind the FIFO register, their counts in
// STATUS, frames timed from CLK_CONF, CLKDIV and CONF0 (data bits, parity, stop bits), the
// idle gap between transfers (IDLE_CONF.TX_IDLE_NUM), the RX timeout (CONF1.RX_TOUT_EN,
// MEM_CONF.RX_TOUT_THRHD), AT_CMD character detection, loopback, FIFO resets, and the
// INT_RAW/ST/ENA/CLR bits esp-hal uses. The outside world feeds the RX line with Feed and
// reads the TX line, with virtual timestamps, through TX.
type UART struct {
	c    *Chip
	n    int
	blk  *block
	line irq

	raw, ena uint32
	tx, rx   fifo

	// Transmitter: txActive covers the wait for the idle gap and the frame on the line.
	txActive   bool
	shifting   bool
	shiftByte  byte
	shiftStart time.Duration
	txEvent    *Event
	txClock    frameClock
	txSent     bool // a frame has left, so lastTXEnd is meaningful
	lastTXEnd  time.Duration
	txLog      []TimedByte
	onTX       []func(TimedByte)
	replies    []func(TimedByte) []byte

	// Receiver: frames fed by the outside world wait in rxQueue and cross the line one at
	// a time at the configured baud rate.
	rxQueue   []rxFrame // frames waiting, from rxHead on
	rxHead    int
	rxBusy    bool
	rxStart   time.Duration
	rxClock   frameClock
	rxEvent   *Event
	rxSeen    bool // a frame has arrived, so lastRXEnd is meaningful
	lastRXEnd time.Duration
	toutEvent *Event
	atCount   int
	atEvent   *Event
}

// TimedByte is one frame on a UART line: its data bits and the virtual times at which its
// start bit began and its last stop bit ended.
type TimedByte struct {
	Byte       byte
	Start, End time.Duration
}

// LineFault is a fault the outside world puts on a frame fed to a UART's RX line.
type LineFault int

const (
	// NoFault is a well-formed frame.
	NoFault LineFault = iota
	// ParityFault sends the frame with a wrong parity bit (only meaningful when the UART
	// expects parity).
	ParityFault
	// FramingFault sends the frame with its stop bit low.
	FramingFault
	// Break holds the line low for a whole frame.
	Break
)

type rxFrame struct {
	b     byte
	fault LineFault
}

// frameClock times back-to-back frames from the start of their run, so frame k ends at
// origin + k·frame rounded once: rounding each frame to the nanosecond separately would
// let a long transfer drift from the baud rate.
type frameClock struct {
	origin time.Duration
	sig    [3]uint32 // CLK_CONF, CLKDIV, CONF0 at the origin
	count  uint64
}

// next returns the end of a frame that starts now; backToBack says it follows the previous
// frame of the run without a gap.
func (f *frameClock) next(u *UART, backToBack bool) time.Duration {
	sig := [3]uint32{u.blk.load(uartCLKCONF), u.blk.load(uartCLKDIV), u.blk.load(uartCONF0)}
	if !backToBack || sig != f.sig {
		f.origin, f.sig, f.count = u.c.Now(), sig, 0
	}
	f.count++
	return f.origin + u.halfBits(f.count*u.frameHalfBits())
}

// Register offsets (SVD).
const (
	uartFIFO         = 0x00
	uartINTRAW       = 0x04
	uartINTST        = 0x08
	uartINTENA       = 0x0C
	uartINTCLR       = 0x10
	uartCLKDIV       = 0x14
	uartSTATUS       = 0x1C
	uartCONF0        = 0x20
	uartCONF1        = 0x24
	uartIDLECONF     = 0x48
	uartATCMDPRECNT  = 0x50
	uartATCMDPOSTCNT = 0x54
	uartATCMDGAPTOUT = 0x58
	uartATCMDCHAR    = 0x5C
	uartMEMCONF      = 0x60
	uartFSMSTATUS    = 0x6C
	uartCLKCONF      = 0x78
	uartID           = 0x80

	uartFIFOSize = 128
)

// INT_RAW bits.
const (
	uartIntRxFull    = 1 << 0
	uartIntTxEmpty   = 1 << 1
	uartIntParityErr = 1 << 2
	uartIntFrmErr    = 1 << 3
	uartIntRxOvf     = 1 << 4
	uartIntBrkDet    = 1 << 7
	uartIntRxTout    = 1 << 8
	uartIntGlitchDet = 1 << 11
	uartIntTxDone    = 1 << 14
	uartIntATCmdChar = 1 << 18
	uartIntMask      = 1<<20 - 1
)

// CONF0 bits.
const (
	uartConf0ParityEn  = 1 << 1
	uartConf0Loopback  = 1 << 14
	uartConf0RxFIFORst = 1 << 17
	uartConf0TxFIFORst = 1 << 18
	uartConf0ErrWrMask = 1 << 26
	uartConf1RxToutEn  = 1 << 21
	uartIDRegUpdate    = 1 << 31
)

var uartBases = [2]uintptr{0x6000_0000, 0x6001_0000}

// uartModelled reports whether the model gives the register at off behaviour; the glitch
// filter, pulse counters, flow control, RS485 and the FIFO memory pointers are memory.
func uartModelled(off uintptr) bool {
	switch off {
	case uartFIFO, uartINTRAW, uartINTST, uartINTENA, uartINTCLR, uartCLKDIV, uartSTATUS,
		uartCONF0, uartCONF1, uartIDLECONF, uartATCMDPRECNT, uartATCMDPOSTCNT, uartATCMDGAPTOUT,
		uartATCMDCHAR, uartMEMCONF, uartFSMSTATUS, uartCLKCONF, uartID:
		return true
	}
	return false
}

func init() {
	registerModel("uart", func(c *Chip) {
		srcs := [2]Source{SourceUART0, SourceUART1}
		for n, base := range uartBases {
			u := &UART{
				c: c, n: n, line: irq{c: c, src: srcs[n]},
				tx: newFIFO(uartFIFOSize), rx: newFIFO(uartFIFOSize),
			}
			u.blk = newBlock(c, fmt.Sprintf("UART%d", n), base, uartModelled)
			u.blk.sysBit = uartResetBits[n]
			periphOf(c).uart[n] = u
			u.update()
			c.Hook(base, blockSize, wordDevice{u})
			c.OnPeripheralReset(0, uartResetBits[n], u.reset)
		}
	})
}

// uartResetBits are the UARTs' bits in SYSTEM.PERIP_CLK_EN0 and PERIP_RST_EN0.
var uartResetBits = [2]int{2, 5}

// reset returns the UART to its reset state when firmware resets it through SYSTEM; frames
// on the lines are lost. What the TX line carried stays in the TX log.
func (u *UART) reset() {
	for _, e := range []*Event{u.txEvent, u.rxEvent, u.toutEvent, u.atEvent} {
		if e != nil {
			e.Cancel()
		}
	}
	u.txEvent, u.rxEvent, u.toutEvent, u.atEvent = nil, nil, nil, nil
	u.tx.reset()
	u.rx.reset()
	u.raw, u.ena = 0, 0
	u.txActive, u.shifting, u.txSent = false, false, false
	u.rxQueue, u.rxHead, u.rxBusy, u.rxSeen, u.atCount = u.rxQueue[:0], 0, false, false, 0
	u.blk.reset()
	u.update()
}

// UART returns the model of UART0 or UART1.
func (c *Chip) UART(n int) *UART {
	if n < 0 || n > 1 {
		panic(fmt.Sprintf("esp32c3: UART%d does not exist (the ESP32-C3 has UART0 and UART1)", n))
	}
	return periphOf(c).uart[n]
}

func (u *UART) lock()            { u.c.Lock() }
func (u *UART) unlock()          { u.c.Unlock() }
func (u *UART) regBlock() *block { return u.blk }

func (u *UART) readReg(off uintptr) uint32 {
	switch off {
	case uartFIFO:
		b, ok := u.rx.pop()
		if !ok {
			u.blk.once("rxunderflow", "FIFO read with the RX FIFO empty returns 0")
		}
		u.update()
		return uint32(b)
	case uartINTRAW:
		return u.raw
	case uartINTST:
		return u.raw & u.ena
	case uartINTENA:
		return u.ena
	case uartINTCLR:
		return 0
	case uartSTATUS:
		// Line levels are not simulated bit by bit: TXD, RXD and the handshake inputs read
		// their idle levels (the SVD reset value 0xE000C000).
		return uint32(u.rx.n) | uint32(u.tx.n)<<16 | 0xE000_C000
	case uartFSMSTATUS:
		var v uint32
		if u.rxBusy && u.rxStart <= u.c.Now() {
			v |= 1
		}
		if u.txActive {
			v |= 1 << 4
		}
		return v
	}
	u.blk.touch(off, false)
	return u.blk.load(off)
}

func (u *UART) writeReg(off uintptr, v uint32) {
	switch off {
	case uartFIFO:
		if !u.tx.push(byte(v)) {
			u.blk.once("txoverflow", "FIFO write with the TX FIFO full (128 bytes): byte dropped")
		}
		u.kickTX()
	case uartINTRAW:
		u.blk.once("rawwrite", "write to INT_RAW ignored: raw bits are set by events and cleared through INT_CLR")
		return
	case uartINTST, uartSTATUS, uartFSMSTATUS:
		return // read-only
	case uartINTENA:
		u.ena = v & uartIntMask
	case uartINTCLR:
		u.raw &^= v & uartIntMask
	case uartCONF0:
		u.blk.store(off, v)
		if v&uartConf0RxFIFORst != 0 {
			u.rx.reset()
		}
		if v&uartConf0TxFIFORst != 0 {
			u.tx.reset()
		}
	case uartID:
		// Writes reach the UART core at once, so REG_UPDATE is done as soon as it is set.
		u.blk.store(off, v&^uartIDRegUpdate)
	default:
		u.blk.touch(off, true)
		u.blk.store(off, v)
	}
	u.update()
}

// update latches the level-type interrupt conditions and drives the interrupt line.
// RXFIFO_FULL and TXFIFO_EMPTY compare strictly, as the SVD words them ("more data than",
// "less than"): settled from TinyGo's ESP32-C3 driver, which found that a threshold of 1
// does not raise RXFIFO_FULL for a single byte and added the RX timeout for it.
func (u *UART) update() {
	conf1 := u.blk.load(uartCONF1)
	if uint32(u.rx.n) > field(conf1, 8, 0) {
		u.raw |= uartIntRxFull
	}
	if uint32(u.tx.n) < field(conf1, 17, 9) {
		u.raw |= uartIntTxEmpty
	}
	u.line.set(u.raw&u.ena != 0)
}

// sclkHz is the UART core clock after CLK_CONF's source selection and integer divider.
func (u *UART) sclkHz() (hz, divNum uint64) {
	cc := u.blk.load(uartCLKCONF)
	switch field(cc, 21, 20) {
	case 1:
		hz = APBHz
	case 2:
		hz = periphRCFastHz
	case 3:
		hz = XTALHz
	default:
		u.blk.once("sclk0", "CLK_CONF.SCLK_SEL = 0 selects no clock; timing frames from XTAL")
		hz = XTALHz
	}
	return hz, uint64(field(cc, 19, 12))
}

// halfBits returns the time of n half bit periods: baud = sclk/(DIV_NUM+1)/(CLKDIV+FRAG/16).
func (u *UART) halfBits(n uint64) time.Duration {
	hz, divNum := u.sclkHz()
	cd := u.blk.load(uartCLKDIV)
	sixteenths := 16*uint64(field(cd, 11, 0)) + uint64(field(cd, 23, 20))
	if sixteenths == 0 {
		u.blk.once("clkdiv0", "CLKDIV and FRAG are 0; timing frames as if CLKDIV = 1")
		sixteenths = 16
	}
	return ticksToDuration(n*(divNum+1), sixteenths, 2*16*hz)
}

func (u *UART) bitTimes(n uint64) time.Duration { return u.halfBits(2 * n) }

// frameHalfBits is the length of one frame in half bits: a start bit, 5..8 data bits, an
// optional parity bit and 1, 1.5 or 2 stop bits.
func (u *UART) frameHalfBits() uint64 {
	conf0 := u.blk.load(uartCONF0)
	half := uint64(2 + 2*(5+field(conf0, 3, 2)))
	if conf0&uartConf0ParityEn != 0 {
		half += 2
	}
	switch field(conf0, 5, 4) {
	case 2:
		half += 3
	case 3:
		half += 4
	default: // 1, and the reserved 0
		half += 2
	}
	return half
}

func (u *UART) dataMask() byte {
	return byte(1<<(5+field(u.blk.load(uartCONF0), 3, 2)) - 1)
}

// kickTX starts the transmitter if it is idle and has data. A transfer that follows an
// earlier one waits until the line has been idle for TX_IDLE_NUM bit times; frames within a
// transfer follow each other back to back.
func (u *UART) kickTX() {
	if u.txActive || u.tx.n == 0 {
		return
	}
	u.txActive = true
	start := u.c.Now()
	if u.txSent {
		if gap := u.lastTXEnd + u.bitTimes(uint64(field(u.blk.load(uartIDLECONF), 19, 10))); gap > start {
			start = gap
		}
	}
	if start == u.c.Now() {
		u.txStart(false)
		return
	}
	u.txEvent = u.c.Schedule(start, u.txStartEvent)
}

func (u *UART) txStartEvent() {
	u.txStart(false)
	u.update()
}

func (u *UART) txStart(backToBack bool) {
	b, ok := u.tx.pop()
	if !ok { // the TX FIFO was reset while the transmitter waited
		u.txActive = false
		return
	}
	u.shifting = true
	u.shiftByte = b & u.dataMask()
	u.shiftStart = u.c.Now()
	u.txEvent = u.c.Schedule(u.txClock.next(u, backToBack), u.txEnd)
}

func (u *UART) txEnd() {
	now := u.c.Now()
	tb := TimedByte{Byte: u.shiftByte, Start: u.shiftStart, End: now}
	u.txLog = append(u.txLog, tb)
	for _, f := range u.onTX {
		f(tb)
	}
	for _, f := range u.replies {
		for _, b := range f(tb) {
			u.feed(rxFrame{b: b})
		}
	}
	u.shifting = false
	u.txSent = true
	u.lastTXEnd = now
	if u.blk.load(uartCONF0)&uartConf0Loopback != 0 {
		u.rxDeliver(tb.Byte, NoFault, tb.Start)
	}
	if u.tx.n > 0 {
		u.txStart(true)
	} else {
		u.txActive = false
		u.raw |= uartIntTxDone
	}
	u.update()
}

// rxNext puts the next queued frame on the RX line.
func (u *UART) rxNext(backToBack bool) {
	if u.rxHead == len(u.rxQueue) {
		u.rxQueue, u.rxHead = u.rxQueue[:0], 0
		u.rxBusy = false
		return
	}
	u.rxBusy = true
	u.rxStart = u.c.Now()
	u.rxEvent = u.c.Schedule(u.rxClock.next(u, backToBack), u.rxEnd)
}

func (u *UART) rxEnd() {
	f := u.rxQueue[u.rxHead]
	u.rxHead++
	u.rxDeliver(f.b, f.fault, u.rxStart)
	u.rxNext(true)
	u.update()
}

// rxDeliver is the receiver finishing a frame that started at start.
func (u *UART) rxDeliver(b byte, fault LineFault, start time.Duration) {
	now := u.c.Now()
	conf0 := u.blk.load(uartCONF0)
	b &= u.dataMask()
	if fault == ParityFault && conf0&uartConf0ParityEn == 0 {
		fault = NoFault // without a parity bit there is nothing to get wrong
	}
	switch fault {
	case ParityFault:
		u.raw |= uartIntParityErr
	case FramingFault:
		u.raw |= uartIntFrmErr
	case Break:
		u.raw |= uartIntBrkDet | uartIntFrmErr
		b = 0
	}
	if fault == NoFault || conf0&uartConf0ErrWrMask == 0 {
		if !u.rx.push(b) {
			u.raw |= uartIntRxOvf
		}
	}
	u.atDetect(b, fault, start, now)
	u.rxSeen = true
	u.lastRXEnd = now

	// RX timeout: the line must stay idle for RX_TOUT_THRHD bit times after this frame.
	// A frame queued right behind this one starts at once and keeps the line busy.
	if u.toutEvent != nil {
		u.toutEvent.Cancel()
		u.toutEvent = nil
	}
	if u.rxHead == len(u.rxQueue) && u.blk.load(uartCONF1)&uartConf1RxToutEn != 0 {
		thr := uint64(field(u.blk.load(uartMEMCONF), 25, 16))
		u.toutEvent = u.c.Schedule(now+u.bitTimes(thr), u.rxTimeout)
	}
}

func (u *UART) rxTimeout() {
	u.toutEvent = nil
	if u.rx.n > 0 {
		u.raw |= uartIntRxTout
		u.update()
	}
}

// atDetect recognises the AT_CMD_CHAR sequence: CHAR_NUM copies of the character, the
// first after at least PRE_IDLE_NUM idle bit times, each within RX_GAP_TOUT bit times of
// the previous one, and the line idle for POST_IDLE_NUM bit times after the last.
func (u *UART) atDetect(b byte, fault LineFault, start, now time.Duration) {
	if u.atEvent != nil {
		u.atEvent.Cancel() // a frame arrived inside the post-idle time
		u.atEvent = nil
	}
	atc := u.blk.load(uartATCMDCHAR)
	num := int(field(atc, 15, 8))
	if num == 0 || fault != NoFault || b != byte(atc) {
		u.atCount = 0
		return
	}
	idle := time.Duration(1<<63 - 1)
	if u.rxSeen {
		idle = start - u.lastRXEnd
	}
	pre := u.bitTimes(uint64(field(u.blk.load(uartATCMDPRECNT), 15, 0)))
	gap := u.bitTimes(uint64(field(u.blk.load(uartATCMDGAPTOUT), 15, 0)))
	switch {
	case u.atCount > 0 && idle < gap:
		u.atCount++
	case idle >= pre:
		u.atCount = 1
	default:
		u.atCount = 0
	}
	if u.atCount == num {
		u.atCount = 0
		post := u.bitTimes(uint64(field(u.blk.load(uartATCMDPOSTCNT), 15, 0)))
		u.atEvent = u.c.Schedule(now+post, func() {
			u.atEvent = nil
			u.raw |= uartIntATCmdChar
			u.update()
		})
	}
}

// Feed queues bytes on the UART's RX line. They cross the line back to back at the UART's
// configured baud rate and frame format, starting now or when the frames already queued
// have been received.
func (u *UART) Feed(data ...byte) {
	u.c.Lock()
	defer u.c.Unlock()
	for _, b := range data {
		u.feed(rxFrame{b: b})
	}
}

// FeedAt queues bytes on the RX line at virtual time at, as Feed would then. Unlike Feed it
// may be called while firmware runs, and the pending event keeps a waiting core from being
// declared idle.
func (u *UART) FeedAt(at time.Duration, data ...byte) {
	data = append([]byte(nil), data...)
	u.c.Schedule(at, func() {
		for _, b := range data {
			u.feed(rxFrame{b: b})
		}
		u.update()
	})
}

// FeedFault queues one frame carrying fault on the RX line.
func (u *UART) FeedFault(b byte, fault LineFault) {
	u.c.Lock()
	defer u.c.Unlock()
	u.feed(rxFrame{b: b, fault: fault})
}

func (u *UART) feed(f rxFrame) {
	u.rxQueue = append(u.rxQueue, f)
	if u.rxBusy {
		return
	}
	// The start bit ends any idle period the RX timeout was measuring.
	if u.toutEvent != nil {
		u.toutEvent.Cancel()
		u.toutEvent = nil
	}
	u.rxNext(false)
}

// RXPending returns how many fed frames have not yet been received.
func (u *UART) RXPending() int {
	u.c.Lock()
	defer u.c.Unlock()
	return len(u.rxQueue) - u.rxHead
}

// TX returns every frame the UART has sent so far.
func (u *UART) TX() []TimedByte {
	u.c.Lock()
	defer u.c.Unlock()
	return append([]TimedByte(nil), u.txLog...)
}

// TXBytes returns the data of every frame the UART has sent so far.
func (u *UART) TXBytes() []byte {
	u.c.Lock()
	defer u.c.Unlock()
	out := make([]byte, len(u.txLog))
	for i, tb := range u.txLog {
		out[i] = tb.Byte
	}
	return out
}

// TakeTX returns the frames sent since the last TakeTX and forgets them.
func (u *UART) TakeTX() []TimedByte {
	u.c.Lock()
	defer u.c.Unlock()
	out := u.txLog
	u.txLog = nil
	return out
}

// OnTX registers f to be called with every frame as its stop bit ends. It runs with the
// chip lock held, on the simulator's goroutine, and must not call back into the chip.
func (u *UART) OnTX(f func(TimedByte)) {
	u.c.Lock()
	defer u.c.Unlock()
	u.onTX = append(u.onTX, f)
}

// Reply makes the outside world answer what the UART sends, as a modem or a sensor on the
// other end of the line would: f sees every frame as its stop bit ends and the bytes it
// returns are queued on the RX line at once (Feed cannot be called from inside OnTX). f runs
// with the chip lock held and must not call back into the chip.
func (u *UART) Reply(f func(TimedByte) []byte) {
	u.c.Lock()
	defer u.c.Unlock()
	u.replies = append(u.replies, f)
}

// Mirror copies every byte the UART sends to w as its frame ends, for a console on the
// host. Write errors are ignored: a console that went away must not stop the simulation.
func (u *UART) Mirror(w io.Writer) {
	var buf [1]byte
	u.OnTX(func(tb TimedByte) {
		buf[0] = tb.Byte
		_, _ = w.Write(buf[:])
	})
}
