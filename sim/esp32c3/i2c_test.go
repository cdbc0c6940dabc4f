package esp32c3

import (
	"bytes"
	"testing"
	"time"
)

func i2cReg(off uintptr) uintptr { return i2cBase + off }

func i2cCmd(op, n, flags uint32) uint32 { return op<<11 | flags | n }

// i2cSetup configures I2C0 as esp-hal does for 100 kHz from the 40 MHz crystal: h = 200,
// SCL low 199, high 102 + wait 98, setup and hold times 199, bus timeout off.
func i2cSetup() {
	r32(i2cReg(i2cCTR)).Store(i2cCtrMsMode | 3 | 1<<8)
	r32(i2cReg(i2cFILTERCFG)).Store(7 | 7<<4 | 3<<8)
	r32(i2cReg(i2cCLKCONF)).Store(0)
	r32(i2cReg(i2cSCLLOWPERIOD)).Store(199)
	r32(i2cReg(i2cSCLHIGHPERIOD)).Store(102 | 98<<9)
	r32(i2cReg(i2cSDAHOLD)).Store(49)
	r32(i2cReg(i2cSDASAMPLE)).Store(99)
	for _, off := range []uintptr{i2cSCLSTARTHOLD, i2cSCLRSTARTSETUP, i2cSCLSTOPHOLD, i2cSCLSTOPSETUP} {
		r32(i2cReg(off)).Store(199)
	}
	r32(i2cReg(i2cTO)).Store(16)
	r32(i2cReg(i2cCTR)).Store(r32(i2cReg(i2cCTR)).Load() | i2cCtrConfUpgate)
}

const (
	i2cByte  = 90 * time.Microsecond // 9 SCL periods of 400 cycles at 40 MHz
	i2cStart = 9950 * time.Nanosecond
	i2cStop  = 9950 * time.Nanosecond
)

// i2cChunk loads one chunk as esp-hal does: clear interrupts, reset the FIFOs, rebuild the
// command list, push the TX bytes, start.
func i2cChunk(cmds []uint32, tx []byte) {
	r32(i2cReg(i2cINTCLR)).Store(0x3FFFF)
	r32(i2cReg(i2cFIFOCONF)).Store(i2cFIFOConfRxRst | i2cFIFOConfTxRst | 1<<14 | 8<<5 | 1)
	r32(i2cReg(i2cFIFOCONF)).Store(1<<14 | 8<<5 | 1)
	r32(i2cReg(i2cCTR)).Store(r32(i2cReg(i2cCTR)).Load() | i2cCtrConfUpgate)
	for i := 0; i < 8; i++ {
		r32(i2cReg(i2cCOMD0 + uintptr(4*i))).Store(0)
	}
	for i, c := range cmds {
		r32(i2cReg(i2cCOMD0 + uintptr(4*i))).Store(c)
	}
	for _, b := range tx {
		r32(i2cReg(i2cDATA)).Store(uint32(b))
	}
	r32(i2cReg(i2cCTR)).Store(r32(i2cReg(i2cCTR)).Load() | i2cCtrTransStart)
}

// i2cWait advances until one of the bits esp-hal waits for is raised, and returns INT_RAW.
func i2cWait(t *testing.T, c *Chip) uint32 {
	t.Helper()
	const done = i2cIntTransDone | i2cIntEndDetect | i2cIntNack | i2cIntArbLost | i2cIntTimeOut | i2cIntSclStTO | i2cIntSclMainStTO
	for i := 0; i < 100_000; i++ {
		if raw := r32(i2cReg(i2cINTRAW)).Load(); raw&done != 0 {
			return raw
		}
		runFor(c, time.Microsecond)
	}
	t.Fatal("I2C transaction never finished")
	return 0
}

func i2cRead(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(r32(i2cReg(i2cDATA)).Load())
	}
	return out
}

func TestI2CResetValues(t *testing.T) {
	newPeriphChip(t)
	wantR32(t, "CTR", i2cReg(i2cCTR), 0x20B)
	wantR32(t, "SR", i2cReg(i2cSR), 0xC000)
	wantR32(t, "TO", i2cReg(i2cTO), 0x10)
	wantR32(t, "FIFO_CONF", i2cReg(i2cFIFOCONF), 0x408B)
	wantR32(t, "INT_RAW", i2cReg(i2cINTRAW), 0x2) // TXFIFO_WM: empty FIFO under the watermark
	wantR32(t, "CLK_CONF", i2cReg(i2cCLKCONF), 0x20_0000)
	wantR32(t, "SCL_MAIN_ST_TIME_OUT", i2cReg(i2cSCLMAINSTTIMEOUT), 0x10)
}

func TestI2CFIFOCountsAndReset(t *testing.T) {
	newPeriphChip(t)
	for i := 0; i < 5; i++ {
		r32(i2cReg(i2cDATA)).Store(uint32(i))
	}
	if got := r32(i2cReg(i2cSR)).Load() >> 18 & 0x3F; got != 5 {
		t.Errorf("SR.TXFIFO_CNT = %d, want 5", got)
	}
	if got := r32(i2cReg(i2cFIFOST)).Load() >> 15 & 0x1F; got != 5 {
		t.Errorf("FIFO_ST.TXFIFO_WADDR = %d, want 5", got)
	}
	if got := r32(i2cReg(i2cTXFIFORAM + 4*3)).Load(); got != 3 {
		t.Errorf("TX FIFO RAM word 3 = %d, want 3", got)
	}
	for i := 0; i < 40; i++ {
		r32(i2cReg(i2cDATA)).Store(0xEE)
	}
	if r32(i2cReg(i2cINTRAW)).Load()&i2cIntTxOvf == 0 {
		t.Error("TXFIFO_OVF not raised after pushing 45 bytes into 32")
	}
	r32(i2cReg(i2cFIFOCONF)).Store(0x408B | i2cFIFOConfTxRst)
	r32(i2cReg(i2cFIFOCONF)).Store(0x408B)
	if got := r32(i2cReg(i2cSR)).Load() >> 18 & 0x3F; got != 0 {
		t.Errorf("TXFIFO_CNT = %d after TX_FIFO_RST, want 0", got)
	}
	r32(i2cReg(i2cDATA)).Load()
	if r32(i2cReg(i2cINTRAW)).Load()&i2cIntRxUdf == 0 {
		t.Error("RXFIFO_UDF not raised reading an empty RX FIFO")
	}
}

func TestI2CEEPROMWriteThenRandomRead(t *testing.T) {
	c := newPeriphChip(t)
	rom := NewAT24C(4096, 32) // AT24C32: two address bytes
	c.I2C0().Attach(0x50, rom)
	i2cSetup()
	r32(i2cReg(i2cINTENA)).Store(i2cIntTransDone)

	// Write 4 bytes at 0x0123: [RSTART, WRITE(1+2+4, ack check), STOP].
	data := []byte{0xDE, 0xAD, 0xBE, 0xEF}
	i2cChunk([]uint32{
		i2cCmd(i2cOpRStart, 0, 0),
		i2cCmd(i2cOpWrite, 7, i2cCmdAckCheck),
		i2cCmd(i2cOpStop, 0, 0),
	}, append([]byte{0x50 << 1, 0x01, 0x23}, data...))
	if r32(i2cReg(i2cSR)).Load()&(1<<4) == 0 {
		t.Error("BUS_BUSY not set during the transaction")
	}
	total := i2cStart + 7*i2cByte + i2cStop
	runFor(c, total-time.Nanosecond)
	if r32(i2cReg(i2cINTRAW)).Load()&i2cIntTransDone != 0 {
		t.Fatalf("TRANS_COMPLETE before %v", total)
	}
	runFor(c, time.Nanosecond)
	raw := r32(i2cReg(i2cINTRAW)).Load()
	if raw&i2cIntTransDone == 0 || raw&i2cIntNack != 0 || !srcHigh(c, SourceI2C0) {
		t.Fatalf("at %v: INT_RAW %#x, line %v; want TRANS_COMPLETE", total, raw, srcHigh(c, SourceI2C0))
	}
	sr := r32(i2cReg(i2cSR)).Load()
	if sr&1 == 0 || sr&(1<<4) != 0 {
		t.Errorf("SR = %#x: want RESP_REC = 1 (esp-hal's success check) and BUS_BUSY = 0", sr)
	}
	for i := 0; i < 3; i++ {
		if r32(i2cReg(i2cCOMD0+uintptr(4*i))).Load()&i2cCmdDone == 0 {
			t.Errorf("COMD%d.COMMAND_DONE not set", i)
		}
	}
	if got := rom.Contents()[0x123:0x127]; !bytes.Equal(got, data) {
		t.Fatalf("EEPROM holds % x, want % x", got, data)
	}

	// During the 5 ms write cycle the EEPROM ignores its address: acknowledge polling.
	addrOnly := []uint32{i2cCmd(i2cOpRStart, 0, 0), i2cCmd(i2cOpWrite, 1, i2cCmdAckCheck), i2cCmd(i2cOpStop, 0, 0)}
	i2cChunk(addrOnly, []byte{0x50 << 1})
	if raw := i2cWait(t, c); raw&i2cIntNack == 0 {
		t.Fatalf("EEPROM acknowledged during its write cycle: INT_RAW %#x", raw)
	}
	runFor(c, 5*time.Millisecond)

	// Random read: write the address, repeated START, read 3 with ACK and 1 with NACK.
	i2cChunk([]uint32{
		i2cCmd(i2cOpRStart, 0, 0),
		i2cCmd(i2cOpWrite, 3, i2cCmdAckCheck),
		i2cCmd(i2cOpRStart, 0, 0),
		i2cCmd(i2cOpWrite, 1, i2cCmdAckCheck),
		i2cCmd(i2cOpRead, 3, 0),
		i2cCmd(i2cOpRead, 1, i2cCmdAckValue),
		i2cCmd(i2cOpStop, 0, 0),
	}, []byte{0x50 << 1, 0x01, 0x23, 0x50<<1 | 1})
	if raw := i2cWait(t, c); raw&i2cIntTransDone == 0 || raw&i2cIntNack != 0 {
		t.Fatalf("random read: INT_RAW %#x", raw)
	}
	if got := r32(i2cReg(i2cSR)).Load() >> 8 & 0x3F; got != 4 {
		t.Fatalf("RXFIFO_CNT = %d, want 4", got)
	}
	if got := i2cRead(4); !bytes.Equal(got, data) {
		t.Errorf("read % x, want % x", got, data)
	}
	// A current-address read continues after the last byte read.
	i2cChunk([]uint32{
		i2cCmd(i2cOpRStart, 0, 0),
		i2cCmd(i2cOpWrite, 1, i2cCmdAckCheck),
		i2cCmd(i2cOpRead, 1, i2cCmdAckValue),
		i2cCmd(i2cOpStop, 0, 0),
	}, []byte{0x50<<1 | 1})
	i2cWait(t, c)
	if got := i2cRead(1); got[0] != 0xFF {
		t.Errorf("current-address read = %#x, want the erased 0xFF at 0x127", got[0])
	}
}

func TestI2CEEPROMPageWriteWraps(t *testing.T) {
	c := newPeriphChip(t)
	rom := NewAT24C(256, 8) // AT24C02: one address byte, 8-byte pages
	c.I2C0().Attach(0x50, rom)
	i2cSetup()
	// Six bytes from 0x06 cross the page end at 0x08 and wrap to 0x00.
	i2cChunk([]uint32{
		i2cCmd(i2cOpRStart, 0, 0),
		i2cCmd(i2cOpWrite, 8, i2cCmdAckCheck),
		i2cCmd(i2cOpStop, 0, 0),
	}, []byte{0x50 << 1, 0x06, 1, 2, 3, 4, 5, 6})
	i2cWait(t, c)
	got := rom.Contents()[:8]
	want := []byte{3, 4, 5, 6, 0xFF, 0xFF, 1, 2}
	if !bytes.Equal(got, want) {
		t.Errorf("page = % x, want % x", got, want)
	}
}

func TestI2CNackOnAbsentAddress(t *testing.T) {
	c := newPeriphChip(t)
	c.I2C0().Attach(0x50, NewAT24C(256, 8))
	i2cSetup()
	r32(i2cReg(i2cINTENA)).Store(i2cIntNack | i2cIntTransDone)
	i2cChunk([]uint32{
		i2cCmd(i2cOpRStart, 0, 0),
		i2cCmd(i2cOpWrite, 2, i2cCmdAckCheck),
		i2cCmd(i2cOpStop, 0, 0),
	}, []byte{0x51 << 1, 0x00})
	runFor(c, i2cStart+i2cByte)
	raw := r32(i2cReg(i2cINTRAW)).Load()
	if raw&i2cIntNack == 0 || raw&i2cIntTransDone != 0 {
		t.Fatalf("INT_RAW = %#x after the address byte: want NACK and no TRANS_COMPLETE", raw)
	}
	if !srcHigh(c, SourceI2C0) {
		t.Error("NACK did not raise the interrupt line")
	}
	if sr := r32(i2cReg(i2cSR)).Load(); sr&1 != 0 || sr&(1<<4) != 0 {
		t.Errorf("SR = %#x: want RESP_REC = 0 and the bus released", sr)
	}
	if r32(i2cReg(i2cCOMD0+4)).Load()&i2cCmdDone != 0 {
		t.Error("the NACKed WRITE reports COMMAND_DONE")
	}
	runFor(c, time.Millisecond)
	if r32(i2cReg(i2cINTRAW)).Load()&i2cIntTransDone != 0 {
		t.Error("the transaction went on after the NACK")
	}
	r32(i2cReg(i2cINTCLR)).Store(0x3FFFF)
	if srcHigh(c, SourceI2C0) {
		t.Error("INT_CLR did not lower the line")
	}
}

func TestI2CSensorRegistersWithEndDetect(t *testing.T) {
	c := newPeriphChip(t)
	s := NewRegisterSensor(0x00, 0x68) // WHO_AM_I at register 1
	for r := byte(0x10); r < 0x16; r++ {
		s.Set(r, r*3)
	}
	var writes [][2]byte
	s.OnWrite(func(reg, v byte) { writes = append(writes, [2]byte{reg, v}) })
	c.I2C0().Attach(0x68, s)
	i2cSetup()

	// Write register 0x20 = 0x5A.
	i2cChunk([]uint32{i2cCmd(i2cOpRStart, 0, 0), i2cCmd(i2cOpWrite, 3, i2cCmdAckCheck), i2cCmd(i2cOpStop, 0, 0)},
		[]byte{0x68 << 1, 0x20, 0x5A})
	i2cWait(t, c)
	if s.Get(0x20) != 0x5A || len(writes) != 1 {
		t.Fatalf("register 0x20 = %#x, writes %v", s.Get(0x20), writes)
	}
	// Read six registers from 0x10 in two chunks joined by END, as esp-hal splits long reads.
	i2cChunk([]uint32{
		i2cCmd(i2cOpRStart, 0, 0),
		i2cCmd(i2cOpWrite, 2, i2cCmdAckCheck),
		i2cCmd(i2cOpRStart, 0, 0),
		i2cCmd(i2cOpWrite, 1, i2cCmdAckCheck),
		i2cCmd(i2cOpRead, 3, 0),
		i2cCmd(i2cOpEnd, 0, 0),
	}, []byte{0x68 << 1, 0x10, 0x68<<1 | 1})
	raw := i2cWait(t, c)
	if raw&i2cIntEndDetect == 0 || raw&i2cIntTransDone != 0 {
		t.Fatalf("first chunk: INT_RAW %#x, want END_DETECT only", raw)
	}
	if r32(i2cReg(i2cSR)).Load()&(1<<4) == 0 {
		t.Error("the bus must stay busy while END holds SCL")
	}
	first := i2cRead(3)
	i2cChunk([]uint32{i2cCmd(i2cOpRead, 2, 0), i2cCmd(i2cOpRead, 1, i2cCmdAckValue), i2cCmd(i2cOpStop, 0, 0)}, nil)
	if raw := i2cWait(t, c); raw&i2cIntTransDone == 0 {
		t.Fatalf("second chunk: INT_RAW %#x", raw)
	}
	got := append(first, i2cRead(3)...)
	want := []byte{0x30, 0x33, 0x36, 0x39, 0x3C, 0x3F}
	if !bytes.Equal(got, want) {
		t.Errorf("registers 0x10.. = % x, want % x", got, want)
	}
}

func TestI2CClockStretchTimeout(t *testing.T) {
	c := newPeriphChip(t)
	s := NewRegisterSensor()
	c.I2C0().Attach(0x40, s)
	i2cSetup()
	reads := []uint32{
		i2cCmd(i2cOpRStart, 0, 0),
		i2cCmd(i2cOpWrite, 1, i2cCmdAckCheck),
		i2cCmd(i2cOpRead, 1, i2cCmdAckValue),
		i2cCmd(i2cOpStop, 0, 0),
	}
	// A short stretch only delays the transaction.
	s.SetStretch(20 * time.Microsecond)
	i2cChunk(reads, []byte{0x40<<1 | 1})
	start := c.Now()
	if raw := i2cWait(t, c); raw&i2cIntTransDone == 0 {
		t.Fatalf("short stretch: INT_RAW %#x", raw)
	}
	if took := c.Now() - start; took < i2cStart+2*i2cByte+i2cStop+20*time.Microsecond {
		t.Errorf("stretched transaction took %v, shorter than its bytes plus the stretch", took)
	}
	// TIME_OUT_EN with 2^10 cycles (25.6 µs) trips on a 1 ms stretch before the SCL state
	// machine timeouts (2^16 cycles).
	r32(i2cReg(i2cTO)).Store(1<<5 | 10)
	s.SetStretch(time.Millisecond)
	i2cChunk(reads, []byte{0x40<<1 | 1})
	start = c.Now()
	raw := i2cWait(t, c)
	if raw&i2cIntTimeOut == 0 || raw&(i2cIntTransDone|i2cIntSclStTO|i2cIntSclMainStTO) != 0 {
		t.Fatalf("INT_RAW = %#x, want TIME_OUT alone", raw)
	}
	if took := c.Now() - start; took > i2cStart+i2cByte+30*time.Microsecond {
		t.Errorf("timeout reported after %v", took)
	}
	// With the bus timeout off, the SCL state-machine timeouts catch a stuck clock.
	r32(i2cReg(i2cTO)).Store(16)
	r32(i2cReg(i2cSCLSTTIMEOUT)).Store(12)
	i2cChunk(reads, []byte{0x40<<1 | 1})
	if raw := i2cWait(t, c); raw&i2cIntSclStTO == 0 || raw&i2cIntTimeOut != 0 {
		t.Fatalf("INT_RAW = %#x, want SCL_ST_TO", raw)
	}
}

func TestI2CBusClearAndPeripheralReset(t *testing.T) {
	c := newPeriphChip(t)
	c.I2C0().Attach(0x50, NewAT24C(256, 8))
	i2cSetup()
	// Leave a transaction paused at END, then clear the bus with nine SCL pulses.
	i2cChunk([]uint32{i2cCmd(i2cOpRStart, 0, 0), i2cCmd(i2cOpWrite, 1, i2cCmdAckCheck), i2cCmd(i2cOpEnd, 0, 0)}, []byte{0x50 << 1})
	i2cWait(t, c)
	r32(i2cReg(i2cSCLSPCONF)).Store(9<<1 | 1)
	runFor(c, 100*time.Microsecond)
	if r32(i2cReg(i2cSCLSPCONF)).Load()&1 != 0 {
		t.Fatal("SCL_RST_SLV_EN not cleared after the pulses")
	}
	// Resetting I2C0 through SYSTEM.PERIP_RST_EN0 restores the reset values.
	rst := r32(0x600C_0018)
	rst.Store(rst.Load() | 1<<7)
	rst.Store(rst.Load() &^ (1 << 7))
	wantR32(t, "CTR after reset", i2cReg(i2cCTR), 0x20B)
	wantR32(t, "SCL_LOW_PERIOD after reset", i2cReg(i2cSCLLOWPERIOD), 0)
	wantR32(t, "INT_RAW after reset", i2cReg(i2cINTRAW), 0x2)
}

func TestI2CArbitrationLost(t *testing.T) {
	c := newPeriphChip(t)
	s := NewRegisterSensor()
	c.I2C0().Attach(0x68, s)
	i2cSetup()
	// The other master addresses 0x50 while we address 0x68: 0xA0 vs 0xD0 differ first at
	// bit 6, where we send 1 and it sends 0.
	c.I2C0().SetOtherMaster(func(sent byte) byte { return 0x50 << 1 })
	write := []uint32{i2cCmd(i2cOpRStart, 0, 0), i2cCmd(i2cOpWrite, 2, i2cCmdAckCheck), i2cCmd(i2cOpStop, 0, 0)}

	// Without ARBITRATION_EN the controller does not notice: the wired AND (0x50<<1) reaches
	// the bus, which nobody acknowledges.
	i2cChunk(write, []byte{0x68 << 1, 0x01})
	if raw := i2cWait(t, c); raw&i2cIntArbLost != 0 || raw&i2cIntNack == 0 {
		t.Fatalf("arbitration off: INT_RAW %#x, want a NACK", raw)
	}

	r32(i2cReg(i2cCTR)).Store(r32(i2cReg(i2cCTR)).Load() | i2cCtrArbEn | i2cCtrConfUpgate)
	i2cChunk(write, []byte{0x68 << 1, 0x01})
	start := c.Now()
	raw := i2cWait(t, c)
	if raw&i2cIntArbLost == 0 || raw&(i2cIntNack|i2cIntTransDone) != 0 {
		t.Fatalf("INT_RAW %#x, want ARBITRATION_LOST alone", raw)
	}
	if took := c.Now() - start; took > i2cStart+i2cByte/9*2+time.Microsecond {
		t.Errorf("arbitration lost after %v, want within the second bit", took)
	}
	if sr := r32(i2cReg(i2cSR)).Load(); sr&(1<<3) == 0 || sr&(1<<4) != 0 {
		t.Errorf("SR = %#x, want ARB_LOST and the bus released", sr)
	}
	if s.gotPtr {
		t.Error("the device was addressed by a transaction that lost arbitration")
	}
	// A byte the other master agrees with goes through; ARB_LOST clears at TRANS_START.
	c.I2C0().SetOtherMaster(func(sent byte) byte { return sent })
	i2cChunk(write, []byte{0x68 << 1, 0x01})
	if raw := i2cWait(t, c); raw&i2cIntTransDone == 0 || raw&i2cIntArbLost != 0 {
		t.Fatalf("agreeing master: INT_RAW %#x", raw)
	}
	if r32(i2cReg(i2cSR)).Load()&(1<<3) != 0 {
		t.Error("SR.ARB_LOST still set after a successful transaction")
	}
}

func TestI2CTenBitAddressing(t *testing.T) {
	c := newPeriphChip(t)
	s := NewRegisterSensor()
	s.Set(0x10, 0xAB)
	s.Set(0x11, 0xCD)
	c.I2C0().Attach10(0x2C5, s)
	other := NewRegisterSensor()
	c.I2C0().Attach10(0x1C5, other) // same low byte, other top bits
	i2cSetup()
	hi := byte(0xF0 | 0x2<<1) // 11110 a9 a8 0

	// Write register 0x20 = 0x5A: START, 11110100, 0xC5, 0x20, 0x5A, STOP.
	i2cChunk([]uint32{i2cCmd(i2cOpRStart, 0, 0), i2cCmd(i2cOpWrite, 4, i2cCmdAckCheck), i2cCmd(i2cOpStop, 0, 0)},
		[]byte{hi, 0xC5, 0x20, 0x5A})
	if raw := i2cWait(t, c); raw&i2cIntTransDone == 0 {
		t.Fatalf("10-bit write: INT_RAW %#x", raw)
	}
	if s.Get(0x20) != 0x5A || other.Get(0x20) != 0 {
		t.Fatalf("register 0x20 = %#x / %#x", s.Get(0x20), other.Get(0x20))
	}
	// Random read: START, 11110100, 0xC5, 0x10, RSTART, 11110101, read 2.
	i2cChunk([]uint32{
		i2cCmd(i2cOpRStart, 0, 0), i2cCmd(i2cOpWrite, 3, i2cCmdAckCheck),
		i2cCmd(i2cOpRStart, 0, 0), i2cCmd(i2cOpWrite, 1, i2cCmdAckCheck),
		i2cCmd(i2cOpRead, 1, 0), i2cCmd(i2cOpRead, 1, i2cCmdAckValue), i2cCmd(i2cOpStop, 0, 0),
	}, []byte{hi, 0xC5, 0x10, hi | 1})
	if raw := i2cWait(t, c); raw&i2cIntTransDone == 0 {
		t.Fatalf("10-bit read: INT_RAW %#x", raw)
	}
	if got := i2cRead(2); !bytes.Equal(got, []byte{0xAB, 0xCD}) {
		t.Errorf("read % x, want ab cd", got)
	}
	// The read form alone, without a preceding full address, is not acknowledged; neither
	// is an address nobody has.
	for _, tx := range [][]byte{{hi | 1}, {0xF6, 0x00}} {
		i2cChunk([]uint32{i2cCmd(i2cOpRStart, 0, 0), i2cCmd(i2cOpWrite, uint32(len(tx)), i2cCmdAckCheck), i2cCmd(i2cOpStop, 0, 0)}, tx)
		if raw := i2cWait(t, c); raw&i2cIntNack == 0 {
			t.Errorf("address bytes % x: INT_RAW %#x, want NACK", tx, raw)
		}
		r32(i2cReg(i2cINTCLR)).Store(0x3FFFF)
	}
}

func BenchmarkI2CEEPROMRead16(b *testing.B) {
	c := newPeriphChip(b)
	rom := NewAT24C(4096, 32)
	c.I2C0().Attach(0x50, rom)
	i2cSetup()
	cmds := []uint32{
		i2cCmd(i2cOpRStart, 0, 0), i2cCmd(i2cOpWrite, 3, i2cCmdAckCheck),
		i2cCmd(i2cOpRStart, 0, 0), i2cCmd(i2cOpWrite, 1, i2cCmdAckCheck),
		i2cCmd(i2cOpRead, 15, 0), i2cCmd(i2cOpRead, 1, i2cCmdAckValue), i2cCmd(i2cOpStop, 0, 0),
	}
	tx := []byte{0x50 << 1, 0, 0, 0x50<<1 | 1}
	d := 2*i2cStart + 20*i2cByte + i2cStop
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		i2cChunk(cmds, tx)
		runFor(c, d)
		if r32(i2cReg(i2cINTRAW)).Load()&i2cIntTransDone == 0 {
			b.Fatal("read did not complete")
		}
		i2cRead(16)
	}
}
