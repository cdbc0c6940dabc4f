package esp32c3

import (
	"errors"
	"io"
	"time"
)

// USBSerial models the serial port of the ESP32-C3's USB-Serial-JTAG controller (USB_DEVICE,
// base 0x60043000) and the USB host on the other end of the cable, which a test drives like
// a terminal: Attach plugs the cable in (and opens the terminal), Write types into it, Read
// takes what the chip has sent.
//
// # Device side (registers)
//
//   - EP1 (+0x00): a write puts a byte into the 64-byte IN FIFO (device → host); a read takes
//     a byte of the OUT packet the host sent (host → device).
//   - EP1_CONF (+0x04): writing WR_DONE (bit 0) commits what the IN FIFO holds as a packet
//     for the host (none: a zero-length packet). A FIFO that reaches 64 bytes is committed
//     by itself. SERIAL_IN_EP_DATA_FREE (bit 1) is 1 while the FIFO has room and holds no
//     committed packet: after a commit it stays 0 until the host has read the packet.
//     Bytes written while it is 0 are lost (the log says so once). SERIAL_OUT_EP_DATA_AVAIL
//     (bit 2) is 1 while the OUT packet has bytes left to read.
//   - INT_RAW/ST/ENA/CLR (+0x08..0x14), the generic interrupt block, on source 26
//     (USB_DEVICE): SERIAL_IN_EMPTY (bit 3) is a level condition, latched whenever the IN
//     FIFO is empty and free (it is 1 at reset, and clearing it while the FIFO is empty
//     sets it again at once); SERIAL_OUT_RECV_PKT (bit 2) latches when an OUT packet
//     arrives.
//   - IN_EP1_ST (+0x2C): IN_EP_WR_ADDR is the IN FIFO's count. OUT_EP1_ST (+0x3C):
//     OUT_EP1_WR_ADDR and OUT_EP1_REC_DATA_CNT are the OUT packet's length, OUT_EP1_RD_ADDR
//     how many of its bytes have been read. FRAM_NUM (+0x24) counts the 1 ms frames since
//     the host attached (11 bits). The rest of the block (CONF0, the JTAG endpoints, SOF,
//     bus errors, MISC/MEM_CONF) is memory; the first access to it is logged.
//
// # Host side and timing
//
// Full-speed USB runs in 1 ms frames. The model gives each bulk endpoint PacketsPerFrame
// transaction slots per frame (4 by default: one every 250 µs, 256 KB/s each way at most),
// evenly spaced from the moment the host attached. A packet the chip commits is read by the
// host at the first IN slot after the commit; a packet the host writes is delivered at the
// first OUT slot after the device's OUT FIFO is empty (until then the controller NAKs it,
// and the host retries). Each host Write is sent as packets of up to 64 bytes; packets are
// never merged. Only packets the host has read reach Read, Received and OnReceive; bytes
// left in the IN FIFO without a WR_DONE stay there.
//
// With no host attached (the default, as on a board powered without a USB host) or with
// the host not reading (StopReading: a terminal that is not open), a committed packet stays
// in the FIFO and SERIAL_IN_EP_DATA_FREE stays 0: a driver must time out. Detach drops
// what the host had not yet sent; the chip's committed packet is read once a host attaches
// again. Bus resets, enumeration, the JTAG endpoints and CDC line-state requests (DTR/RTS
// resets into the boot ROM) are not modelled.
type USBSerial struct {
	c    *Chip
	blk  *block
	line irq

	raw, ena uint32

	in        []byte // IN FIFO (device → host)
	committed bool   // in is a packet waiting for the host

	out   []byte // the OUT packet in the device's FIFO (host → device)
	outRd int

	attached, reading bool
	attachAt          time.Duration
	ppf               int
	hostQ             [][]byte // packets the host has written, not yet delivered
	inEvent, outEvent *Event

	rx        []byte      // what the host has read, since the last Read
	packets   []USBPacket // every packet the host has read
	onReceive []func(USBPacket)
}

// USBPacket is a packet the host read from the chip: its data (empty for a zero-length
// packet) and the virtual time of the transaction.
type USBPacket struct {
	At   time.Duration
	Data []byte
}

// SourceUSBDevice is the USB-Serial-JTAG controller's interrupt-matrix source.
const SourceUSBDevice Source = 26

// ErrUSBDetached is Write's error when no host is attached.
var ErrUSBDetached = errors.New("esp32c3: USB host not attached")

// DefaultPacketsPerFrame is the number of bulk transactions each way per 1 ms frame.
const DefaultPacketsPerFrame = 4

// Register offsets and bits (SVD).
const (
	usbBase     = 0x6004_3000
	usbEP1      = 0x00
	usbEP1Conf  = 0x04
	usbIntRaw   = 0x08
	usbIntSt    = 0x0C
	usbIntEna   = 0x10
	usbIntClr   = 0x14
	usbFramNum  = 0x24
	usbInEP1St  = 0x2C
	usbOutEP1St = 0x3C

	usbWrDone    = 1 << 0
	usbDataFree  = 1 << 1
	usbDataAvail = 1 << 2

	usbIntOutRecvPkt = 1 << 2
	usbIntInEmpty    = 1 << 3
	usbIntMask       = 1<<12 - 1

	usbPacketSize = 64
	usbSysBit     = 23 // USB_DEVICE_CLK_EN / USB_DEVICE_RST in PERIP_CLK_EN0 / PERIP_RST_EN0
)

func usbModelled(off uintptr) bool {
	switch off {
	case usbEP1, usbEP1Conf, usbIntRaw, usbIntSt, usbIntEna, usbIntClr, usbFramNum, usbInEP1St, usbOutEP1St:
		return true
	}
	return false
}

func init() {
	registerModel("usbserial", func(c *Chip) {
		u := &USBSerial{c: c, line: irq{c: c, src: SourceUSBDevice}, ppf: DefaultPacketsPerFrame,
			in: make([]byte, 0, usbPacketSize)}
		u.blk = newBlock(c, "USB_DEVICE", usbBase, usbModelled)
		u.blk.sysBit = usbSysBit
		periphOf(c).usb = u
		u.update()
		c.Hook(usbBase, blockSize, wordDevice{u})
		c.OnPeripheralReset(0, usbSysBit, u.reset)
	})
}

// USBSerial returns the model of the USB-Serial-JTAG controller's serial port and its host.
func (c *Chip) USBSerial() *USBSerial { return periphOf(c).usb }

func (u *USBSerial) lock()            { u.c.Lock() }
func (u *USBSerial) unlock()          { u.c.Unlock() }
func (u *USBSerial) regBlock() *block { return u.blk }

// reset is a reset through SYSTEM.PERIP_RST_EN0: the FIFOs empty, interrupts off. The host
// stays attached (on the chip it would see the device drop off the bus and enumerate it
// again).
func (u *USBSerial) reset() {
	if u.inEvent != nil {
		u.inEvent.Cancel()
		u.inEvent = nil
	}
	if u.outEvent != nil {
		u.outEvent.Cancel()
		u.outEvent = nil
	}
	u.in, u.committed = u.in[:0], false
	u.out, u.outRd = nil, 0
	u.raw, u.ena = 0, 0
	u.blk.reset()
	u.update()
	u.kickOut()
}

func (u *USBSerial) readReg(off uintptr) uint32 {
	switch off {
	case usbEP1:
		if u.outRd >= len(u.out) {
			u.blk.once("outunderflow", "EP1 read with no OUT data (SERIAL_OUT_EP_DATA_AVAIL = 0) returns 0")
			return 0
		}
		b := u.out[u.outRd]
		u.outRd++
		if u.outRd == len(u.out) {
			u.kickOut()
		}
		return uint32(b)
	case usbEP1Conf:
		var v uint32
		if u.free() {
			v |= usbDataFree
		}
		if u.outRd < len(u.out) {
			v |= usbDataAvail
		}
		return v
	case usbIntRaw:
		return u.raw
	case usbIntSt:
		return u.raw & u.ena
	case usbIntEna:
		return u.ena
	case usbIntClr:
		return 0
	case usbFramNum:
		if !u.attached {
			return 0
		}
		return uint32((u.c.Now()-u.attachAt)/time.Millisecond) & 0x7FF
	case usbInEP1St:
		return uint32(len(u.in)) << 2
	case usbOutEP1St:
		n := uint32(len(u.out))
		return n<<2 | uint32(u.outRd)<<9 | n<<16
	}
	u.blk.touch(off, false)
	return u.blk.load(off)
}

func (u *USBSerial) writeReg(off uintptr, v uint32) {
	switch off {
	case usbEP1:
		if !u.free() {
			u.blk.once("inoverflow", "EP1 written with SERIAL_IN_EP_DATA_FREE = 0 (a packet waits for the host, or the FIFO is full): byte lost")
			return
		}
		u.in = append(u.in, byte(v))
		if len(u.in) == usbPacketSize {
			u.commit()
		}
	case usbEP1Conf:
		if v&usbWrDone != 0 && !u.committed {
			u.commit()
		}
	case usbIntRaw:
		u.blk.once("rawwrite", "write to INT_RAW ignored: raw bits are set by events and cleared through INT_CLR")
		return
	case usbIntSt, usbFramNum, usbInEP1St, usbOutEP1St:
		return // read-only
	case usbIntEna:
		u.ena = v & usbIntMask
	case usbIntClr:
		u.raw &^= v & usbIntMask
	default:
		u.blk.touch(off, true)
		u.blk.store(off, v)
	}
	u.update()
}

// free is SERIAL_IN_EP_DATA_FREE.
func (u *USBSerial) free() bool { return !u.committed && len(u.in) < usbPacketSize }

// update latches SERIAL_IN_EMPTY while the IN FIFO is empty and free, and drives the
// interrupt line.
func (u *USBSerial) update() {
	if !u.committed && len(u.in) == 0 {
		u.raw |= usbIntInEmpty
	}
	u.line.set(u.raw&u.ena != 0)
}

func (u *USBSerial) commit() {
	u.committed = true
	u.kickIn()
}

// nextSlot returns the first transaction slot after now.
func (u *USBSerial) nextSlot() time.Duration {
	slot := time.Millisecond / time.Duration(u.ppf)
	now := u.c.Now()
	return u.attachAt + ((now-u.attachAt)/slot+1)*slot
}

// kickIn schedules the host's read of a committed packet.
func (u *USBSerial) kickIn() {
	if !u.attached || !u.reading || !u.committed || u.inEvent != nil {
		return
	}
	u.inEvent = u.c.Schedule(u.nextSlot(), u.hostIn)
}

func (u *USBSerial) hostIn() {
	u.inEvent = nil
	if !u.attached || !u.reading || !u.committed {
		return
	}
	p := USBPacket{At: u.c.Now(), Data: append([]byte(nil), u.in...)}
	u.in, u.committed = u.in[:0], false
	u.rx = append(u.rx, p.Data...)
	u.packets = append(u.packets, p)
	for _, f := range u.onReceive {
		f(p)
	}
	u.update()
}

// kickOut schedules the delivery of the host's next packet once the OUT FIFO is empty.
func (u *USBSerial) kickOut() {
	if !u.attached || len(u.hostQ) == 0 || u.outRd < len(u.out) || u.outEvent != nil {
		return
	}
	u.outEvent = u.c.Schedule(u.nextSlot(), u.hostOut)
}

func (u *USBSerial) hostOut() {
	u.outEvent = nil
	if !u.attached || len(u.hostQ) == 0 || u.outRd < len(u.out) {
		return
	}
	u.out, u.outRd = u.hostQ[0], 0
	u.hostQ[0] = nil
	u.hostQ = u.hostQ[1:]
	u.raw |= usbIntOutRecvPkt
	u.update()
}

// Attach plugs a host in that reads whatever the chip sends: the frame clock starts now,
// and a packet the chip committed earlier is read at the first slot.
func (u *USBSerial) Attach() {
	u.c.Lock()
	defer u.c.Unlock()
	if u.attached {
		return
	}
	u.attached, u.reading, u.attachAt = true, true, u.c.Now()
	u.kickIn()
}

// Detach unplugs the host: what it had written but not yet delivered is lost; what the
// chip committed stays in the IN FIFO.
func (u *USBSerial) Detach() {
	u.c.Lock()
	defer u.c.Unlock()
	u.attached = false
	for _, e := range []**Event{&u.inEvent, &u.outEvent} {
		if *e != nil {
			(*e).Cancel()
			*e = nil
		}
	}
	u.hostQ = nil
}

// Attached reports whether a host is attached.
func (u *USBSerial) Attached() bool {
	u.c.Lock()
	defer u.c.Unlock()
	return u.attached
}

// StopReading makes the attached host stop reading (a terminal closed, the port still
// enumerated): committed packets stay in the chip's FIFO. StartReading resumes.
func (u *USBSerial) StopReading() {
	u.c.Lock()
	defer u.c.Unlock()
	u.reading = false
	if u.inEvent != nil {
		u.inEvent.Cancel()
		u.inEvent = nil
	}
}

// StartReading makes the attached host read again (see StopReading).
func (u *USBSerial) StartReading() {
	u.c.Lock()
	defer u.c.Unlock()
	u.reading = true
	u.kickIn()
}

// SetPacketsPerFrame sets how many bulk transactions each way the host makes per 1 ms frame
// (1..1000; default DefaultPacketsPerFrame). Set it before Attach.
func (u *USBSerial) SetPacketsPerFrame(n int) {
	if n < 1 || n > 1000 {
		panic("esp32c3: USBSerial.SetPacketsPerFrame: n out of range 1..1000")
	}
	u.c.Lock()
	defer u.c.Unlock()
	u.ppf = n
}

// Write sends p from the host to the chip as packets of up to 64 bytes, delivered one at a
// time as the chip empties its OUT FIFO. It fails with ErrUSBDetached when no host is
// attached. It takes the chip lock: while firmware runs, use WriteAt.
func (u *USBSerial) Write(p []byte) (int, error) {
	u.c.Lock()
	defer u.c.Unlock()
	return u.write(p)
}

func (u *USBSerial) write(p []byte) (int, error) {
	if !u.attached {
		return 0, ErrUSBDetached
	}
	for i := 0; i < len(p); i += usbPacketSize {
		j := min(i+usbPacketSize, len(p))
		u.hostQ = append(u.hostQ, append([]byte(nil), p[i:j]...))
	}
	u.kickOut()
	return len(p), nil
}

// WriteAt makes the host write data at virtual time at, as Write would then; bytes written
// while no host is attached are lost (the log says so once). It may be called while
// firmware runs.
func (u *USBSerial) WriteAt(at time.Duration, data ...byte) {
	data = append([]byte(nil), data...)
	u.c.Schedule(at, func() {
		if _, err := u.write(data); err != nil {
			u.blk.once("writedetached", "host write with no host attached: bytes lost")
		}
	})
}

// Pending returns how many bytes the host has written that the chip has not read yet
// (queued packets and what is left of the one in the OUT FIFO).
func (u *USBSerial) Pending() int {
	u.c.Lock()
	defer u.c.Unlock()
	n := len(u.out) - u.outRd
	for _, p := range u.hostQ {
		n += len(p)
	}
	return n
}

// Read returns what the host has read from the chip since the last Read, and forgets it.
func (u *USBSerial) Read() []byte {
	u.c.Lock()
	defer u.c.Unlock()
	out := u.rx
	u.rx = nil
	return out
}

// Packets returns every packet the host has read so far.
func (u *USBSerial) Packets() []USBPacket {
	u.c.Lock()
	defer u.c.Unlock()
	return append([]USBPacket(nil), u.packets...)
}

// Received returns every byte the host has read so far.
func (u *USBSerial) Received() []byte {
	u.c.Lock()
	defer u.c.Unlock()
	var out []byte
	for _, p := range u.packets {
		out = append(out, p.Data...)
	}
	return out
}

// OnReceive registers f to be called with every packet the host reads. It runs with the
// chip lock held, on the simulator's goroutine, and must not call back into the chip.
func (u *USBSerial) OnReceive(f func(USBPacket)) {
	u.c.Lock()
	defer u.c.Unlock()
	u.onReceive = append(u.onReceive, f)
}

// Mirror copies every packet the host reads to w, for a console on the host. Write errors
// are ignored.
func (u *USBSerial) Mirror(w io.Writer) {
	u.OnReceive(func(p USBPacket) {
		if len(p.Data) > 0 {
			_, _ = w.Write(p.Data)
		}
	})
}
