package esp32c3

import (
	"bytes"
	"testing"
	"time"
)

func spiReg(off uintptr) uintptr { return spiBase + off }

// spiInit configures SPI2 as esp-hal's Spi::new does for 1 MHz mode 0 from the crystal:
// N = L = 39, H = 19, full duplex, CS0 enabled.
func spiInit() {
	r32(spiReg(spiCLKGATE)).Store(1 | 2)
	r32(spiReg(spiUSER)).Store(spiUserDoutDin | spiUserMISO | spiUserMOSI | spiUserCSHold | 1<<26)
	r32(spiReg(spiCTRL)).Store(0)
	r32(spiReg(spiMISC)).Store(0)
	r32(spiReg(spiSLAVE)).Store(0)
	r32(spiReg(spiCLOCK)).Store(39 | 19<<6 | 39<<12)
}

func spiWriteBuf(data []byte) {
	var w [16]uint32
	for i, b := range data {
		w[i/4] |= uint32(b) << (8 * (i % 4))
	}
	for i := 0; i < (len(data)+3)/4; i++ {
		r32(spiReg(spiW0 + uintptr(4*i))).Store(w[i])
	}
}

func spiReadBuf(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(r32(spiReg(spiW0+uintptr(i&^3))).Load() >> (8 * (i % 4)))
	}
	return out
}

// spiStart runs esp-hal's per-chunk sequence up to CMD.USR.
func spiStart(t *testing.T, bits int) {
	t.Helper()
	r32(spiReg(spiMSDLEN)).Store(uint32(bits - 1))
	r32(spiReg(spiCMD)).Store(spiCmdUPD)
	if r32(spiReg(spiCMD)).Load()&spiCmdUPD != 0 {
		t.Fatal("CMD.UPDATE did not clear")
	}
	r32(spiReg(spiINTCLR)).Store(spiIntDone)
	r32(spiReg(spiCMD)).Store(spiCmdUSR)
}

func TestSPIResetValues(t *testing.T) {
	newPeriphChip(t)
	wantR32(t, "CTRL", spiReg(spiCTRL), 0x3C_0000)
	wantR32(t, "CLOCK", spiReg(spiCLOCK), 0x8000_3043)
	wantR32(t, "USER", spiReg(spiUSER), 0x8000_00C0)
	wantR32(t, "USER1", spiReg(spiUSER1), 0xB841_0007)
	wantR32(t, "MISC", spiReg(spiMISC), 0x3E)
	wantR32(t, "SLAVE", spiReg(spiSLAVE), 0x280_0000)
	wantR32(t, "CMD", spiReg(spiCMD), 0)
}

func TestSPIFullDuplexTransfer(t *testing.T) {
	c := newPeriphChip(t)
	echo := NewSPIEcho(false)
	c.SPI2().Attach(echo)
	spiInit()
	r32(spiReg(spiINTENA)).Store(spiIntDone)

	out := []byte{0x11, 0x22, 0x33, 0x44, 0x55}
	spiWriteBuf(out)
	spiStart(t, 8*len(out))
	if r32(spiReg(spiCMD)).Load()&spiCmdUSR == 0 {
		t.Fatal("CMD.USR reads 0 during the transfer")
	}
	// 40 bits at 1 MHz plus CS_HOLD_TIME+1 = 2 cycles (USER1 reset).
	d := 42 * time.Microsecond
	runFor(c, d-time.Nanosecond)
	if r32(spiReg(spiCMD)).Load()&spiCmdUSR == 0 || srcHigh(c, SourceSPI2) {
		t.Fatalf("transfer finished before %v", d)
	}
	if !bytes.Equal(spiReadBuf(5), out) {
		t.Error("the W buffer changed before the transfer ended")
	}
	runFor(c, time.Nanosecond)
	if r32(spiReg(spiCMD)).Load()&spiCmdUSR != 0 {
		t.Fatalf("CMD.USR still set at %v", d)
	}
	if r32(spiReg(spiINTRAW)).Load()&spiIntDone == 0 || !srcHigh(c, SourceSPI2) {
		t.Fatal("TRANS_DONE not raised")
	}
	// The shift-register echo answers each byte with the one before it.
	want := []byte{0x00, 0x11, 0x22, 0x33, 0x44}
	if got := spiReadBuf(5); !bytes.Equal(got, want) {
		t.Errorf("received % x, want % x", got, want)
	}
	if !bytes.Equal(echo.Received(), out) || echo.Selects() != 1 {
		t.Errorf("device saw % x in %d selections", echo.Received(), echo.Selects())
	}
	r32(spiReg(spiINTCLR)).Store(spiIntDone)
	if srcHigh(c, SourceSPI2) || r32(spiReg(spiINTST)).Load() != 0 {
		t.Error("DMA_INT_CLR did not clear TRANS_DONE")
	}

	// A 64-byte loopback transfer at 80 MHz ÷ 8 (PLL source) fills the whole buffer.
	c.SPI2().Attach(NewSPIEcho(true))
	r32(spiReg(spiCLKGATE)).Store(1 | 2 | 4)
	r32(spiReg(spiCLOCK)).Store(7 | 3<<6 | 7<<12)
	full := make([]byte, 64)
	for i := range full {
		full[i] = byte(0xA0 + i)
	}
	spiWriteBuf(full)
	spiStart(t, 512)
	runFor(c, ticksToDuration(512+2, 8, 80_000_000))
	if r32(spiReg(spiCMD)).Load()&spiCmdUSR != 0 {
		t.Fatal("64-byte transfer at 10 MHz not done after 51.4 µs")
	}
	if got := spiReadBuf(64); !bytes.Equal(got, full) {
		t.Errorf("loopback returned % x", got)
	}
}

func TestSPICommandAddressHalfDuplexRead(t *testing.T) {
	c := newPeriphChip(t)
	mem := []byte("0123456789abcdef")
	flash := NewSPIResponder(func(cmd byte, args []byte) []byte {
		if cmd != 0x03 || len(args) < 3 {
			return nil
		}
		addr := int(args[0])<<16 | int(args[1])<<8 | int(args[2])
		// Bytes 0..2 of the reply go out while the address comes in.
		return append([]byte{0, 0, 0}, mem[addr%len(mem):]...)
	})
	c.SPI2().Attach(flash)
	spiInit()
	// Half duplex: 8-bit command 0x03, 24-bit address 0x000005, then read 4 bytes.
	r32(spiReg(spiUSER)).Store(spiUserCommand | spiUserAddr | spiUserMISO | spiUserCSHold)
	r32(spiReg(spiUSER1)).Store(23<<27 | 1<<22)
	r32(spiReg(spiUSER2)).Store(7<<28 | 0x03)
	r32(spiReg(spiADDR)).Store(0x000005 << 8)
	spiStart(t, 32)
	runFor(c, (8+24+32+2)*time.Microsecond)
	if r32(spiReg(spiCMD)).Load()&spiCmdUSR != 0 {
		t.Fatal("transaction not done")
	}
	if got := spiReadBuf(4); string(got) != "5678" {
		t.Errorf("read %q, want %q", got, "5678")
	}
	txns := flash.Transactions()
	if len(txns) != 1 || !bytes.Equal(txns[0][:4], []byte{0x03, 0, 0, 5}) || len(txns[0]) != 8 {
		t.Errorf("device transactions = % x, want one starting 03 00 00 05, 8 bytes long", txns)
	}
}

func TestSPIBitOrderAndKeepCS(t *testing.T) {
	c := newPeriphChip(t)
	echo := NewSPIEcho(true)
	c.SPI2().Attach(echo)
	spiInit()
	// LSB-first output: 0x01 reaches the device as 0x80.
	r32(spiReg(spiCTRL)).Store(spiCtrlWrLSB)
	r32(spiReg(spiMISC)).Store(spiMiscKeepCS)
	spiWriteBuf([]byte{0x01})
	spiStart(t, 8)
	runFor(c, 20*time.Microsecond)
	if got := echo.Received(); len(got) != 1 || got[0] != 0x80 {
		t.Fatalf("device received % x, want 80", got)
	}
	// MSB-first input takes the looped-back 0x80 as is.
	if got := spiReadBuf(1)[0]; got != 0x80 {
		t.Errorf("W0 byte 0 = %#x, want 0x80", got)
	}
	// CS_KEEP_ACTIVE held CS0 across both transactions: one selection.
	spiStart(t, 8)
	runFor(c, 20*time.Microsecond)
	if echo.Selects() != 1 {
		t.Errorf("selections = %d, want 1 with CS_KEEP_ACTIVE", echo.Selects())
	}
	// CS0_DIS deselects: nothing drives MISO and the buffer reads ones.
	r32(spiReg(spiMISC)).Store(1)
	r32(spiReg(spiCTRL)).Store(0)
	spiWriteBuf([]byte{0x5A})
	spiStart(t, 8)
	runFor(c, 20*time.Microsecond)
	if got := spiReadBuf(1)[0]; got != 0xFF || len(echo.Received()) != 2 {
		t.Errorf("with CS0 disabled: W0 = %#x, device got % x", got, echo.Received())
	}
}

func TestSPIPeripheralResetAbortsTransfer(t *testing.T) {
	c := newPeriphChip(t)
	echo := NewSPIEcho(true)
	c.SPI2().Attach(echo)
	spiInit()
	spiWriteBuf([]byte{1, 2, 3, 4})
	spiStart(t, 32)
	rst := r32(0x600C_0018)
	rst.Store(rst.Load() | 1<<6)
	rst.Store(rst.Load() &^ (1 << 6))
	if r32(spiReg(spiCMD)).Load()&spiCmdUSR != 0 {
		t.Error("CMD.USR still set after the peripheral reset")
	}
	runFor(c, time.Millisecond)
	if r32(spiReg(spiINTRAW)).Load() != 0 {
		t.Error("an aborted transfer raised TRANS_DONE")
	}
	wantR32(t, "USER after reset", spiReg(spiUSER), 0x8000_00C0)
}

func TestSPIStoppedClockHangsUntilReset(t *testing.T) {
	c := newPeriphChip(t)
	echo := NewSPIEcho(true)
	c.SPI2().Attach(echo)
	spiInit()
	r32(spiReg(spiCLKGATE)).Store(1) // MST_CLK_ACTIVE clear: no SPI clock
	spiWriteBuf([]byte{1, 2, 3, 4})
	spiStart(t, 32)
	runFor(c, 10*time.Millisecond)
	if r32(spiReg(spiCMD)).Load()&spiCmdUSR == 0 || r32(spiReg(spiINTRAW)).Load()&spiIntDone != 0 {
		t.Fatal("a transfer without a clock completed")
	}
	if len(echo.Received()) != 0 {
		t.Error("the device was clocked without a clock")
	}
	// Only a peripheral reset ends it; with the clock back, transfers work again.
	rst := r32(0x600C_0018)
	rst.Store(rst.Load() | 1<<6)
	rst.Store(rst.Load() &^ (1 << 6))
	if r32(spiReg(spiCMD)).Load()&spiCmdUSR != 0 {
		t.Fatal("CMD.USR still set after the peripheral reset")
	}
	spiInit()
	spiWriteBuf([]byte{1, 2, 3, 4})
	spiStart(t, 32)
	runFor(c, 40*time.Microsecond)
	if r32(spiReg(spiCMD)).Load()&spiCmdUSR != 0 {
		t.Fatal("the transfer after the reset did not complete")
	}
	// The SYSTEM clock gate stops it the same way.
	clk := r32(0x600C_0010)
	clk.Store(clk.Load() &^ (1 << 6))
	spiStart(t, 32)
	runFor(c, time.Millisecond)
	if r32(spiReg(spiCMD)).Load()&spiCmdUSR == 0 {
		t.Error("a transfer with SPI2_CLK_EN clear completed")
	}
}

func BenchmarkSPITransfer32(b *testing.B) {
	c := newPeriphChip(b)
	c.SPI2().Attach(NewSPIEcho(true))
	spiInit()
	data := make([]byte, 32)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		spiWriteBuf(data)
		r32(spiReg(spiMSDLEN)).Store(255)
		r32(spiReg(spiINTCLR)).Store(spiIntDone)
		r32(spiReg(spiCMD)).Store(spiCmdUSR)
		runFor(c, 260*time.Microsecond)
		_ = spiReadBuf(32)
	}
}
