package esp32c3

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func twaiReg(off uintptr) uintptr { return twaiBase + off }

func twaiW(off uintptr, v uint32) { r32(twaiReg(off)).Store(v) }

func twaiR(off uintptr) uint32 { return r32(twaiReg(off)).Load() }

// twaiSetup configures 500 kbit/s (BRP 8, 1+15+4 tq: 2 µs per bit), accept-all single
// filter and the mode bits, then leaves reset mode.
func twaiSetup(t *testing.T, mode uint32) (*Chip, *TWAI) {
	c := newPeriphChip(t)
	twaiW(twaiBT0, 3|2<<14)
	twaiW(twaiBT1, 14|3<<4)
	for i := 4; i < 8; i++ {
		twaiW(twaiData0+uintptr(i)*4, 0xFF)
	}
	twaiW(twaiMode, twaiModeReset|twaiModeAFM|mode)
	twaiW(twaiMode, twaiModeAFM|mode)
	return c, c.TWAI()
}

// twaiLoad writes a standard data frame into the TX buffer.
func twaiLoad(id uint32, data ...byte) {
	twaiW(twaiData0, uint32(len(data)))
	twaiW(twaiData0+4, id>>3)
	twaiW(twaiData0+8, id<<5&0xE0)
	for i, b := range data {
		twaiW(twaiData0+12+uintptr(i)*4, uint32(b))
	}
}

func TestTWAIResetValues(t *testing.T) {
	newPeriphChip(t)
	wantR32(t, "MODE", twaiReg(twaiMode), 1)
	wantR32(t, "STATUS", twaiReg(twaiStatus), twaiStTXBuf)
	wantR32(t, "ERR_WARNING_LIMIT", twaiReg(twaiEWL), 96)
	wantR32(t, "RX_MESSAGE_CNT", twaiReg(twaiRXMsgCnt), 0)
}

func TestTWAIFrameBits(t *testing.T) {
	// Without stuff bits a standard data frame is 47+8n bits (3 of intermission
	// included), an extended one 67+8n; stuffing adds at most one bit per 4 after the first.
	for _, f := range []TWAIFrame{
		{ID: 0x555, Data: []byte{0x55}},
		{ID: 0, Data: []byte{0, 0, 0, 0, 0, 0, 0, 0}},
		{ID: 0x1ABCDEF, Extended: true, Data: []byte{1, 2, 3}},
		{ID: 0x7FF, Remote: true, DLC: 8},
	} {
		base := 47
		if f.Extended {
			base = 67
		}
		if !f.Remote {
			base += 8 * len(f.Data)
		}
		n := TWAIFrameBits(f)
		assert.GreaterOrEqual(t, n, base, "%+v", f)
		assert.LessOrEqual(t, n, base+(base-13)/4, "%+v", f)
	}
	// Eight zero bytes with ID 0: long runs of dominant bits, many stuff bits.
	assert.Greater(t, TWAIFrameBits(TWAIFrame{Data: make([]byte, 8)}), 111+15)
}

// TestTWAIRoundTrip: a frame the chip sends reaches the node after its bit time on the bus;
// a frame the node sends lands in the RX FIFO.
func TestTWAIRoundTrip(t *testing.T) {
	c, tw := twaiSetup(t, 0)
	assert.Equal(t, 2*time.Microsecond, tw.BitTime())
	twaiW(twaiIntEna, twaiIntRX|twaiIntTX)
	twaiLoad(0x123, 1, 2, 3)
	start := c.Now()
	twaiW(twaiCmd, twaiCmdTX)
	assert.Zero(t, twaiR(twaiStatus)&twaiStTXBuf, "the TX buffer is locked")
	assert.NotZero(t, twaiR(twaiStatus)&twaiStTX)
	runFor(c, time.Millisecond)
	rx := tw.Received()
	require.Len(t, rx, 1)
	assert.Equal(t, TWAIFrame{ID: 0x123, DLC: 3, Data: []byte{1, 2, 3}}, rx[0])
	bus := tw.Bus()
	require.Len(t, bus, 1)
	assert.Equal(t, time.Duration(TWAIFrameBits(rx[0]))*2*time.Microsecond, bus[0].End-start)
	assert.Equal(t, uint32(twaiStTXBuf|twaiStTXDone), twaiR(twaiStatus))
	assert.True(t, srcHigh(c, SourceTWAI0))
	assert.Equal(t, uint32(twaiIntTX), twaiR(twaiIntRaw))
	assert.Zero(t, twaiR(twaiIntRaw), "INT_RAW clears when read")
	assert.False(t, srcHigh(c, SourceTWAI0))

	tw.Send(TWAIFrame{ID: 0x1ABCDEF, Extended: true, Data: []byte{9, 8}})
	tw.Send(TWAIFrame{ID: 0x42, Remote: true, DLC: 4})
	runFor(c, time.Millisecond)
	assert.Equal(t, uint32(2), twaiR(twaiRXMsgCnt))
	assert.True(t, srcHigh(c, SourceTWAI0))
	var got [7]uint32
	for i := range got {
		got[i] = twaiR(twaiData0 + uintptr(i)*4)
	}
	assert.Equal(t, [7]uint32{0x82, 0x1ABCDEF >> 21 & 0xFF, 0x1ABCDEF >> 13 & 0xFF, 0x1ABCDEF >> 5 & 0xFF, 0x1ABCDEF << 3 & 0xF8, 9, 8}, got)
	assert.Equal(t, uint32(twaiIntRX), twaiR(twaiIntRaw))
	assert.Equal(t, uint32(twaiIntRX), twaiR(twaiIntRaw), "RX stays while the FIFO holds a message")
	twaiW(twaiCmd, twaiCmdRelease)
	assert.Equal(t, uint32(0x44), twaiR(twaiData0), "remote, DLC 4")
	assert.Equal(t, uint32(0x42>>3), twaiR(twaiData0+4))
	assert.Equal(t, uint32(0x42<<5&0xE0|0x10), twaiR(twaiData0+8), "ID2..0 and RTR")
	twaiW(twaiCmd, twaiCmdRelease)
	assert.Zero(t, twaiR(twaiRXMsgCnt))
	assert.False(t, srcHigh(c, SourceTWAI0))
}

// TestTWAIFilterAndOverrun: a dual standard filter takes two IDs; the 64-byte FIFO holds
// six 11-byte messages, the seventh overruns.
func TestTWAIFilterAndOverrun(t *testing.T) {
	c := newPeriphChip(t)
	tw := c.TWAI()
	twaiW(twaiBT0, 3)
	twaiW(twaiBT1, 14|3<<4)
	// filter 1: ID 0x100 exactly (RTR don't care); filter 2: IDs 0x200..0x207.
	acr := [4]uint32{0x100 >> 3, 0, 0x200 >> 3, 0}
	amr := [4]uint32{0, 0x1F, 0, 0xFF}
	for i := 0; i < 4; i++ {
		twaiW(twaiData0+uintptr(i)*4, acr[i])
		twaiW(twaiData0+uintptr(4+i)*4, amr[i])
	}
	twaiW(twaiMode, 0)
	for _, id := range []uint32{0x100, 0x101, 0x205, 0x210, 0x1FF} {
		tw.Send(TWAIFrame{ID: id, Data: []byte{0xAA}})
	}
	runFor(c, 2*time.Millisecond)
	assert.Len(t, tw.Bus(), 5)
	require.Equal(t, uint32(2), twaiR(twaiRXMsgCnt))
	assert.Equal(t, uint32(0x100>>3), twaiR(twaiData0+4))
	twaiW(twaiCmd, twaiCmdRelease)
	assert.Equal(t, uint32(0x205>>3), twaiR(twaiData0+4))
	twaiW(twaiCmd, twaiCmdRelease)

	for i := 0; i < 7; i++ {
		tw.Send(TWAIFrame{ID: 0x100, Data: make([]byte, 8)})
	}
	runFor(c, 3*time.Millisecond)
	assert.Equal(t, uint32(5), twaiR(twaiRXMsgCnt), "5 × 11 bytes fit in 64")
	assert.NotZero(t, twaiR(twaiStatus)&twaiStOverrun)
	assert.NotZero(t, twaiR(twaiIntRaw)&twaiIntOverrun)
	twaiW(twaiCmd, twaiCmdClrOvr)
	assert.Zero(t, twaiR(twaiStatus)&twaiStOverrun)
}

// TestTWAINoAck: alone on the bus the chip climbs to error-passive (TEC 128) and stays; a
// node answering with error frames drives it bus-off; leaving reset mode recovers it after
// 128 × 11 recessive bits.
func TestTWAINoAck(t *testing.T) {
	c, tw := twaiSetup(t, 0)
	tw.SetAck(TWAIAckNone)
	twaiLoad(0x10, 1)
	twaiW(twaiCmd, twaiCmdTX)
	runFor(c, 20*time.Millisecond)
	tec, _ := tw.Counters()
	assert.Equal(t, 128, tec)
	assert.Empty(t, tw.Received())
	raw := twaiR(twaiIntRaw)
	assert.NotZero(t, raw&twaiIntPassive)
	assert.NotZero(t, raw&twaiIntErrWarn)
	assert.NotZero(t, raw&twaiIntBusErr)
	assert.Equal(t, uint32(3<<6|0x19), twaiR(twaiECC), "ACK error in the ACK slot, transmitting")
	assert.NotZero(t, twaiR(twaiStatus)&twaiStErr)

	tw.SetAck(TWAIAckNoneErrorFrame)
	runFor(c, 20*time.Millisecond)
	assert.True(t, tw.BusOff())
	st := twaiR(twaiStatus)
	assert.NotZero(t, st&twaiStBusOff)
	assert.NotZero(t, st&twaiStTXBuf, "the TX buffer is released")
	assert.Zero(t, st&twaiStTXDone)
	assert.Equal(t, uint32(1), twaiR(twaiMode)&1, "bus-off sets RESET_MODE")
	assert.Equal(t, uint32(127), twaiR(twaiTXErr))
	assert.NotZero(t, twaiR(twaiIntRaw)&twaiIntErrWarn)

	tw.SetAck(TWAIAckAll)
	twaiW(twaiMode, 0)
	start := c.Now()
	runFor(c, 700*2*time.Microsecond)
	tec, _ = tw.Counters()
	assert.InDelta(t, 127-700/11, tec, 1, "TEC counts the idle sequences down")
	assert.True(t, tw.BusOff())
	runFor(c, 1408*2*time.Microsecond-(c.Now()-start))
	assert.False(t, tw.BusOff())
	assert.Zero(t, twaiR(twaiStatus)&(twaiStBusOff|twaiStErr))
	assert.Zero(t, twaiR(twaiTXErr))
	raw = twaiR(twaiIntRaw)
	assert.NotZero(t, raw&twaiIntErrWarn)
}

// TestTWAIInjectedErrors: an error hits the node's frame: REC rises, BUS_ERR latches with a
// receive-direction code, and the node's retry gets through.
func TestTWAIInjectedErrors(t *testing.T) {
	c, tw := twaiSetup(t, 0)
	tw.InjectError(TWAIStuffError)
	tw.InjectError(TWAICRCError)
	tw.Send(TWAIFrame{ID: 0x7, Data: []byte{1}})
	runFor(c, 2*time.Millisecond)
	bus := tw.Bus()
	require.Len(t, bus, 3)
	assert.Equal(t, TWAIStuffError, bus[0].Error)
	assert.Equal(t, TWAICRCError, bus[1].Error)
	assert.Equal(t, TWAINoError, bus[2].Error)
	assert.Equal(t, uint32(1), twaiR(twaiRXMsgCnt))
	assert.Equal(t, uint32(1), twaiR(twaiRXErr), "2 errors, then 1 success")
	assert.NotZero(t, twaiR(twaiIntRaw)&twaiIntBusErr)
	assert.Equal(t, uint32(3<<6|1<<5|0x08), twaiR(twaiECC))

	tw.InjectError(TWAIBitError)
	twaiLoad(0x8)
	twaiW(twaiCmd, twaiCmdTX)
	runFor(c, time.Millisecond)
	tec, _ := tw.Counters()
	assert.Equal(t, 7, tec, "+8 for the bit error, -1 for the retry")
	assert.Len(t, tw.Received(), 1)
}

// TestTWAISelfTest: in self-test mode with SELF_RX_REQ the chip receives its own frame and
// needs no ACK.
func TestTWAISelfTest(t *testing.T) {
	c, tw := twaiSetup(t, twaiModeSTM)
	tw.SetAck(TWAIAckNone)
	twaiLoad(0x55, 7, 7)
	twaiW(twaiCmd, twaiCmdSelfRX)
	runFor(c, time.Millisecond)
	assert.NotZero(t, twaiR(twaiStatus)&twaiStTXDone)
	assert.Equal(t, uint32(1), twaiR(twaiRXMsgCnt))
	assert.Equal(t, uint32(2), twaiR(twaiData0))
	tec, _ := tw.Counters()
	assert.Zero(t, tec)
}

// TestTWAIArbitration: chip and node ready together: the lower ID goes first.
func TestTWAIArbitration(t *testing.T) {
	c, tw := twaiSetup(t, 0)
	tw.Send(TWAIFrame{ID: 0x300})
	twaiLoad(0x301)
	twaiW(twaiCmd, twaiCmdTX) // the bus is busy with the node's first frame
	tw.Send(TWAIFrame{ID: 0x100})
	runFor(c, 2*time.Millisecond)
	bus := tw.Bus()
	require.Len(t, bus, 3)
	assert.Equal(t, uint32(0x300), bus[0].Frame.ID)
	assert.Equal(t, uint32(0x100), bus[1].Frame.ID, "0x100 wins over the chip's 0x301")
	assert.True(t, bus[2].FromChip)
	assert.NotZero(t, twaiR(twaiIntRaw)&twaiIntArbLost)
}
