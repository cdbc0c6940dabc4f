package esp32c3

import (
	"fmt"

	"github.com/gohal/gohal/rt/mmio"
)

// SPI models the GPSPI2 controller (base 0x60024000) as a master without DMA (facts sheet
// section 8): CMD.USR starts a transaction built from the USER register's phases (command,
// address, dummy, MOSI data, MISO data; full duplex with DOUTDIN), the data phases use the
// 64-byte W0..W15 buffer (with the HIGHPART halves), MS_DLEN sets the data length, the bit
// orders come from CTRL, chip selects from MISC (CS0..5_DIS, CS_KEEP_ACTIVE), and the
// transaction lasts as long as its bits take at the clock CLOCK and CLK_GATE set. At the end
// USR clears and DMA_INT_RAW.TRANS_DONE is set. CMD.UPDATE completes at once. A transaction
// started while the controller has no clock (SYSTEM.PERIP_CLK_EN0.SPI2_CLK_EN clear, SPI2
// held in reset, or CLK_GATE.CLK_EN or MST_CLK_ACTIVE clear) never progresses: USR stays
// set until a peripheral reset, as on the chip, where such a transfer hangs.
//
// Devices implement SPIDevice and are attached to a chip select with Attach or AttachCS.
// Dual, quad and 3-wire modes are not modelled (their bits are logged once).
type SPI struct {
	c    *Chip
	blk  *block
	line irq

	raw, ena uint32
	devices  [6]SPIDevice
	selected [6]bool // CS held active (CS_KEEP_ACTIVE) across transactions
	busy     bool
	ev       *Event

	mosi, miso [spiMaxBits/8 + 1]byte // wire bit streams, MSB first
	inBits     int                    // data-phase bits to deliver
	inStart    int                    // wire position of the first MISO data bit
	inBase     int                    // W buffer byte the data lands at
	inLSB      bool
}

// SPIDevice is a device on the simulated SPI bus. The controller calls its methods with the
// chip lock held; a device guards state it shares with the test through its own lock.
//
// Transfer is called once per eight clocks while the device is selected, with the bits the
// master sent MSB first; it returns the bits the device shifts out in the same clocks. A
// transaction whose length is not a multiple of eight bits ends with a partial byte: its
// bits are the high bits of out, and only the high bits of the answer are used.
type SPIDevice interface {
	Select()
	Transfer(out byte) (in byte)
	Deselect()
}

// Register offsets (SVD).
const (
	spiBase     = 0x6002_4000
	spiCMD      = 0x00
	spiADDR     = 0x04
	spiCTRL     = 0x08
	spiCLOCK    = 0x0C
	spiUSER     = 0x10
	spiUSER1    = 0x14
	spiUSER2    = 0x18
	spiMSDLEN   = 0x1C
	spiMISC     = 0x20
	spiDMACONF  = 0x30
	spiINTENA   = 0x34
	spiINTCLR   = 0x38
	spiINTRAW   = 0x3C
	spiINTST    = 0x40
	spiW0       = 0x98
	spiSLAVE    = 0xE0
	spiCLKGATE  = 0xE8
	spiMaxBits  = 16 + 32 + 256 + 2*512 // command, address, dummy and two data phases
	spiIntDone  = 1 << 12
	spiIntMask  = 1<<21 - 1
	spiCmdUSR   = 1 << 24
	spiCmdUPD   = 1 << 23
	spiBufBytes = 64
)

// USER bits.
const (
	spiUserDoutDin   = 1 << 0
	spiUserCSHold    = 1 << 6
	spiUserCSSetup   = 1 << 7
	spiUserSIO       = 1 << 17
	spiUserMISOHigh  = 1 << 24
	spiUserMOSIHigh  = 1 << 25
	spiUserMOSI      = 1 << 27
	spiUserMISO      = 1 << 28
	spiUserDummy     = 1 << 29
	spiUserAddr      = 1 << 30
	spiUserCommand   = 1 << 31
	spiUserMultiLine = 1<<3 | 1<<12 | 1<<13 // QPI, FWRITE_DUAL, FWRITE_QUAD
	spiCtrlMultiLine = 1<<5 | 1<<6 | 1<<8 | 1<<9 | 1<<14 | 1<<15
	spiCtrlRdLSB     = 1 << 25
	spiCtrlWrLSB     = 1 << 26
	spiMiscKeepCS    = 1 << 30
)

// spiModelled reports whether the model gives the register at off behaviour; the input
// and output timing, DMA and slave registers are memory.
func spiModelled(off uintptr) bool {
	return off <= spiMISC || off == spiDMACONF || off >= spiINTENA && off <= spiINTST ||
		off >= spiW0 && off < spiW0+spiBufBytes || off == spiSLAVE || off == spiCLKGATE
}

func init() {
	registerModel("spi", func(c *Chip) {
		s := &SPI{c: c, line: irq{c: c, src: SourceSPI2}}
		s.blk = newBlock(c, "SPI2", spiBase, spiModelled)
		s.blk.sysBit = 6
		periphOf(c).spi2 = s
		c.Hook(spiBase, blockSize, wordDevice{s})
		c.OnPeripheralReset(0, s.blk.sysBit, s.reset)
	})
}

// reset returns the controller to its reset state when firmware resets it through SYSTEM:
// a transaction in progress is lost and every chip select goes inactive.
func (s *SPI) reset() {
	if s.ev != nil {
		s.ev.Cancel()
		s.ev = nil
	}
	s.busy = false
	for cs, dev := range s.devices {
		if s.selected[cs] {
			dev.Deselect()
			s.selected[cs] = false
		}
	}
	s.raw, s.ena = 0, 0
	s.blk.reset()
	s.update()
}

// SPI2 returns the model of the GPSPI2 controller.
func (c *Chip) SPI2() *SPI { return periphOf(c).spi2 }

// Attach puts dev on chip select CS0.
func (s *SPI) Attach(dev SPIDevice) { s.AttachCS(0, dev) }

// AttachCS puts dev on chip select cs (0..5).
func (s *SPI) AttachCS(cs int, dev SPIDevice) {
	if cs < 0 || cs >= len(s.devices) {
		panic(fmt.Sprintf("esp32c3: SPI2 has chip selects CS0..CS5, not CS%d", cs))
	}
	s.c.Lock()
	defer s.c.Unlock()
	s.devices[cs] = dev
}

func (s *SPI) lock()            { s.c.Lock() }
func (s *SPI) unlock()          { s.c.Unlock() }
func (s *SPI) regBlock() *block { return s.blk }

func (s *SPI) readReg(off uintptr) uint32 {
	switch off {
	case spiCMD:
		v := s.blk.load(off) &^ spiCmdUSR
		if s.busy {
			v |= spiCmdUSR
		}
		return v
	case spiINTENA:
		return s.ena
	case spiINTRAW:
		return s.raw
	case spiINTST:
		return s.raw & s.ena
	case spiINTCLR:
		return 0
	}
	s.blk.touch(off, false)
	return s.blk.load(off)
}

func (s *SPI) writeReg(off uintptr, v uint32) {
	switch off {
	case spiCMD:
		// UPDATE completes at once: the model reads its configuration when a transfer
		// starts, so there is nothing to carry into another clock domain.
		s.blk.store(off, v&^(spiCmdUSR|spiCmdUPD))
		if v&spiCmdUSR != 0 {
			s.start()
		}
		return
	case spiINTENA:
		s.ena = v & spiIntMask
	case spiINTCLR:
		s.raw &^= v
	case spiINTRAW, spiINTST:
		return // raw bits are set by events and cleared through DMA_INT_CLR
	default:
		if off >= spiW0 && off < spiW0+spiBufBytes && s.busy {
			s.blk.once("wbusy", "W buffer written during a transaction: the transfer uses what it read at its start")
		}
		s.blk.touch(off, true)
		s.blk.store(off, v)
	}
	s.update()
}

func (s *SPI) update() { s.line.set(s.raw&s.ena != 0) }

// clockHz is the SPI clock: CLK_GATE.MST_CLK_SEL picks PLL_F80M or XTAL, and CLOCK divides it
// by (CLKDIV_PRE+1)(CLKCNT_N+1) unless CLK_EQU_SYSCLK passes it through.
func (s *SPI) clockHz() (hz, div uint64) {
	hz = XTALHz
	if s.blk.load(spiCLKGATE)&(1<<2) != 0 {
		hz = periphPLL80Hz
	}
	ck := s.blk.load(spiCLOCK)
	if ck&(1<<31) != 0 {
		return hz, 1
	}
	return hz, (uint64(field(ck, 21, 18)) + 1) * (uint64(field(ck, 17, 12)) + 1)
}

// clockStopped says why the controller's clock does not run, or "" when it does.
func (s *SPI) clockStopped() string {
	switch gate := s.blk.load(spiCLKGATE); {
	case !s.c.PeripheralClockEnabled(0, s.blk.sysBit):
		return "SYSTEM.PERIP_CLK_EN0.SPI2_CLK_EN is clear"
	case mmio.Peek(0x600C_0018, 4)&(1<<s.blk.sysBit) != 0:
		return "SPI2 is held in reset (SYSTEM.PERIP_RST_EN0.SPI2_RST)"
	case gate&1 == 0:
		return "CLK_GATE.CLK_EN is clear"
	case gate&2 == 0:
		return "CLK_GATE.MST_CLK_ACTIVE is clear"
	}
	return ""
}

// wire is a bit stream being assembled, MSB of byte 0 first.
type wire struct {
	buf []byte
	n   int
}

func (w *wire) put(bit bool) {
	if bit {
		w.buf[w.n/8] |= 0x80 >> (w.n % 8)
	}
	w.n++
}

func wireBit(buf []byte, i int) bool { return buf[i/8]&(0x80>>(i%8)) != 0 }

// putBuffer appends bits of W-buffer bytes: byte k is bits 8(k%4).. of W(k/4), sent MSB
// first unless lsb.
func (w *wire) putBuffer(data []byte, bits int, lsb bool) {
	for i := 0; i < bits; i++ {
		b := data[i/8]
		if lsb {
			w.put(b>>(i%8)&1 != 0)
		} else {
			w.put(b<<(i%8)&0x80 != 0)
		}
	}
}

// start runs a transaction: the wire streams are exchanged with the selected devices now,
// and the results land in the W buffer when the transaction's time has passed.
func (s *SPI) start() {
	if s.busy {
		s.blk.once("busy", "CMD.USR written during a transaction: ignored")
		return
	}
	if s.blk.load(spiSLAVE)&(1<<26) != 0 {
		s.blk.once("slave", "CMD.USR with SLAVE.MODE = 1: slave mode is not modelled")
		return
	}
	if why := s.clockStopped(); why != "" {
		s.blk.once("noclock", "CMD.USR while %s: the transaction never completes", why)
		s.busy = true
		return
	}
	user := s.blk.load(spiUSER)
	ctrl := s.blk.load(spiCTRL)
	if user&(spiUserMultiLine|spiUserSIO) != 0 || ctrl&spiCtrlMultiLine != 0 {
		s.blk.once("lines", "dual, quad and 3-wire modes are not modelled: transferring on MOSI/MISO")
	}
	wrLSB, rdLSB := ctrl&spiCtrlWrLSB != 0, ctrl&spiCtrlRdLSB != 0
	if s.startDMA(user, wrLSB, rdLSB) { // spi_dma.go
		return
	}
	user1, user2 := s.blk.load(spiUSER1), s.blk.load(spiUSER2)

	var buf [spiBufBytes]byte
	for i := range buf {
		buf[i] = byte(s.blk.load(spiW0+uintptr(i&^3)) >> (8 * (i & 3)))
	}
	dataBits := int(field(s.blk.load(spiMSDLEN), 17, 0)) + 1
	limit := 8 * spiBufBytes
	if user&(spiUserMOSIHigh|spiUserMISOHigh) != 0 {
		limit /= 2
	}
	if dataBits > limit {
		s.blk.once("dlen", "MS_DLEN of %d bits exceeds the %d-bit buffer without DMA: truncated", dataBits, limit)
		dataBits = limit
	}

	s.mosi, s.miso = [len(s.mosi)]byte{}, [len(s.miso)]byte{}
	w := wire{buf: s.mosi[:]}
	if user&spiUserCommand != 0 {
		// USR_COMMAND_VALUE goes out like buffer bytes: bits 7..0, then 15..8 (ESP-IDF's
		// spi_ll_set_command swaps the bytes so a command reads naturally).
		w.putBuffer([]byte{byte(user2), byte(user2 >> 8)}, int(field(user2, 31, 28))+1, wrLSB)
	}
	if user&spiUserAddr != 0 {
		// The address goes out from bit 31 down (MSB first), or from the LSB of the highest
		// byte (LSB first), as ESP-IDF's spi_ll_set_address lays it out.
		addr := s.blk.load(spiADDR)
		n := int(field(user1, 31, 27)) + 1
		for i := 0; i < n; i++ {
			if wrLSB {
				byteIdx, bit := 3-i/8, i%8
				w.put(addr>>(8*byteIdx+bit)&1 != 0)
			} else {
				w.put(addr>>(31-i)&1 != 0)
			}
		}
	}
	if user&spiUserDummy != 0 {
		w.n += int(field(user1, 7, 0)) + 1 // MOSI idles low through the dummy clocks
	}
	out := buf[:]
	if user&spiUserMOSIHigh != 0 {
		out = buf[32:]
	}
	s.inBits, s.inLSB, s.inBase = 0, rdLSB, 0
	if user&spiUserMISOHigh != 0 {
		s.inBase = 32
	}
	switch {
	case user&spiUserDoutDin != 0 && user&(spiUserMOSI|spiUserMISO) != 0:
		s.inStart = w.n
		if user&spiUserMOSI != 0 {
			w.putBuffer(out, dataBits, wrLSB)
		} else {
			w.n += dataBits
		}
		if user&spiUserMISO != 0 {
			s.inBits = dataBits
		}
	default:
		if user&spiUserMOSI != 0 {
			w.putBuffer(out, dataBits, wrLSB)
		}
		if user&spiUserMISO != 0 {
			s.inStart = w.n
			s.inBits = dataBits
			w.n += dataBits
		}
	}

	s.exchange(w.n)

	hz, div := s.clockHz()
	cycles := uint64(w.n)
	if user&spiUserCSSetup != 0 {
		cycles += uint64(field(user1, 21, 17)) + 1
	}
	if user&spiUserCSHold != 0 {
		cycles += uint64(field(user1, 26, 22)) + 1
	}
	s.busy = true
	s.ev = s.c.Schedule(s.c.Now()+ticksToDuration(cycles, div, hz), s.finish)
}

// exchange clocks nbits through every selected device, collecting MISO from the first.
func (s *SPI) exchange(nbits int) {
	misc := s.blk.load(spiMISC)
	driven := false
	for cs, dev := range s.devices {
		if dev == nil || misc&(1<<cs) != 0 { // CSn_DIS
			continue
		}
		if !s.selected[cs] {
			dev.Select()
			s.selected[cs] = true
		}
		for i := 0; i < (nbits+7)/8; i++ {
			in := dev.Transfer(s.mosi[i])
			if !driven { // with several devices selected, the lowest CS drives MISO
				s.miso[i] = in
			}
		}
		driven = true
	}
	if !driven {
		// Nothing drives MISO; it reads as ones, as with a pulled-up line.
		for i := range s.miso {
			s.miso[i] = 0xFF
		}
	}
	// A partial last byte carries only its high bits.
	if r := nbits % 8; r != 0 {
		s.miso[nbits/8] &= byte(uint16(0xFF00) >> r)
	}
	if misc&spiMiscKeepCS == 0 {
		for cs, dev := range s.devices {
			if s.selected[cs] {
				dev.Deselect()
				s.selected[cs] = false
			}
		}
	}
}

// finish ends the transaction: the MISO data lands in the W buffer, USR clears and
// TRANS_DONE is raised.
func (s *SPI) finish() {
	s.ev = nil
	if s.inBits > 0 {
		var buf [spiBufBytes]byte
		for i := range buf {
			buf[i] = byte(s.blk.load(spiW0+uintptr(i&^3)) >> (8 * (i & 3)))
		}
		for i := 0; i < s.inBits; i++ {
			bit := wireBit(s.miso[:], s.inStart+i)
			k := s.inBase + i/8
			var m byte = 0x80 >> (i % 8)
			if s.inLSB {
				m = 1 << (i % 8)
			}
			if bit {
				buf[k] |= m
			} else {
				buf[k] &^= m
			}
		}
		for i := 0; i < spiBufBytes; i += 4 {
			s.blk.store(spiW0+uintptr(i), uint32(buf[i])|uint32(buf[i+1])<<8|uint32(buf[i+2])<<16|uint32(buf[i+3])<<24)
		}
	}
	s.busy = false
	s.raw |= spiIntDone
	s.update()
}
