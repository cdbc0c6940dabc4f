package esp32c3

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Register-level tests of the RMT model: the test plays the firmware with r32.

const (
	rmtRegConf0Ch0 = rmtBase + rmtCH0CONF0
	rmtRegIntRaw   = rmtBase + rmtINTRAW
	rmtRegIntEna   = rmtBase + rmtINTENA
	rmtRegIntClr   = rmtBase + rmtINTCLR
)

func rmtWord(d0 uint32, l0 bool, d1 uint32, l1 bool) uint32 {
	w := d0 | d1<<16
	if l0 {
		w |= 1 << 15
	}
	if l1 {
		w |= 1 << 31
	}
	return w
}

// rmtSetup switches the RMT on as the driver does and routes TX channel ch to pad.
func rmtSetup(c *Chip, ch, pad int) {
	r32(0x600C_0010).Store(r32(0x600C_0010).Load() | 1<<rmtResetBit)
	r32(rmtBase + rmtSYSCONF).Store(1 | 1<<24 | 1<<26 | 1<<31) // FIFO mask, APB, undivided
	r32(gpioBase + gpioFUNCOUT0 + 4*uintptr(pad)).Store(uint32(rmtSigOut0 + ch))
	r32(gpioBase + gpioENABLEW1TS).Store(1 << pad)
}

func TestRMTTransmitsWordsOnThePadAndRaisesTXEnd(t *testing.T) {
	c := newPeriphChip(t)
	rmtSetup(c, 0, 7)
	w := c.GPIO().Watch(7)
	ram := uintptr(rmtBase + rmtRAM)
	r32(ram).Store(rmtWord(8, true, 4, false))     // 8 ticks high, 4 low
	r32(ram + 4).Store(rmtWord(2, true, 0, false)) // 2 high, then the end
	r32(rmtRegIntEna).Store(1)                     // TX_END of channel 0
	conf := uint32(80<<8 | 1<<16 | rmtTxIdleEn)    // 1 µs ticks, idle low
	r32(rmtRegConf0Ch0).Store(conf)
	start := c.Now()
	r32(rmtRegConf0Ch0).Store(conf | rmtTxMemRdRst | rmtTxStart)
	runFor(c, 30*time.Microsecond)
	us := time.Microsecond
	var got []Edge
	for _, e := range w.Edges() {
		got = append(got, Edge{e.Pin, e.Level, e.At - start})
	}
	assert.Equal(t, []Edge{{7, true, 0}, {7, false, 8 * us}, {7, true, 12 * us}, {7, false, 14 * us}}, got)
	assert.Equal(t, uint32(1), r32(rmtRegIntRaw).Load())
	assert.True(t, srcHigh(c, sourceRMT), "TX_END enabled: the line is high")
	r32(rmtRegIntClr).Store(1)
	assert.False(t, srcHigh(c, sourceRMT))
	tr := c.RMT().Transmissions(0)
	require.Len(t, tr, 1)
	assert.Equal(t, RMTTransmission{Channel: 0, Start: start, End: start + 14*us, Codes: 2, Rounds: 1}, tr[0])
}

func TestRMTThresholdEventsLetFirmwareRefillAWrappingChannel(t *testing.T) {
	c := newPeriphChip(t)
	rmtSetup(c, 1, 3)
	w := c.GPIO().Watch(3)
	ram := uintptr(rmtBase + rmtRAM + 4*rmtWordsPerChannel) // channel 1's block
	const total = 100                                       // words, then the end code
	next := 0
	put := func(i int) {
		v := rmtWord(1, true, 1, false)
		if next >= total {
			v = 0
		}
		r32(ram + 4*uintptr(i%rmtWordsPerChannel)).Store(v)
		next++
	}
	for i := 0; i < rmtWordsPerChannel; i++ {
		put(i)
	}
	r32(rmtBase + rmtTXLIM0 + 4).Store(24)
	conf := uint32(80<<8 | 1<<16 | rmtTxWrap | rmtTxIdleEn)
	r32(rmtBase + rmtCH0CONF0 + 4).Store(conf | rmtTxMemRdRst | rmtTxStart)
	refills := 0
	for i := 0; i < 400 && r32(rmtRegIntRaw).Load()&2 == 0; i++ {
		runFor(c, time.Microsecond)
		if r32(rmtRegIntRaw).Load()&(1<<9) != 0 {
			r32(rmtRegIntClr).Store(1 << 9)
			off := 0
			if refills%2 == 1 {
				off = 24
			}
			for k := 0; k < 24; k++ {
				put(off + k)
			}
			refills++
		}
	}
	require.NotZero(t, r32(rmtRegIntRaw).Load()&2, "TX_END of channel 1")
	assert.Equal(t, 2*total, len(w.Edges()), "100 pulses")
	assert.Equal(t, 4, refills, "thresholds at words 24, 48, 72 and 96")
	assert.Zero(t, r32(rmtRegIntRaw).Load()&(1<<5), "no ERR")
}

func TestRMTWithoutWrapStopsWithErrAtTheEndOfItsRAM(t *testing.T) {
	c := newPeriphChip(t)
	rmtSetup(c, 0, 2)
	for i := 0; i < rmtWordsPerChannel; i++ {
		r32(rmtBase + rmtRAM + 4*uintptr(i)).Store(rmtWord(1, true, 1, false))
	}
	r32(rmtRegConf0Ch0).Store(80<<8 | 1<<16 | rmtTxMemRdRst | rmtTxStart)
	runFor(c, 200*time.Microsecond)
	assert.Equal(t, uint32(1<<4), r32(rmtRegIntRaw).Load()&0x11, "ERR, not TX_END")
	assert.False(t, c.RMT().Busy(0))
}

func TestRMTReceiverDecodesAPadIntoCodes(t *testing.T) {
	c := newPeriphChip(t)
	g := c.GPIO()
	g.Drive(9, false) // the line idles low before the receiver starts
	r32(0x600C_0010).Store(r32(0x600C_0010).Load() | 1<<rmtResetBit)
	r32(rmtBase + rmtSYSCONF).Store(1 | 1<<24 | 1<<26 | 1<<31)
	r32(gpioBase + gpioFUNCIN0 + 4*rmtSigOut0).Store(1<<6 | 9) // RMT_SIG_IN0 from GPIO9
	r32(rmtBase + rmtCH2CONF0).Store(80 | 500<<8 | 1<<23)      // 1 µs ticks, idle after 500
	r32(rmtBase + rmtCH2CONF0 + 4).Store(rmtRxEn | rmtRxMemOwner | rmtRxMemWrRst)
	at := c.Now() + 10*time.Microsecond
	us := time.Microsecond
	g.DriveAt(at, 9, true)
	g.DriveAt(at+30*us, 9, false)
	g.DriveAt(at+40*us, 9, true)
	g.DriveAt(at+40*us+5*time.Nanosecond, 9, false) // a glitch shorter than a tick
	g.DriveAt(at+50*us, 9, true)
	g.DriveAt(at+57*us, 9, false)
	runFor(c, time.Millisecond)
	require.Equal(t, uint32(1<<2), r32(rmtRegIntRaw).Load(), "RX_END of channel 2")
	ram := uintptr(rmtBase + rmtRAM + 2*4*rmtWordsPerChannel)
	assert.Equal(t, rmtWord(30, true, 20, false), r32(ram).Load(), "the glitch is absorbed")
	assert.Equal(t, rmtWord(7, true, 0, false), r32(ram+4).Load(), "the idle level ends the frame")
}
