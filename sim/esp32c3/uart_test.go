package esp32c3

import (
	"bytes"
	"testing"
	"time"
)

func uartReg(n int, off uintptr) uintptr { return uartBases[n] + off }

// uartInit configures UART n as esp-hal does for 115200 baud 8N1 from the 40 MHz crystal:
// DIV_NUM = 0, CLKDIV = 347, FRAG = 3, RXFIFO_FULL_THRHD = 120, RX timeout of 10 symbols,
// TXFIFO_EMPTY_THRHD = 10, TX_IDLE_NUM = 0, then clears every interrupt.
func uartInit(n int) {
	r32(uartReg(n, uartCLKCONF)).Store(3<<20 | 1<<22 | 1<<24 | 1<<25)
	r32(uartReg(n, uartINTENA)).Store(0)
	r32(uartReg(n, uartINTCLR)).Store(0xFFFF_FFFF)
	r32(uartReg(n, uartCLKDIV)).Store(347 | 3<<20)
	r32(uartReg(n, uartID)).Store(r32(uartReg(n, uartID)).Load() | uartIDRegUpdate)
	r32(uartReg(n, uartCONF0)).Store(0x1000_0000 | 3<<2 | 1<<4 | uartConf0ErrWrMask)
	r32(uartReg(n, uartCONF1)).Store(120 | 10<<9 | uartConf1RxToutEn)
	r32(uartReg(n, uartMEMCONF)).Store(r32(uartReg(n, uartMEMCONF)).Load()&^(0x3FF<<16) | 100<<16)
	r32(uartReg(n, uartIDLECONF)).Store(r32(uartReg(n, uartIDLECONF)).Load() &^ (0x3FF << 10))
	r32(uartReg(n, uartINTCLR)).Store(0xFFFF_FFFF)
}

// bit115200 is one bit at 115200 baud from XTAL: (16·347+3)/16 / 40 MHz = 8679.6875 ns.
const bit115200 = 8679.6875

func frameNs(bits float64) time.Duration {
	d := bits * bit115200
	n := time.Duration(d)
	if float64(n) < d {
		n++
	}
	return n
}

func TestUARTResetValues(t *testing.T) {
	newPeriphChip(t)
	for n := 0; n < 2; n++ {
		wantR32(t, "INT_RAW", uartReg(n, uartINTRAW), 0x2) // TXFIFO_EMPTY: 0 bytes < 96
		wantR32(t, "CLKDIV", uartReg(n, uartCLKDIV), 0x2B6)
		wantR32(t, "STATUS", uartReg(n, uartSTATUS), 0xE000_C000)
		wantR32(t, "CONF0", uartReg(n, uartCONF0), 0x1000_001C)
		wantR32(t, "CONF1", uartReg(n, uartCONF1), 0xC060)
		wantR32(t, "CLK_CONF", uartReg(n, uartCLKCONF), 0x0370_1000)
		wantR32(t, "ID", uartReg(n, uartID), 0x4000_0500)
		wantR32(t, "FSM_STATUS", uartReg(n, uartFSMSTATUS), 0)
	}
}

func TestUARTFrameTiming(t *testing.T) {
	cases := []struct {
		name  string
		conf0 uint32
		bits  float64
		data  byte
	}{
		{"8N1", 3<<2 | 1<<4, 10, 'A'},
		{"8E1", 3<<2 | 1<<4 | uartConf0ParityEn, 11, 'A'},
		{"8O2", 3<<2 | 3<<4 | uartConf0ParityEn | 1, 12, 'A'},
		{"7N1", 2<<2 | 1<<4, 9, 'A' | 0x80},
		{"5N1.5", 0<<2 | 2<<4, 7.5, 0xFF},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newPeriphChip(t)
			uartInit(0)
			r32(uartReg(0, uartCONF0)).Store(0x1000_0000 | tc.conf0)
			runFor(c, time.Millisecond)
			r32(uartReg(0, uartFIFO)).Store(uint32(tc.data))
			if r32(uartReg(0, uartFSMSTATUS)).Load()>>4&0xF == 0 {
				t.Error("ST_UTX_OUT reads idle while a frame is on the line")
			}
			runFor(c, time.Millisecond)
			tx := c.UART(0).TX()
			if len(tx) != 1 {
				t.Fatalf("sent %d frames, want 1", len(tx))
			}
			want := TimedByte{Byte: tc.data & c.UART(0).dataMaskLocked(), Start: time.Millisecond, End: time.Millisecond + frameNs(tc.bits)}
			if tx[0] != want {
				t.Errorf("frame = %+v, want %+v (%.1f bits)", tx[0], want, tc.bits)
			}
		})
	}
}

func (u *UART) dataMaskLocked() byte {
	u.c.Lock()
	defer u.c.Unlock()
	return u.dataMask()
}

// TestUART115200FrameIs86_8us is the example: 10 bits at 115200 take 86.8 µs.
func TestUART115200FrameIs86_8us(t *testing.T) {
	c := newPeriphChip(t)
	uartInit(0)
	r32(uartReg(0, uartINTENA)).Store(uartIntTxDone)
	for _, b := range []byte("hi!") {
		r32(uartReg(0, uartFIFO)).Store(uint32(b))
	}
	// One byte went straight into the shift register; two wait in the FIFO.
	if got := r32(uartReg(0, uartSTATUS)).Load() >> 16 & 0x3FF; got != 2 {
		t.Errorf("TXFIFO_CNT = %d, want 2", got)
	}
	runFor(c, 86_796*time.Nanosecond)
	if len(c.UART(0).TX()) != 0 {
		t.Fatal("the first frame ended before 86.797 µs")
	}
	runFor(c, time.Nanosecond)
	tx := c.UART(0).TX()
	if len(tx) != 1 || tx[0].End != 86_797*time.Nanosecond {
		t.Fatalf("after 86.797 µs: %+v", tx)
	}
	if srcHigh(c, SourceUART0) {
		t.Error("TX_DONE raised while two bytes remain")
	}
	runFor(c, time.Millisecond)
	tx = c.UART(0).TX()
	if !bytes.Equal(c.UART(0).TXBytes(), []byte("hi!")) {
		t.Fatalf("TX = %q", c.UART(0).TXBytes())
	}
	// Frames within a transfer follow back to back.
	for i := 1; i < len(tx); i++ {
		if tx[i].Start != tx[i-1].End {
			t.Errorf("frame %d starts at %v, previous ended at %v", i, tx[i].Start, tx[i-1].End)
		}
	}
	if end := tx[2].End; end < 260_390*time.Nanosecond || end > 260_392*time.Nanosecond {
		t.Errorf("three frames end at %v, want 3 × 86.796875 µs", end)
	}
	raw := r32(uartReg(0, uartINTRAW)).Load()
	if raw&uartIntTxDone == 0 || !srcHigh(c, SourceUART0) {
		t.Fatalf("INT_RAW = %#x, line %v: want TX_DONE raised", raw, srcHigh(c, SourceUART0))
	}
	if r32(uartReg(0, uartFSMSTATUS)).Load() != 0 {
		t.Error("ST_UTX_OUT not idle after the last frame")
	}
	r32(uartReg(0, uartINTCLR)).Store(uartIntTxDone)
	if r32(uartReg(0, uartINTRAW)).Load()&uartIntTxDone != 0 || srcHigh(c, SourceUART0) {
		t.Fatal("INT_CLR did not clear TX_DONE")
	}
	if r32(uartReg(0, uartINTST)).Load() != 0 {
		t.Error("INT_ST not 0 after the clear")
	}
}

func TestUARTTXFIFOEmptyThreshold(t *testing.T) {
	c := newPeriphChip(t)
	uartInit(1)
	fifo := r32(uartReg(1, uartFIFO))
	for i := 0; i < 21; i++ {
		fifo.Store(uint32('a' + i))
	}
	status := r32(uartReg(1, uartSTATUS))
	if got := status.Load() >> 16 & 0x3FF; got != 20 {
		t.Fatalf("TXFIFO_CNT = %d, want 20", got)
	}
	r32(uartReg(1, uartINTCLR)).Store(uartIntTxEmpty)
	r32(uartReg(1, uartINTENA)).Store(uartIntTxEmpty)
	if r32(uartReg(1, uartINTRAW)).Load()&uartIntTxEmpty != 0 {
		t.Fatal("TXFIFO_EMPTY set with 20 bytes queued and a threshold of 10")
	}
	// After 10 frames, 10 bytes remain: not yet below the threshold.
	runFor(c, frameNs(100))
	if got := status.Load() >> 16 & 0x3FF; got != 10 {
		t.Fatalf("TXFIFO_CNT = %d after 10 frames, want 10", got)
	}
	if srcHigh(c, SourceUART1) {
		t.Fatal("TXFIFO_EMPTY raised at the threshold; the SVD says strictly less than")
	}
	runFor(c, frameNs(10))
	if !srcHigh(c, SourceUART1) {
		t.Fatal("TXFIFO_EMPTY not raised with 9 bytes left")
	}
	// The condition still holds, so a clear does not lower it.
	r32(uartReg(1, uartINTCLR)).Store(uartIntTxEmpty)
	if !srcHigh(c, SourceUART1) {
		t.Fatal("TXFIFO_EMPTY must re-assert while the FIFO stays below the threshold")
	}
	// Filling the FIFO past 128 drops bytes.
	for i := 0; i < 200; i++ {
		fifo.Store('z')
	}
	if got := status.Load() >> 16 & 0x3FF; got != 128 {
		t.Errorf("TXFIFO_CNT = %d after overfilling, want 128", got)
	}
	r32(uartReg(1, uartCONF0)).Store(r32(uartReg(1, uartCONF0)).Load() | uartConf0TxFIFORst)
	r32(uartReg(1, uartCONF0)).Store(r32(uartReg(1, uartCONF0)).Load() &^ uartConf0TxFIFORst)
	if got := status.Load() >> 16 & 0x3FF; got != 0 {
		t.Errorf("TXFIFO_CNT = %d after TXFIFO_RST, want 0", got)
	}
}

func TestUARTRXFeedCountsAndFullInterrupt(t *testing.T) {
	c := newPeriphChip(t)
	uartInit(0)
	u := c.UART(0)
	conf1 := r32(uartReg(0, uartCONF1))
	conf1.Store(conf1.Load()&^0x1FF | 4) // RXFIFO_FULL_THRHD = 4
	r32(uartReg(0, uartINTENA)).Store(uartIntRxFull)
	u.Feed([]byte("hello")...)
	status := r32(uartReg(0, uartSTATUS))
	if status.Load()&0x3FF != 0 {
		t.Fatal("bytes arrived before their frames crossed the line")
	}
	runFor(c, frameNs(40))
	if got := status.Load() & 0x3FF; got != 4 {
		t.Fatalf("RXFIFO_CNT = %d after 4 frames, want 4", got)
	}
	if srcHigh(c, SourceUART0) {
		t.Fatal("RXFIFO_FULL raised at 4 bytes with threshold 4; the SVD says more than")
	}
	runFor(c, frameNs(10))
	if !srcHigh(c, SourceUART0) || status.Load()&0x3FF != 5 {
		t.Fatalf("5 bytes: line %v, count %d", srcHigh(c, SourceUART0), status.Load()&0x3FF)
	}
	r32(uartReg(0, uartINTCLR)).Store(uartIntRxFull)
	if !srcHigh(c, SourceUART0) {
		t.Fatal("RXFIFO_FULL must re-assert after a clear while more than the threshold remains")
	}
	var got []byte
	for status.Load()&0x3FF > 0 {
		got = append(got, byte(r32(uartReg(0, uartFIFO)).Load()))
	}
	if string(got) != "hello" {
		t.Fatalf("read %q, want %q", got, "hello")
	}
	r32(uartReg(0, uartINTCLR)).Store(uartIntRxFull)
	if srcHigh(c, SourceUART0) {
		t.Fatal("RXFIFO_FULL still raised after draining and clearing")
	}
}

func TestUARTRXTimeout(t *testing.T) {
	c := newPeriphChip(t)
	uartInit(0)
	r32(uartReg(0, uartINTENA)).Store(uartIntRxTout)
	c.UART(0).Feed('a', 'b', 'c')
	// Back-to-back frames keep the line busy: no timeout between them.
	last := frameNs(30)
	runFor(c, last)
	if r32(uartReg(0, uartINTRAW)).Load()&uartIntRxTout != 0 {
		t.Fatal("RXFIFO_TOUT raised while frames were still arriving")
	}
	// RX_TOUT_THRHD = 100 bit times of idle after the last stop bit.
	tout := frameNs(30+100) - last
	runFor(c, tout-2)
	if srcHigh(c, SourceUART0) {
		t.Fatal("RXFIFO_TOUT raised before 100 idle bit times")
	}
	runFor(c, 2)
	if !srcHigh(c, SourceUART0) {
		t.Fatalf("RXFIFO_TOUT not raised after 100 idle bit times (INT_RAW %#x)", r32(uartReg(0, uartINTRAW)).Load())
	}
	r32(uartReg(0, uartINTCLR)).Store(uartIntRxTout)
	// A threshold shorter than a frame (TinyGo uses 2 bit times) still does not fire
	// between back-to-back frames: the next start bit follows the stop bit at once.
	memconf := r32(uartReg(0, uartMEMCONF))
	memconf.Store(memconf.Load()&^(0x3FF<<16) | 2<<16)
	c.UART(0).Feed('x', 'y', 'z')
	start := c.Now()
	for c.Now()-start < frameNs(30) {
		runFor(c, time.Microsecond)
		if c.Now()-start < frameNs(30) && r32(uartReg(0, uartINTRAW)).Load()&uartIntRxTout != 0 {
			t.Fatalf("RXFIFO_TOUT raised at %v, inside a run of back-to-back frames", c.Now()-start)
		}
	}
	runFor(c, frameNs(3))
	if r32(uartReg(0, uartINTRAW)).Load()&uartIntRxTout == 0 {
		t.Fatal("RXFIFO_TOUT not raised 2 bit times after the run")
	}
	for r32(uartReg(0, uartSTATUS)).Load()&0x3FF > 0 {
		r32(uartReg(0, uartFIFO)).Load()
	}
	r32(uartReg(0, uartINTCLR)).Store(uartIntRxTout)
	// Draining the FIFO before the timeout means no timeout.
	c.UART(0).Feed('d')
	runFor(c, frameNs(10))
	r32(uartReg(0, uartCONF0)).Store(r32(uartReg(0, uartCONF0)).Load() | uartConf0RxFIFORst)
	r32(uartReg(0, uartCONF0)).Store(r32(uartReg(0, uartCONF0)).Load() &^ uartConf0RxFIFORst)
	runFor(c, time.Millisecond)
	if r32(uartReg(0, uartINTRAW)).Load()&uartIntRxTout != 0 {
		t.Fatal("RXFIFO_TOUT raised with an empty RX FIFO")
	}
}

func TestUARTRXOverflowAndErrors(t *testing.T) {
	c := newPeriphChip(t)
	uartInit(1)
	u := c.UART(1)
	data := make([]byte, 130)
	for i := range data {
		data[i] = byte(i)
	}
	u.Feed(data...)
	runFor(c, frameNs(10*130))
	if got := r32(uartReg(1, uartSTATUS)).Load() & 0x3FF; got != 128 {
		t.Fatalf("RXFIFO_CNT = %d, want 128", got)
	}
	if r32(uartReg(1, uartINTRAW)).Load()&uartIntRxOvf == 0 {
		t.Fatal("RXFIFO_OVF not raised")
	}
	r32(uartReg(1, uartCONF0)).Store(r32(uartReg(1, uartCONF0)).Load() | uartConf0RxFIFORst)
	r32(uartReg(1, uartCONF0)).Store(r32(uartReg(1, uartCONF0)).Load()&^uartConf0RxFIFORst | uartConf0ParityEn)
	r32(uartReg(1, uartINTCLR)).Store(0xFFFF_FFFF)

	// ERR_WR_MASK (set by uartInit) keeps faulty bytes out of the FIFO.
	u.FeedFault('p', ParityFault)
	u.FeedFault('f', FramingFault)
	u.Feed('k')
	u.FeedFault(0x55, Break)
	runFor(c, frameNs(11*4))
	raw := r32(uartReg(1, uartINTRAW)).Load()
	for _, bit := range []uint32{uartIntParityErr, uartIntFrmErr, uartIntBrkDet} {
		if raw&bit == 0 {
			t.Errorf("INT_RAW = %#x lacks %#x", raw, bit)
		}
	}
	if got := r32(uartReg(1, uartSTATUS)).Load() & 0x3FF; got != 1 {
		t.Fatalf("RXFIFO_CNT = %d, want only the good byte", got)
	}
	if b := r32(uartReg(1, uartFIFO)).Load(); b != 'k' {
		t.Errorf("FIFO = %q, want 'k'", b)
	}
	// Without ERR_WR_MASK the faulty byte is stored too.
	r32(uartReg(1, uartCONF0)).Store(r32(uartReg(1, uartCONF0)).Load() &^ uartConf0ErrWrMask)
	u.FeedFault('q', ParityFault)
	runFor(c, frameNs(11))
	if b := r32(uartReg(1, uartFIFO)).Load(); b != 'q' {
		t.Errorf("FIFO = %q, want the faulty 'q'", b)
	}
}

func TestUARTLoopback(t *testing.T) {
	c := newPeriphChip(t)
	uartInit(1)
	r32(uartReg(1, uartCONF0)).Store(r32(uartReg(1, uartCONF0)).Load() | uartConf0Loopback)
	for _, b := range []byte("ok") {
		r32(uartReg(1, uartFIFO)).Store(uint32(b))
	}
	runFor(c, frameNs(20))
	var got []byte
	for r32(uartReg(1, uartSTATUS)).Load()&0x3FF > 0 {
		got = append(got, byte(r32(uartReg(1, uartFIFO)).Load()))
	}
	if string(got) != "ok" {
		t.Fatalf("looped back %q, want %q", got, "ok")
	}
}

func TestUARTTXIdleGapBetweenTransfers(t *testing.T) {
	c := newPeriphChip(t)
	uartInit(0)
	idle := r32(uartReg(0, uartIDLECONF))
	idle.Store(idle.Load()&^(0x3FF<<10) | 20<<10) // TX_IDLE_NUM = 20 bit times
	r32(uartReg(0, uartFIFO)).Store('1')
	runFor(c, frameNs(12)) // the frame ends at 10 bits; 2 bit times later, send again
	r32(uartReg(0, uartFIFO)).Store('2')
	if got := r32(uartReg(0, uartSTATUS)).Load() >> 16 & 0x3FF; got != 1 {
		t.Errorf("TXFIFO_CNT = %d while waiting for the idle gap, want 1", got)
	}
	runFor(c, time.Millisecond)
	tx := c.UART(0).TX()
	if len(tx) != 2 {
		t.Fatalf("frames: %+v", tx)
	}
	if gap := tx[1].Start - tx[0].End; gap < frameNs(20)-1 || gap > frameNs(20)+1 {
		t.Errorf("gap between transfers = %v, want 20 bit times (%v)", gap, frameNs(20))
	}
}

func TestUARTATCmdCharDetect(t *testing.T) {
	c := newPeriphChip(t)
	uartInit(0)
	u := c.UART(0)
	// Reset AT_CMD settings: '+' three times, 2305 idle bits before and after, 11-bit gaps.
	runFor(c, frameNs(2400))
	u.Feed('+', '+', '+')
	runFor(c, frameNs(30+2305+1))
	if r32(uartReg(0, uartINTRAW)).Load()&uartIntATCmdChar == 0 {
		t.Fatal("AT_CMD_CHAR_DET not raised for +++ framed by idle time")
	}
	r32(uartReg(0, uartINTCLR)).Store(uartIntATCmdChar)
	runFor(c, frameNs(2400))
	u.Feed('+', '+', '+', 'x')
	runFor(c, frameNs(40+2400))
	if r32(uartReg(0, uartINTRAW)).Load()&uartIntATCmdChar != 0 {
		t.Fatal("AT_CMD_CHAR_DET raised although data followed the +++ at once")
	}
}

func TestUARTRegUpdateCompletesAtOnce(t *testing.T) {
	newPeriphChip(t)
	id := r32(uartReg(0, uartID))
	id.Store(id.Load() | uartIDRegUpdate)
	if id.Load()&uartIDRegUpdate != 0 {
		t.Fatal("ID.REG_UPDATE still set: esp-hal's sync_regs would spin forever")
	}
	if id.Load() != 0x4000_0500 {
		t.Errorf("ID = %#x, want the other bits kept", id.Load())
	}
}

// BenchmarkUARTByteRoundTrip measures, in host time, one byte through the loopback: a FIFO
// write, the frame's virtual time passing, and the FIFO read on the other side.
func BenchmarkUARTByteRoundTrip(b *testing.B) {
	c := newPeriphChip(b)
	uartInit(0)
	r32(uartReg(0, uartCONF0)).Store(r32(uartReg(0, uartCONF0)).Load() | uartConf0Loopback)
	fifo, status := r32(uartReg(0, uartFIFO)), r32(uartReg(0, uartSTATUS))
	frame := frameNs(10)
	c.UART(0).OnTX(func(TimedByte) {})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fifo.Store(uint32(i))
		runFor(c, frame)
		if status.Load()&0x3FF != 1 || fifo.Load() != uint32(byte(i)) {
			b.Fatal("byte did not come back")
		}
		if i%1024 == 0 {
			c.UART(0).TakeTX()
		}
	}
}

// BenchmarkUARTFeed measures feeding and receiving one byte from the test side.
func BenchmarkUARTFeed(b *testing.B) {
	c := newPeriphChip(b)
	uartInit(1)
	u := c.UART(1)
	fifo := r32(uartReg(1, uartFIFO))
	frame := frameNs(10)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u.Feed(byte(i))
		runFor(c, frame)
		if fifo.Load() != uint32(byte(i)) {
			b.Fatal("byte lost")
		}
	}
}

// TestUARTEchoFirmware runs a polling UART echo as firmware on the simulated core: the
// bytes fed to RX come back on TX, each one frame after it arrived.
func TestUARTEchoFirmware(t *testing.T) {
	c := newPeriphChip(t)
	uartInit(0)
	c.UART(0).Feed([]byte("ping")...)
	err := c.Run(func() {
		status, fifo := r32(uartReg(0, uartSTATUS)), r32(uartReg(0, uartFIFO))
		for n := 0; n < 4; {
			if status.Load()&0x3FF > 0 {
				fifo.Store(fifo.Load())
				n++
			}
		}
		for status.Load()>>16&0x3FF != 0 || r32(uartReg(0, uartFSMSTATUS)).Load() != 0 {
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	tx := c.UART(0).TX()
	if got := c.UART(0).TXBytes(); string(got) != "ping" {
		t.Fatalf("echoed %q", got)
	}
	// Each echo starts within a few register accesses of its byte's arrival.
	for i, f := range tx {
		arrived := frameNs(float64(10 * (i + 1)))
		if f.Start < arrived || f.Start > arrived+frameNs(10)+2*time.Microsecond {
			t.Errorf("echo %d starts at %v; its byte arrived at %v", i, f.Start, arrived)
		}
	}
}

func TestUARTReplyAndMirror(t *testing.T) {
	c := newPeriphChip(t)
	uartInit(1)
	u := c.UART(1)
	var console bytes.Buffer
	u.Mirror(&console)
	// A device on the line answers "AT" with "OK" once it has seen the 'T'.
	u.Reply(func(tb TimedByte) []byte {
		if tb.Byte == 'T' {
			return []byte("OK")
		}
		return nil
	})
	for _, b := range []byte("AT") {
		r32(uartReg(1, uartFIFO)).Store(uint32(b))
	}
	runFor(c, frameNs(20))
	if got := r32(uartReg(1, uartSTATUS)).Load() & 0x3FF; got != 0 {
		t.Fatalf("RXFIFO_CNT = %d as the 'T' ends, want 0: the reply crosses the line after it", got)
	}
	runFor(c, frameNs(20)+time.Nanosecond)
	var got []byte
	for r32(uartReg(1, uartSTATUS)).Load()&0x3FF > 0 {
		got = append(got, byte(r32(uartReg(1, uartFIFO)).Load()))
	}
	if string(got) != "OK" || console.String() != "AT" {
		t.Errorf("received %q (want OK), console %q (want AT)", got, console.String())
	}
}
