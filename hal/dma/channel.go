package dma

import (
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/dma"
	"github.com/gohal/gohal/rt"
)

// Interrupt bits of a channel's INT_RAW/ST/ENA/CLR (the SVD's field positions).
const (
	IntInDone      = 1 << 0
	IntInSucEOF    = 1 << 1
	IntInErrEOF    = 1 << 2
	IntOutDone     = 1 << 3
	IntOutEOF      = 1 << 4
	IntInDscrErr   = 1 << 5
	IntOutDscrErr  = 1 << 6
	IntInDscrEmpty = 1 << 7
	IntOutTotalEOF = 1 << 8
	intAll         = 1<<13 - 1
	// IntErrors are the descriptor errors a transfer can end with.
	IntErrors = IntInDscrErr | IntOutDscrErr | IntInDscrEmpty
)

// Peripheral is what a channel's PERI_SEL connects it to (TRM, GDMA; esp-hal's
// DmaPeripheral for the C3).
type Peripheral uint8

// Peripherals. Memory-to-memory transfers select an ID no peripheral uses, as esp-hal's
// Mem2Mem1 does.
const (
	PeripheralSPI2    Peripheral = 0
	PeripheralMem2Mem Peripheral = 1
	PeripheralUHCI0   Peripheral = 2
	PeripheralI2S0    Peripheral = 3
	PeripheralAES     Peripheral = 6
	PeripheralSHA     Peripheral = 7
	PeripheralADC     Peripheral = 8
	peripheralNone    Peripheral = 0x3F // PERI_SEL's reset value: no peripheral
)

// claimed counts the DMA channels hal/periph has owners for: the first claimed turns the
// GDMA's clock on, the last released off (esp-hal's peripheral clock guard). It is read
// from periph's ownership table rather than kept here, so that it cannot disagree with it
// (a test's hal.ResetForTest frees every token: a counter of our own would then say the
// clock is on when a new run's chip has it off).
func claimed() int {
	n := 0
	for i := 0; i < periph.NumDMAChannels; i++ {
		if periph.Owner(periph.KindDMA, i) != "" {
			n++
		}
	}
	return n
}

// Channel is a claimed GDMA channel, both its sides (OUT: memory to the engine, IN: the
// engine to memory): the low-level handle peripheral drivers (hal/spi) move data with.
// The memory-to-memory driver (New) is built on it.
type Channel struct{ n uint8 }

// Claim claims channel p for owner (an error names the current owner), turns the GDMA's
// clock on if it is the first channel in use, and resets the channel.
func Claim(p periph.DMAChannel, owner string) (*Channel, error) {
	n := p.Number()
	if n < 0 || n >= periph.NumDMAChannels {
		return nil, periph.ErrNoSuchResource
	}
	if err := periph.Claim(periph.KindDMA, n, owner); err != nil {
		return nil, err
	}
	cs := rt.EnterCritical()
	if claimed() == 1 {
		s := esp32c3.SYSTEM
		s.PERIP_CLK_EN1.Write(s.PERIP_CLK_EN1.Read().WithDMA_CLK_EN(true))
		s.PERIP_RST_EN1.Write(s.PERIP_RST_EN1.Read().WithDMA_RST(true))
		s.PERIP_RST_EN1.Write(s.PERIP_RST_EN1.Read().WithDMA_RST(false))
		// esp-hal's Dma::new: reset the AHB master's internal state, then enable the
		// register clock.
		d := esp32c3.DMA
		d.MISC_CONF.Write(d.MISC_CONF.Read().WithAHBM_RST_INTER(true))
		d.MISC_CONF.Write(d.MISC_CONF.Read().WithAHBM_RST_INTER(false))
		d.MISC_CONF.Write(d.MISC_CONF.Read().WithCLK_EN(true))
	}
	cs.Exit()
	c := &Channel{n: uint8(n)}
	c.Reset()
	return c, nil
}

// Release stops and resets the channel, gives the token back and, with the last channel,
// turns the GDMA's clock off.
func (c *Channel) Release() {
	c.Reset()
	esp32c3.DMA.INT_CH[c.n].INT_ENA.Write(0)
	periph.Release(periph.KindDMA, int(c.n))
	cs := rt.EnterCritical()
	if claimed() == 0 {
		s := esp32c3.SYSTEM
		s.PERIP_CLK_EN1.Write(s.PERIP_CLK_EN1.Read().WithDMA_CLK_EN(false))
	}
	cs.Exit()
}

// Number returns the channel number, 0..2.
func (c *Channel) Number() int { return int(c.n) }

// Source returns the channel's interrupt-matrix source (DMA_CH0..2: 44..46).
func (c *Channel) Source() rt.Source { return rt.Source(esp32c3.IRQ_DMA_CH0) + rt.Source(c.n) }

func (c *Channel) regs() *dma.CH { return &esp32c3.DMA.CH[c.n] }

// Reset stops both sides and resets their state machines and FIFOs (IN_RST and OUT_RST
// pulsed, esp-hal's rx/tx reset), and clears the channel's interrupts.
func (c *Channel) Reset() {
	ch := c.regs()
	ch.IN_LINK.Write(ch.IN_LINK.Read().WithINLINK_START_CH(false).WithINLINK_STOP_CH(true))
	ch.OUT_LINK.Write(ch.OUT_LINK.Read().WithOUTLINK_START_CH(false).WithOUTLINK_STOP_CH(true))
	ch.IN_CONF0.Write(ch.IN_CONF0.Read().WithIN_RST_CH(true))
	ch.IN_CONF0.Write(ch.IN_CONF0.Read().WithIN_RST_CH(false))
	ch.OUT_CONF0.Write(ch.OUT_CONF0.Read().WithOUT_RST_CH(true))
	ch.OUT_CONF0.Write(ch.OUT_CONF0.Read().WithOUT_RST_CH(false))
	esp32c3.DMA.INT_CH[c.n].INT_CLR.Write(intAll)
}

// Connect sets both sides' PERI_SEL to p; PeripheralMem2Mem also sets IN_CONF0.MEM_TRANS_EN,
// anything else clears it. Burst reads of descriptors and data are on for memory-to-memory
// transfers, off for peripherals (so peripheral buffers need no word alignment). Owner
// checks are off, as esp-hal leaves them.
func (c *Channel) Connect(p Peripheral) {
	ch := c.regs()
	m2m := p == PeripheralMem2Mem
	ch.IN_CONF0.Write(ch.IN_CONF0.Read().WithMEM_TRANS_EN_CH(m2m).
		WithINDSCR_BURST_EN_CH(m2m).WithIN_DATA_BURST_EN_CH(m2m))
	ch.OUT_CONF0.Write(ch.OUT_CONF0.Read().WithOUT_EOF_MODE_CH(true).WithOUT_AUTO_WRBACK_CH(false).
		WithOUTDSCR_BURST_EN_CH(m2m).WithOUT_DATA_BURST_EN_CH(m2m))
	ch.IN_CONF1.Write(ch.IN_CONF1.Read().WithIN_CHECK_OWNER_CH(false))
	ch.OUT_CONF1.Write(ch.OUT_CONF1.Read().WithOUT_CHECK_OWNER_CH(false))
	ch.IN_PERI_SEL.Write(dma.CH_IN_PERI_SELValue(0).WithPERI_IN_SEL_CH(uint32(p)))
	ch.OUT_PERI_SEL.Write(dma.CH_OUT_PERI_SELValue(0).WithPERI_OUT_SEL_CH(uint32(p)))
}

// StartRx points the IN side at the chain starting at first and starts it
// (INLINK_ADDR, then INLINK_START).
func (c *Channel) StartRx(first *Descriptor) {
	ch := c.regs()
	v := ch.IN_LINK.Read().WithINLINK_STOP_CH(false).WithINLINK_START_CH(false).WithINLINK_ADDR_CH(linkAddr(first))
	ch.IN_LINK.Write(v)
	ch.IN_LINK.Write(v.WithINLINK_START_CH(true))
}

// StartTx points the OUT side at the chain starting at first and starts it
// (OUTLINK_ADDR, then OUTLINK_START).
func (c *Channel) StartTx(first *Descriptor) {
	ch := c.regs()
	v := ch.OUT_LINK.Read().WithOUTLINK_STOP_CH(false).WithOUTLINK_START_CH(false).WithOUTLINK_ADDR_CH(linkAddr(first))
	ch.OUT_LINK.Write(v)
	ch.OUT_LINK.Write(v.WithOUTLINK_START_CH(true))
}

// Raw returns the channel's raw interrupt status (the Int... bits).
func (c *Channel) Raw() uint32 { return uint32(esp32c3.DMA.INT_CH[c.n].INT_RAW.Read()) }

// Clear clears raw interrupt bits.
func (c *Channel) Clear(bits uint32) {
	esp32c3.DMA.INT_CH[c.n].INT_CLR.Write(dma.INT_CH_INT_CLRValue(bits))
}
