package esp32c3

import "math/bits"

// SPI2's DMA path (SPI_DMA_CONF.DMA_TX_ENA / DMA_RX_ENA): the data phase moves through the
// GDMA channel whose PERI_SEL is SPI2 (0) instead of the W buffer, up to MS_DLEN's 32 KiB.
// At CMD.USR the transmit bytes are pulled from the channel's OUT chain (a chain shorter
// than the data phase pads with zeros: the chip's OUTFIFO_EMPTY error, logged once), the
// bytes are clocked through the selected devices, and when the transaction's time has
// passed the received bytes are pushed into the IN chain (IN_SUC_EOF) just before USR
// clears and TRANS_DONE is raised. The data phase is modelled on its own: with DMA the
// command, address and dummy phases are not modelled (logged once), nor are segmented
// transfers or slave mode.

const (
	spiDMARxEna = 1 << 27
	spiDMATxEna = 1 << 28
)

// startDMA runs a transaction whose data goes through the GDMA, if SPI_DMA_CONF enables it;
// it reports whether it did. The caller checked the clock and the mode.
func (s *SPI) startDMA(user uint32, wrLSB, rdLSB bool) bool {
	conf := s.blk.load(spiDMACONF)
	if conf&(spiDMARxEna|spiDMATxEna) == 0 {
		return false
	}
	g := s.c.GDMA()
	if user&(spiUserCommand|spiUserAddr|spiUserDummy) != 0 {
		s.blk.once("dmaphases", "command, address and dummy phases with DMA are not modelled: only the data phase runs")
	}
	dataBits := int(field(s.blk.load(spiMSDLEN), 17, 0)) + 1
	if dataBits%8 != 0 {
		s.blk.once("dmabits", "a DMA data phase of %d bits: whole bytes are modelled, rounded up", dataBits)
	}
	n := (dataBits + 7) / 8
	tx := make([]byte, n)
	if user&spiUserMOSI != 0 {
		if conf&spiDMATxEna == 0 {
			s.blk.once("dmanotx", "USR_MOSI with DMA_RX_ENA but not DMA_TX_ENA: MOSI sends zeros")
		} else if ch := g.peripheralChannel(gdmaPeriSPI2, false); ch < 0 {
			s.blk.once("dmanoout", "DMA_TX_ENA but no started GDMA OUT channel with PERI_SEL = SPI2: MOSI sends zeros")
		} else if got := g.pullOut(ch, n); len(got) < n {
			s.blk.once("dmashort", "the OUT chain holds %d bytes for a %d-byte data phase: the rest is zeros (OUTFIFO_EMPTY on the chip)", len(got), n)
			copy(tx, got)
		} else {
			copy(tx, got)
		}
	}
	rx := make([]byte, n)
	misc := s.blk.load(spiMISC)
	driven := false
	for cs, dev := range s.devices {
		if dev == nil || misc&(1<<cs) != 0 {
			continue
		}
		if !s.selected[cs] {
			dev.Select()
			s.selected[cs] = true
		}
		for i := range tx {
			out := tx[i]
			if wrLSB {
				out = bits.Reverse8(out)
			}
			in := dev.Transfer(out)
			if rdLSB {
				in = bits.Reverse8(in)
			}
			if !driven {
				rx[i] = in
			}
		}
		driven = true
	}
	if !driven {
		for i := range rx {
			rx[i] = 0xFF
		}
	}
	if misc&spiMiscKeepCS == 0 {
		for cs, dev := range s.devices {
			if s.selected[cs] {
				dev.Deselect()
				s.selected[cs] = false
			}
		}
	}
	receive := user&spiUserMISO != 0 && conf&spiDMARxEna != 0
	hz, div := s.clockHz()
	cycles := uint64(8 * n)
	user1 := s.blk.load(spiUSER1)
	if user&spiUserCSSetup != 0 {
		cycles += uint64(field(user1, 21, 17)) + 1
	}
	if user&spiUserCSHold != 0 {
		cycles += uint64(field(user1, 26, 22)) + 1
	}
	s.busy = true
	s.ev = s.c.Schedule(s.c.Now()+ticksToDuration(cycles, div, hz), func() {
		s.ev = nil
		if receive {
			if ch := g.peripheralChannel(gdmaPeriSPI2, true); ch >= 0 {
				g.pushIn(ch, rx)
			} else {
				s.blk.once("dmanoin", "DMA_RX_ENA but no started GDMA IN channel with PERI_SEL = SPI2: the received bytes are lost")
			}
		}
		s.busy = false
		s.raw |= spiIntDone
		s.update()
	})
	return true
}
