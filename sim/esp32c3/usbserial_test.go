package esp32c3

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func usbReg(off uintptr) uintptr { return usbBase + off }

func usbPut(data []byte) {
	for _, b := range data {
		r32(usbReg(usbEP1)).Store(uint32(b))
	}
}

func usbConf() uint32 { return r32(usbReg(usbEP1Conf)).Load() }

func usbWrDoneReg() { r32(usbReg(usbEP1Conf)).Store(usbWrDone) }

// usbDrain reads EP1 while SERIAL_OUT_EP_DATA_AVAIL is set.
func usbDrain() []byte {
	var out []byte
	for usbConf()&usbDataAvail != 0 {
		out = append(out, byte(r32(usbReg(usbEP1)).Load()))
	}
	return out
}

const usbSlot = time.Millisecond / DefaultPacketsPerFrame

func TestUSBSerialResetValues(t *testing.T) {
	newPeriphChip(t)
	wantR32(t, "EP1_CONF", usbReg(usbEP1Conf), usbDataFree)
	wantR32(t, "INT_RAW", usbReg(usbIntRaw), usbIntInEmpty)
	wantR32(t, "INT_ENA", usbReg(usbIntEna), 0)
	wantR32(t, "FRAM_NUM", usbReg(usbFramNum), 0)
}

// TestUSBSerialPartialPacketNeedsWrDone: bytes in the IN FIFO reach the host only once
// WR_DONE commits them, and then at the next transaction slot.
func TestUSBSerialPartialPacketNeedsWrDone(t *testing.T) {
	c := newPeriphChip(t)
	u := c.USBSerial()
	u.Attach()
	usbPut([]byte("hello"))
	assert.Equal(t, uint32(5<<2), r32(usbReg(usbInEP1St)).Load(), "IN_EP1_ST.WR_ADDR counts the FIFO")
	r32(usbReg(usbIntClr)).Store(usbIntInEmpty)
	assert.Zero(t, r32(usbReg(usbIntRaw)).Load()&usbIntInEmpty, "the FIFO is not empty: not latched again")
	runFor(c, 10*time.Millisecond)
	assert.Empty(t, u.Read(), "no WR_DONE: nothing sent")
	assert.NotZero(t, usbConf()&usbDataFree, "5 bytes leave room")

	usbWrDoneReg()
	commitAt := c.Now()
	assert.Zero(t, usbConf()&usbDataFree, "after WR_DONE, DATA_FREE is 0 until the host reads")
	runFor(c, 2*usbSlot)
	assert.Equal(t, "hello", string(u.Read()))
	p := u.Packets()
	require.Len(t, p, 1)
	assert.Greater(t, p[0].At, commitAt)
	assert.LessOrEqual(t, p[0].At, commitAt+usbSlot)
	assert.Zero(t, p[0].At%usbSlot, "the host reads at a slot of the frame grid")
	assert.NotZero(t, usbConf()&usbDataFree)
	assert.NotZero(t, r32(usbReg(usbIntRaw)).Load()&usbIntInEmpty, "SERIAL_IN_EMPTY once the host has read")
	assert.Equal(t, uint32(10), r32(usbReg(usbFramNum)).Load()&0x7FF, "10 frames since attach")
}

// TestUSBSerialFullFIFOCommits: the 64th byte commits the packet by itself; bytes written
// while the packet waits for the host are lost.
func TestUSBSerialFullFIFOCommits(t *testing.T) {
	c := newPeriphChip(t)
	u := c.USBSerial()
	u.Attach()
	data := bytes.Repeat([]byte("0123456789abcdef"), 5) // 80 bytes
	usbPut(data[:64])
	assert.Zero(t, usbConf()&usbDataFree)
	usbPut(data[64:]) // lost
	runFor(c, usbSlot)
	assert.Equal(t, data[:64], u.Read())
	usbPut(data[64:])
	usbWrDoneReg()
	runFor(c, usbSlot)
	assert.Equal(t, data[64:], u.Read())
	require.Len(t, u.Packets(), 2)
}

// TestUSBSerialDetachedHostNeverReads: with no host (or a host not reading) a committed
// packet stays and DATA_FREE stays 0; a host attaching later reads it.
func TestUSBSerialDetachedHostNeverReads(t *testing.T) {
	c := newPeriphChip(t)
	u := c.USBSerial()
	usbPut([]byte("boot log"))
	usbWrDoneReg()
	runFor(c, 100*time.Millisecond)
	assert.Zero(t, usbConf()&usbDataFree)
	assert.Empty(t, u.Read())
	_, err := u.Write([]byte("x"))
	assert.ErrorIs(t, err, ErrUSBDetached)

	u.Attach()
	u.StopReading()
	runFor(c, 10*time.Millisecond)
	assert.Empty(t, u.Read(), "the terminal is not reading")
	u.StartReading()
	runFor(c, usbSlot)
	assert.Equal(t, "boot log", string(u.Read()))
	assert.NotZero(t, usbConf()&usbDataFree)

	usbPut([]byte("more"))
	usbWrDoneReg()
	u.Detach()
	runFor(c, 10*time.Millisecond)
	assert.Empty(t, u.Read())
	assert.Zero(t, usbConf()&usbDataFree)
}

// TestUSBSerialHostWrite: the host's bytes arrive as packets of up to 64, the next only
// after the device has drained the previous one, each raising SERIAL_OUT_RECV_PKT.
func TestUSBSerialHostWrite(t *testing.T) {
	c := newPeriphChip(t)
	u := c.USBSerial()
	u.Attach()
	r32(usbReg(usbIntClr)).Store(usbIntMask)
	r32(usbReg(usbIntEna)).Store(usbIntOutRecvPkt)
	data := bytes.Repeat([]byte("abcdefghij"), 10) // 100 bytes: 64 + 36
	_, err := u.Write(data)
	require.NoError(t, err)
	assert.Zero(t, usbConf()&usbDataAvail, "nothing before the first slot")
	assert.False(t, srcHigh(c, SourceUSBDevice))
	runFor(c, usbSlot)
	assert.NotZero(t, usbConf()&usbDataAvail)
	assert.NotZero(t, r32(usbReg(usbIntSt)).Load()&usbIntOutRecvPkt)
	assert.True(t, srcHigh(c, SourceUSBDevice))
	st := r32(usbReg(usbOutEP1St)).Load()
	assert.Equal(t, uint32(64), st>>16&0x7F, "OUT_EP1_REC_DATA_CNT")
	r32(usbReg(usbIntClr)).Store(usbIntOutRecvPkt)
	assert.False(t, srcHigh(c, SourceUSBDevice))

	runFor(c, 5*usbSlot)
	assert.Equal(t, 100, u.Pending(), "the second packet waits for the FIFO to drain")
	first := usbDrain()
	assert.Equal(t, data[:64], first)
	assert.Zero(t, r32(usbReg(usbIntRaw)).Load()&usbIntOutRecvPkt)
	runFor(c, usbSlot)
	assert.True(t, srcHigh(c, SourceUSBDevice))
	assert.Equal(t, data[64:], usbDrain())
	assert.Zero(t, u.Pending())
}

// TestUSBSerialInEmptyIsLevel: SERIAL_IN_EMPTY latches again as soon as it is cleared while
// the FIFO is empty, and not while bytes wait.
func TestUSBSerialInEmptyIsLevel(t *testing.T) {
	c := newPeriphChip(t)
	u := c.USBSerial()
	u.Attach()
	r32(usbReg(usbIntEna)).Store(usbIntInEmpty)
	assert.True(t, srcHigh(c, SourceUSBDevice))
	r32(usbReg(usbIntClr)).Store(usbIntInEmpty)
	assert.True(t, srcHigh(c, SourceUSBDevice), "still empty: latched again")
	usbPut([]byte("x"))
	r32(usbReg(usbIntClr)).Store(usbIntInEmpty)
	assert.False(t, srcHigh(c, SourceUSBDevice))
	usbWrDoneReg()
	assert.False(t, srcHigh(c, SourceUSBDevice))
	runFor(c, usbSlot)
	assert.True(t, srcHigh(c, SourceUSBDevice), "the host read the packet")
}

// TestUSBSerialPacketsPerFrame: back-to-back packets leave at the slot rate.
func TestUSBSerialPacketsPerFrame(t *testing.T) {
	c := newPeriphChip(t)
	u := c.USBSerial()
	u.SetPacketsPerFrame(8)
	u.Attach()
	for i := 0; i < 8; i++ {
		for usbConf()&usbDataFree == 0 {
			runFor(c, time.Microsecond)
		}
		usbPut(bytes.Repeat([]byte{byte('a' + i)}, 64))
	}
	runFor(c, time.Millisecond)
	p := u.Packets()
	require.Len(t, p, 8)
	for i := 1; i < len(p); i++ {
		assert.Equal(t, time.Millisecond/8, p[i].At-p[i-1].At)
	}
	assert.Len(t, u.Received(), 8*64)
}
