package esp32c3

import (
	"fmt"
	"math/bits"
	"time"
)

// I2C models the I2C0 controller (base 0x60013000) in master mode (facts sheet section 7):
// 32-byte TX and RX FIFOs behind FIFO_DATA, the command list COMD0..7 (RSTART, WRITE,
// READ, STOP, END) run by CTR.TRANS_START, ACK checking with NACK, COMMAND_DONE bits,
// RESP_REC and BUS_BUSY in SR, bus timing from CLK_CONF and the SCL period registers,
// clock stretching by devices with the TIME_OUT, SCL_ST_TO and SCL_MAIN_ST_TO timeouts,
// arbitration against another master (ARBITRATION_LOST, SR.ARB_LOST), 7-bit and 10-bit
// addressing, the SCL_SP_CONF bus clear, and the generic interrupt block. Devices on the
// bus implement I2CDevice and are attached with Attach (7-bit) or Attach10 (10-bit); another
// master is set with SetOtherMaster.
//
// A command's bus traffic happens when the command starts; its COMMAND_DONE bit, its
// interrupts and the bytes it read appear when it ends, at the virtual time its bytes take
// on the bus.
type I2C struct {
	c    *Chip
	blk  *block
	line irq

	raw, ena uint32
	tx, rx   fifo

	devices   map[uint8]I2CDevice
	devices10 map[uint16]I2CDevice
	other     func(sent byte) (drives byte)

	running  bool // the command list is executing
	cmd      int  // index of the executing command
	ev       *Event
	busBusy  bool
	addrNext bool      // the next byte written follows a START: it is an address
	sel      I2CDevice // the addressed device, or nil
	selRead  bool
	respRec  bool
	arbLost  bool // SR.ARB_LOST: the last transaction lost arbitration
	// 10-bit addressing: tenHi is a9..a8 of a first address byte 11110xx0 waiting for its
	// second byte (-1: none); last10 is the 10-bit address the last full address selected,
	// which a repeated START with 11110xx1 reads from (-1: none).
	tenHi, last10 int
	readBuf       [256]byte
	readN         int
}

// I2CDevice is a target on the simulated I2C bus. The controller calls its methods with the
// chip lock held, from whichever goroutine runs the transaction, so a device guards state
// it shares with the test through its own lock.
type I2CDevice interface {
	// Start is called when a START or repeated START is followed by the device's address;
	// read is the R/W bit. It returns whether the device acknowledges.
	Start(read bool) (ack bool)
	// Write receives a byte the master writes and returns whether the device acknowledges.
	Write(b byte) (ack bool)
	// Read returns the next byte the master reads; ack is the acknowledgement the master
	// sends after it (false for the NACK that ends a read).
	Read(ack bool) byte
	// Stop is called at a STOP condition, and when the controller abandons a transaction.
	Stop()
}

// I2CStretcher is implemented by devices that stretch the clock: before each data byte the
// device holds SCL low for the returned time.
type I2CStretcher interface {
	Stretch() time.Duration
}

// I2CAttacher is implemented by devices that need the virtual clock, for instance an
// EEPROM's write cycle. Attach calls Attached with a function returning the current
// virtual time; the function may be called from the device's methods.
type I2CAttacher interface {
	Attached(now func() time.Duration)
}

// Register offsets (SVD).
const (
	i2cBase             = 0x6001_3000
	i2cSCLLOWPERIOD     = 0x00
	i2cCTR              = 0x04
	i2cSR               = 0x08
	i2cTO               = 0x0C
	i2cFIFOST           = 0x14
	i2cFIFOCONF         = 0x18
	i2cDATA             = 0x1C
	i2cINTRAW           = 0x20
	i2cINTCLR           = 0x24
	i2cINTENA           = 0x28
	i2cINTSTATUS        = 0x2C
	i2cSDAHOLD          = 0x30
	i2cSDASAMPLE        = 0x34
	i2cSCLHIGHPERIOD    = 0x38
	i2cSCLSTARTHOLD     = 0x40
	i2cSCLRSTARTSETUP   = 0x44
	i2cSCLSTOPHOLD      = 0x48
	i2cSCLSTOPSETUP     = 0x4C
	i2cFILTERCFG        = 0x50
	i2cCLKCONF          = 0x54
	i2cCOMD0            = 0x58
	i2cSCLSTTIMEOUT     = 0x78
	i2cSCLMAINSTTIMEOUT = 0x7C
	i2cSCLSPCONF        = 0x80
	i2cTXFIFORAM        = 0x100
	i2cRXFIFORAM        = 0x180

	i2cFIFOSize = 32
)

// INT_RAW bits.
const (
	i2cIntRxWM        = 1 << 0
	i2cIntTxWM        = 1 << 1
	i2cIntRxOvf       = 1 << 2
	i2cIntEndDetect   = 1 << 3
	i2cIntByteDone    = 1 << 4
	i2cIntArbLost     = 1 << 5
	i2cIntTxUdf       = 1 << 6
	i2cIntTransDone   = 1 << 7
	i2cIntTimeOut     = 1 << 8
	i2cIntTransStart  = 1 << 9
	i2cIntNack        = 1 << 10
	i2cIntTxOvf       = 1 << 11
	i2cIntRxUdf       = 1 << 12
	i2cIntSclStTO     = 1 << 13
	i2cIntSclMainStTO = 1 << 14
	i2cIntMask        = 1<<18 - 1
)

// CTR bits and command opcodes.
const (
	i2cCtrMsMode     = 1 << 4
	i2cCtrTransStart = 1 << 5
	i2cCtrArbEn      = 1 << 9
	i2cCtrFSMRst     = 1 << 10
	i2cCtrConfUpgate = 1 << 11
	i2cFIFOConfRxRst = 1 << 12
	i2cFIFOConfTxRst = 1 << 13
	i2cCmdDone       = 1 << 31
	i2cCmdAckValue   = 1 << 10
	i2cCmdAckExp     = 1 << 9
	i2cCmdAckCheck   = 1 << 8

	i2cOpWrite  = 1
	i2cOpStop   = 2
	i2cOpRead   = 3
	i2cOpEnd    = 4
	i2cOpRStart = 6
)

// i2cModelled reports whether the model gives the register at off behaviour; the slave
// address, the filters, slave-mode stretching and the date are memory.
func i2cModelled(off uintptr) bool {
	switch off {
	case 0x10, i2cFILTERCFG: // SLAVE_ADDR, FILTER_CFG
		return false
	}
	return off <= i2cSCLHIGHPERIOD || off >= i2cSCLSTARTHOLD && off <= i2cSCLSPCONF ||
		off >= i2cTXFIFORAM && off < i2cRXFIFORAM+4*i2cFIFOSize
}

func init() {
	registerModel("i2c", func(c *Chip) {
		m := &I2C{
			c: c, line: irq{c: c, src: SourceI2C0},
			tx: newFIFO(i2cFIFOSize), rx: newFIFO(i2cFIFOSize),
			devices: make(map[uint8]I2CDevice), devices10: make(map[uint16]I2CDevice),
			tenHi: -1, last10: -1,
		}
		m.blk = newBlock(c, "I2C0", i2cBase, i2cModelled)
		m.blk.sysBit = 7 // I2C_EXT0
		periphOf(c).i2c0 = m
		m.update()
		c.Hook(i2cBase, blockSize, wordDevice{m})
		c.OnPeripheralReset(0, m.blk.sysBit, m.reset)
	})
}

// reset returns the controller to its reset state when firmware resets it through SYSTEM, as
// esp-hal does to recover from bus errors; an addressed device sees its transaction end.
func (m *I2C) reset() {
	m.abort(true)
	m.tx.reset()
	m.rx.reset()
	m.raw, m.ena, m.respRec, m.arbLost = 0, 0, false, false
	m.blk.reset()
	m.update()
}

// I2C0 returns the model of the I2C0 controller.
func (c *Chip) I2C0() *I2C { return periphOf(c).i2c0 }

// Attach puts dev on the bus at the 7-bit address addr.
func (m *I2C) Attach(addr uint8, dev I2CDevice) {
	if addr > 0x7F {
		panic(fmt.Sprintf("esp32c3: I2C address %#x does not fit 7 bits", addr))
	}
	if a, ok := dev.(I2CAttacher); ok {
		a.Attached(m.c.Now)
	}
	m.c.Lock()
	defer m.c.Unlock()
	m.devices[addr] = dev
}

// Attach10 puts dev on the bus at the 10-bit address addr (0..0x3FF). It is selected by
// the two address bytes 11110 a9 a8 0 and a7..a0, and after a repeated START reads from
// the byte 11110 a9 a8 1, as the I2C specification's 10-bit addressing has it.
func (m *I2C) Attach10(addr uint16, dev I2CDevice) {
	if addr > 0x3FF {
		panic(fmt.Sprintf("esp32c3: I2C address %#x does not fit 10 bits", addr))
	}
	if a, ok := dev.(I2CAttacher); ok {
		a.Attached(m.c.Now)
	}
	m.c.Lock()
	defer m.c.Unlock()
	m.devices10[addr] = dev
}

// Detach removes the device at the 7-bit address addr from the bus.
func (m *I2C) Detach(addr uint8) {
	m.c.Lock()
	defer m.c.Unlock()
	delete(m.devices, addr)
}

// SetOtherMaster puts a second master on the bus, for arbitration (nil removes it). For
// every byte the controller writes, f is called (chip lock held) with that byte and returns
// the byte the other master sends in the same bit times; 0xFF means it leaves SDA released.
// SDA is a wired AND. With CTR.ARBITRATION_EN set, the controller loses arbitration at the
// first bit it sends as 1 while SDA reads 0: it stops driving the bus, raises
// ARBITRATION_LOST and reads SR.ARB_LOST = 1 until its next TRANS_START; the other master's
// own transaction is not modelled further. With ARBITRATION_EN clear the controller does not
// notice, and the addressed device receives the wired-AND of both bytes.
func (m *I2C) SetOtherMaster(f func(sent byte) (drives byte)) {
	m.c.Lock()
	defer m.c.Unlock()
	m.other = f
}

func (m *I2C) lock()            { m.c.Lock() }
func (m *I2C) unlock()          { m.c.Unlock() }
func (m *I2C) regBlock() *block { return m.blk }

func (m *I2C) readReg(off uintptr) uint32 {
	switch {
	case off >= i2cTXFIFORAM && off < i2cTXFIFORAM+4*i2cFIFOSize:
		return uint32(m.tx.buf[(off-i2cTXFIFORAM)/4])
	case off >= i2cRXFIFORAM && off < i2cRXFIFORAM+4*i2cFIFOSize:
		return uint32(m.rx.buf[(off-i2cRXFIFORAM)/4])
	}
	switch off {
	case i2cSR:
		// RESP_REC reads 1 once a slave acknowledged the last byte the master wrote and 0
		// after a NACK. esp-hal treats TRANS_COMPLETE with RESP_REC = 0 as a NACK, and its
		// driver works on silicon, so a successful transfer must leave 1 here.
		v := m.blk.load(off) & 0xC000
		if m.respRec {
			v |= 1
		}
		if m.arbLost {
			v |= 1 << 3
		}
		if m.busBusy {
			v |= 1 << 4
		}
		return v | uint32(m.rx.n)<<8 | uint32(m.tx.n)<<18
	case i2cFIFOST:
		return uint32(m.rx.rd) | uint32(m.rx.wr)<<5 | uint32(m.tx.rd)<<10 | uint32(m.tx.wr)<<15
	case i2cDATA:
		b, ok := m.rx.pop()
		if !ok {
			m.raw |= i2cIntRxUdf
		}
		m.update()
		return uint32(b)
	case i2cINTRAW:
		return m.raw
	case i2cINTENA:
		return m.ena
	case i2cINTSTATUS:
		return m.raw & m.ena
	case i2cINTCLR:
		return 0
	}
	m.blk.touch(off, false)
	return m.blk.load(off)
}

func (m *I2C) writeReg(off uintptr, v uint32) {
	switch {
	case off >= i2cTXFIFORAM:
		return // the FIFO RAM windows are read-only
	case off >= i2cCOMD0 && off < i2cCOMD0+32:
		m.blk.store(off, v&(i2cCmdDone|0x3FFF))
		return
	}
	switch off {
	case i2cCTR:
		m.blk.store(off, v&^(i2cCtrTransStart|i2cCtrFSMRst|i2cCtrConfUpgate))
		if v&i2cCtrFSMRst != 0 {
			m.abort(false)
		}
		if v&i2cCtrTransStart != 0 {
			m.startList()
		}
	case i2cSR, i2cFIFOST, i2cINTRAW, i2cINTSTATUS:
		return // read-only
	case i2cFIFOCONF:
		m.blk.store(off, v)
		if v&i2cFIFOConfRxRst != 0 {
			m.rx.reset()
		}
		if v&i2cFIFOConfTxRst != 0 {
			m.tx.reset()
		}
	case i2cDATA:
		if !m.tx.push(byte(v)) {
			m.raw |= i2cIntTxOvf
		}
	case i2cINTCLR:
		m.raw &^= v & i2cIntMask
	case i2cINTENA:
		m.ena = v & i2cIntMask
	case i2cSCLSPCONF:
		m.blk.store(off, v)
		if v&1 != 0 {
			m.busClear(uint64(field(v, 5, 1)))
		}
	default:
		m.blk.touch(off, true)
		m.blk.store(off, v)
	}
	m.update()
}

// update latches the FIFO watermark conditions and drives the interrupt line.
func (m *I2C) update() {
	fc := m.blk.load(i2cFIFOCONF)
	if uint32(m.rx.n) >= field(fc, 4, 0) {
		m.raw |= i2cIntRxWM
	}
	if uint32(m.tx.n) <= field(fc, 9, 5) {
		m.raw |= i2cIntTxWM
	}
	m.line.set(m.raw&m.ena != 0)
}

// cycles is the virtual time of n cycles of the controller's clock (CLK_CONF: XTAL or
// RC_FAST divided by SCLK_DIV_NUM+1).
func (m *I2C) cycles(n uint64) time.Duration {
	cc := m.blk.load(i2cCLKCONF)
	src := uint64(XTALHz)
	if cc&(1<<20) != 0 {
		src = periphRCFastHz
	}
	return ticksToDuration(n, uint64(field(cc, 7, 0))+1, src)
}

// bitCycles is one SCL period: SCL_LOW_PERIOD+1 cycles low, SCL_HIGH_PERIOD plus
// SCL_WAIT_HIGH_PERIOD high (esp-hal's set_frequency splits the high time that way).
func (m *I2C) bitCycles() uint64 {
	hi := m.blk.load(i2cSCLHIGHPERIOD)
	n := uint64(field(m.blk.load(i2cSCLLOWPERIOD), 8, 0)) + 1 + uint64(field(hi, 8, 0)) + uint64(field(hi, 15, 9))
	return max(n, 2)
}

func (m *I2C) byteTime() time.Duration { return m.cycles(9 * m.bitCycles()) }

// startList runs the command list from COMD0, for a new transaction or to continue one that
// an END paused.
func (m *I2C) startList() {
	if m.running {
		m.blk.once("busystart", "TRANS_START while a command list runs is ignored")
		return
	}
	if m.blk.load(i2cCTR)&i2cCtrMsMode == 0 {
		m.blk.once("slave", "TRANS_START with CTR.MS_MODE = 0: slave mode is not modelled")
		return
	}
	m.running = true
	m.arbLost = false
	m.cmd = 0
	m.step()
}

// step executes command m.cmd and schedules its end.
func (m *I2C) step() {
	if m.cmd >= 8 {
		m.blk.once("noend", "command list ran past COMD7 without END or STOP")
		m.running = false
		return
	}
	cmd := m.blk.load(i2cCOMD0 + uintptr(4*m.cmd))
	n := int(field(cmd, 7, 0))
	switch op := field(cmd, 13, 11); op {
	case i2cOpRStart:
		m.raw |= i2cIntTransStart
		m.busBusy = true
		m.addrNext = true
		setup := uint64(field(m.blk.load(i2cSCLRSTARTSETUP), 8, 0)) + uint64(field(m.blk.load(i2cSCLSTARTHOLD), 8, 0))
		m.endCommandAfter(m.cycles(max(setup, 1)), 0)
	case i2cOpWrite:
		m.busBusy = true
		var elapsed time.Duration
		for i := 0; i < n; i++ {
			d, abort := m.stretch()
			if abort {
				m.timeoutAfter(elapsed + d)
				return
			}
			elapsed += d
			b, ok := m.tx.pop()
			if !ok {
				m.raw |= i2cIntTxUdf
				m.blk.once("txudf", "WRITE command with the TX FIFO empty: transaction abandoned")
				m.abortAfter(elapsed, 0)
				return
			}
			if m.other != nil {
				bus := b & m.other(b)
				if lost := b &^ bus; lost != 0 && m.blk.load(i2cCTR)&i2cCtrArbEn != 0 {
					// Lost at the first 1 the bus overrode, MSB first: the bits up to it went out.
					k := uint64(bits.LeadingZeros8(lost)) + 1
					m.abortAfter(elapsed+m.cycles(k*m.bitCycles()), i2cIntArbLost)
					return
				}
				b = bus
			}
			nack := !m.writeByte(b)
			m.respRec = !nack
			elapsed += m.byteTime()
			if cmd&i2cCmdAckCheck != 0 && nack != (cmd&i2cCmdAckExp != 0) {
				m.abortAfter(elapsed, i2cIntNack)
				return
			}
		}
		m.endCommandAfter(elapsed, i2cIntByteDone)
	case i2cOpRead:
		m.busBusy = true
		ack := cmd&i2cCmdAckValue == 0
		var elapsed time.Duration
		m.readN = 0
		for i := 0; i < n; i++ {
			d, abort := m.stretch()
			if abort {
				m.timeoutAfter(elapsed + d)
				return
			}
			elapsed += d
			b := byte(0xFF) // nobody drives SDA: the pull-up reads as ones
			if m.sel != nil && m.selRead && !m.addrNext {
				b = m.sel.Read(ack)
			}
			m.readBuf[m.readN] = b
			m.readN++
			elapsed += m.byteTime()
		}
		m.endCommandAfter(elapsed, i2cIntByteDone)
	case i2cOpStop:
		setup := uint64(field(m.blk.load(i2cSCLSTOPSETUP), 8, 0)) + uint64(field(m.blk.load(i2cSCLSTOPHOLD), 8, 0))
		m.endCommandAfter(m.cycles(max(setup, 1)), 0)
	case i2cOpEnd:
		m.endCommandAfter(0, 0)
	default:
		m.blk.once(fmt.Sprintf("op%d", op), "COMD%d holds opcode %d, which is not a command: transaction abandoned", m.cmd, op)
		m.abortAfter(0, 0)
	}
}

// writeByte puts b on the bus and returns whether it was acknowledged.
func (m *I2C) writeByte(b byte) bool {
	if m.addrNext {
		m.addrNext = false
		m.sel = nil
		m.tenHi = -1
		addr := b >> 1
		if addr&0x7C == 0x78 { // 11110xx: a 10-bit address
			return m.tenBitFirst(int(addr&3), b&1 != 0)
		}
		m.last10 = -1
		dev, ok := m.devices[addr]
		if !ok || !dev.Start(b&1 != 0) {
			return false
		}
		m.sel, m.selRead = dev, b&1 != 0
		return true
	}
	if m.tenHi >= 0 { // the second byte of a 10-bit address: a7..a0
		full := m.tenHi<<8 | int(b)
		m.tenHi = -1
		dev, ok := m.devices10[uint16(full)]
		if !ok || !dev.Start(false) {
			m.last10 = -1
			return false
		}
		m.sel, m.selRead, m.last10 = dev, false, full
		return true
	}
	if m.sel == nil || m.selRead {
		return false
	}
	return m.sel.Write(b)
}

// tenBitFirst handles the first byte of a 10-bit address, 11110 a9 a8 R/W. A write form is
// acknowledged by every 10-bit device whose top bits match and waits for the second byte; a
// read form (after a repeated START) selects the device the last full address selected.
func (m *I2C) tenBitFirst(hi int, read bool) bool {
	if read {
		if m.last10 < 0 || m.last10>>8 != hi {
			return false
		}
		dev := m.devices10[uint16(m.last10)]
		if dev == nil || !dev.Start(true) {
			return false
		}
		m.sel, m.selRead = dev, true
		return true
	}
	m.last10 = -1
	for a := range m.devices10 {
		if int(a>>8) == hi {
			m.tenHi = hi
			return true
		}
	}
	return false
}

// stretch asks the addressed device how long it holds SCL before the next byte, and
// whether that trips a timeout; if so the returned time is when the first timeout fires.
func (m *I2C) stretch() (time.Duration, bool) {
	s, ok := m.sel.(I2CStretcher)
	if !ok || m.addrNext {
		return 0, false
	}
	d := s.Stretch()
	if d <= 0 {
		return 0, false
	}
	first, _ := m.timeouts()
	if first < d {
		return first, true
	}
	return d, false
}

// timeouts returns the earliest timeout a held SCL trips and the interrupt bits raised then.
func (m *I2C) timeouts() (time.Duration, uint32) {
	pow := func(v uint32) time.Duration { return m.cycles(1 << min(v, 23)) }
	type to struct {
		d   time.Duration
		bit uint32
	}
	cands := []to{
		{pow(field(m.blk.load(i2cSCLSTTIMEOUT), 4, 0)), i2cIntSclStTO},
		{pow(field(m.blk.load(i2cSCLMAINSTTIMEOUT), 4, 0)), i2cIntSclMainStTO},
	}
	if tov := m.blk.load(i2cTO); tov&(1<<5) != 0 {
		cands = append(cands, to{pow(field(tov, 4, 0)), i2cIntTimeOut})
	}
	first := cands[0].d
	for _, c := range cands[1:] {
		first = min(first, c.d)
	}
	var bits uint32
	for _, c := range cands {
		if c.d == first {
			bits |= c.bit
		}
	}
	return first, bits
}

func (m *I2C) timeoutAfter(d time.Duration) {
	_, bits := m.timeouts()
	m.abortAfter(d, bits)
}

func (m *I2C) schedule(d time.Duration, f func()) {
	m.ev = m.c.Schedule(m.c.Now()+d, func() {
		m.ev = nil
		f()
		m.update()
	})
}

// endCommandAfter completes the current command d from now: it sets COMMAND_DONE, raises
// bits, delivers read bytes, and moves on (STOP completes the transaction, END pauses it).
func (m *I2C) endCommandAfter(d time.Duration, bits uint32) {
	m.schedule(d, func() {
		off := i2cCOMD0 + uintptr(4*m.cmd)
		cmd := m.blk.load(off)
		m.blk.store(off, cmd|i2cCmdDone)
		m.raw |= bits
		switch field(cmd, 13, 11) {
		case i2cOpRead:
			for _, b := range m.readBuf[:m.readN] {
				if !m.rx.push(b) {
					m.raw |= i2cIntRxOvf
				}
			}
			m.readN = 0
		case i2cOpStop:
			m.running = false
			m.busBusy = false
			m.tenHi, m.last10 = -1, -1
			if m.sel != nil {
				m.sel.Stop()
				m.sel = nil
			}
			m.raw |= i2cIntTransDone
			return
		case i2cOpEnd:
			// SCL stays low and the bus busy until firmware refills the list and writes
			// TRANS_START again.
			m.running = false
			m.raw |= i2cIntEndDetect
			return
		}
		m.cmd++
		m.step()
	})
}

// abortAfter abandons the transaction d from now, raising bits: the controller releases
// the bus and the addressed device sees the end of its transaction.
func (m *I2C) abortAfter(d time.Duration, bits uint32) {
	m.schedule(d, func() {
		m.raw |= bits
		if bits&i2cIntNack != 0 {
			m.respRec = false
		}
		if bits&i2cIntArbLost != 0 {
			m.arbLost = true
		}
		m.abort(true)
	})
}

func (m *I2C) abort(notify bool) {
	if m.ev != nil {
		m.ev.Cancel()
		m.ev = nil
	}
	m.running = false
	m.busBusy = false
	m.addrNext = false
	m.tenHi, m.last10 = -1, -1
	m.readN = 0
	if m.sel != nil && notify {
		m.sel.Stop()
	}
	m.sel = nil
}

// busClear sends the SCL_SP_CONF clock pulses; the addressed device abandons its
// transaction and SCL_RST_SLV_EN clears once the pulses are out.
func (m *I2C) busClear(pulses uint64) {
	m.c.Schedule(m.c.Now()+m.cycles(pulses*m.bitCycles()), func() {
		m.blk.store(i2cSCLSPCONF, m.blk.load(i2cSCLSPCONF)&^1)
		if !m.running {
			m.abort(true)
		}
		m.update()
	})
}
