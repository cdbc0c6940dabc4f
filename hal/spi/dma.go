package spi

import (
	"errors"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/dma"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/spi2"
)

// DMA transfers (esp-hal's SpiDma, esp32c3-facts.md §8 plus the TRM's GDMA chapter).
//
// EnableDMA lends the driver a GDMA channel and descriptor memory; TxDMA (blocking),
// TransferDMAAsync (a future completed by SPI2's TRANS_DONE interrupt) and AwaitTransferDMA
// (its typed await, allocation-free) then move data between memory and the bus through the
// channel instead of the 64-byte W buffer: TX-only (r nil: USR_MISO off), RX-only (w nil:
// USR_MOSI off, MOSI idle), or full duplex (len(w) == len(r)). A transaction carries at
// most 32 KiB (MS_DLEN's 18 bits) and as many bytes as the descriptors cover (half of them
// per direction, ChunkSize bytes each); a longer transfer is cut into transactions with the
// chip select held active in between (MISC.CS_KEEP_ACTIVE), so any length works. Per
// transaction: the channel and the SPI's DMA FIFOs are reset, the chains built, the IN side
// started before RX is enabled, the OUT side before TX, then CMD.UPDATE and CMD.USR; a
// transaction is done when USR clears (TRANS_DONE) and, receiving, when the channel has
// raised IN_SUC_EOF. Buffers and descriptors must be in internal SRAM (dma.ErrNotInternal);
// peripheral transfers run without bursts, so no alignment is required.

// maxDMATransaction is the most one SPI transaction moves: MS_DATA_BITLEN is 18 bits.
const maxDMATransaction = 1 << 18 / 8

// Errors of DMA transfers.
var (
	ErrNoDMA       = errors.New("spi: no DMA channel: call EnableDMA first")
	ErrDMALength   = errors.New("spi: a DMA transfer needs data, and a full-duplex one len(w) == len(r)")
	ErrDMAReceive  = errors.New("spi: the GDMA did not finish receiving (no IN_SUC_EOF, or a descriptor error)")
	errDMAAlready  = errors.New("spi: DMA already enabled on this driver")
	errDMADescsLen = errors.New("spi: EnableDMA needs at least 2 descriptors (one per direction)")
)

// dmaState is an engine's DMA channel and descriptor memory.
type dmaState struct {
	ch    *dma.Channel
	descs []dma.Descriptor
	seg   int // bytes per transaction
	fut   DMAFuture
}

// EnableDMA claims GDMA channel ch for SPI2's transfers, with descs as the descriptor
// memory (in internal SRAM, at least 2; each pair covers dma.ChunkSize more bytes per
// transaction, up to 32 KiB at 18 descriptors).
func (b *Blocking) EnableDMA(ch periph.DMAChannel, descs []dma.Descriptor) error {
	return b.engine().enableDMA(ch, descs)
}

// EnableDMA claims a GDMA channel for SPI2's transfers (see Blocking.EnableDMA).
func (a *Async) EnableDMA(ch periph.DMAChannel, descs []dma.Descriptor) error {
	return a.engine().enableDMA(ch, descs)
}

// TxDMA writes w while reading into r through the GDMA, blocking: w nil sends nothing
// (MOSI idle), r nil receives nothing, both given must have the same length.
func (b *Blocking) TxDMA(w, r []byte) error { return b.engine().runDMA(callTxDMA, w, r) }

// TxDMA is the blocking DMA transfer (see Blocking.TxDMA).
func (a *Async) TxDMA(w, r []byte) error { return a.engine().runDMA(callTxDMA, w, r) }

// TransferDMAAsync returns a future that writes w while reading into r through the GDMA
// (as TxDMA), each transaction completed by the TRANS_DONE interrupt. Keep it at one
// address from its first Poll on, and Cancel it if its result is no longer wanted.
func (a *Async) TransferDMAAsync(w, r []byte) DMAFuture {
	return DMAFuture{c: a.engine(), w: w, r: r, call: callTransferDMAAsync}
}

// AwaitTransferDMA is TransferDMAAsync and async.Await in one call, from a straight-line
// task, with the future kept in the driver: it allocates nothing.
func (a *Async) AwaitTransferDMA(t *async.T, w, r []byte) error {
	c := a.engine()
	f := &c.dma.fut
	if f.state == futRunning {
		c.concurrent(callAwaitTransferDMA)
	}
	*f = DMAFuture{c: c, w: w, r: r, call: callAwaitTransferDMA}
	return async.Await(t, f)
}

func (c *engine) enableDMA(p periph.DMAChannel, descs []dma.Descriptor) error {
	if c.dma.ch != nil {
		return errDMAAlready
	}
	if len(descs) < 2 {
		return errDMADescsLen
	}
	ch, err := dma.Claim(p, "SPI2 DMA")
	if err != nil {
		return err
	}
	// SPI2's DMA clock (SYSTEM.PERIP_CLK_EN0.SPI2_DMA_CLK_EN), as esp-hal's guard.
	s := esp32c3.SYSTEM
	s.PERIP_CLK_EN0.Write(s.PERIP_CLK_EN0.Read().WithSPI2_DMA_CLK_EN(true))
	c.dma.ch, c.dma.descs = ch, descs
	c.dma.seg = min(maxDMATransaction, len(descs)/2*dma.ChunkSize)
	return nil
}

// closeDMA gives the channel back (Close).
func (c *engine) closeDMA() {
	if c.dma.ch == nil {
		return
	}
	esp32c3.SPI2.SPI_DMA_CONF.Write(0)
	c.dma.ch.Release()
	c.dma.ch = nil
}

// runDMA is a blocking DMA transfer.
func (c *engine) runDMA(call uint32, w, r []byte) error {
	if c.dma.ch == nil {
		return ErrNoDMA
	}
	if !c.busy.CompareAndSwap(callNone, call) {
		return ErrBusy
	}
	x := dxfer{c: c, w: w, r: r}
	var err error
	for {
		var st int
		if st, err = x.step(); st == stepDone {
			break
		}
	}
	c.busy.Store(callNone)
	return err
}

// dxfer is a DMA transfer in progress: transactions of up to c.dma.seg bytes.
type dxfer struct {
	c        *engine
	w, r     []byte
	off, n   int
	inflight bool
	deadline uint64
	trans    int
}

func (x *dxfer) total() int { return max(len(x.w), len(x.r)) }

// step advances the transfer as far as it can without waiting.
func (x *dxfer) step() (int, error) {
	if x.inflight {
		if esp32c3.SPI2.SPI_CMD.Read()&cmdUSR != 0 {
			if systimer.Ticks() > x.deadline {
				x.abort()
				return stepDone, ErrTimeout
			}
			return stepWait, nil
		}
		if x.r != nil {
			// The GDMA raises IN_SUC_EOF when the last received byte is in memory.
			for x.c.dma.ch.Raw()&(dma.IntInSucEOF|dma.IntErrors) == 0 {
				if systimer.Ticks() > x.deadline {
					x.abort()
					return stepDone, ErrDMAReceive
				}
			}
			if x.c.dma.ch.Raw()&dma.IntErrors != 0 {
				x.abort()
				return stepDone, ErrDMAReceive
			}
		}
		x.inflight = false
		x.off += x.n
	}
	if x.off == 0 && !x.started() {
		if (x.w == nil && x.r == nil) || (x.w != nil && x.r != nil && len(x.w) != len(x.r)) || x.total() == 0 {
			return stepDone, ErrDMALength
		}
	}
	if x.off >= x.total() {
		esp32c3.SPI2.SPI_DMA_CONF.Write(0)
		return stepDone, nil
	}
	if err := x.start(); err != nil {
		return stepDone, err
	}
	return stepWait, nil
}

func (x *dxfer) started() bool { return x.trans > 0 }

// start begins the next transaction.
func (x *dxfer) start() error {
	c, r := x.c, esp32c3.SPI2
	ch, descs := c.dma.ch, c.dma.descs
	n := min(c.dma.seg, x.total()-x.off)
	half := len(descs) / 2
	ch.Reset()
	ch.Connect(dma.PeripheralSPI2)
	if x.w != nil {
		if _, err := dma.BuildChain(descs[:half], x.w[x.off:x.off+n], dma.TX); err != nil {
			return err
		}
	}
	if x.r != nil {
		if _, err := dma.BuildChain(descs[half:], x.r[x.off:x.off+n], dma.RX); err != nil {
			return err
		}
	}
	// esp-hal's reset_dma: the SPI's DMA FIFOs.
	conf := spi2.SPI_DMA_CONFValue(0)
	r.SPI_DMA_CONF.Write(conf.WithSPI_RX_AFIFO_RST(true).WithSPI_BUF_AFIFO_RST(true).WithSPI_DMA_AFIFO_RST(true))
	r.SPI_DMA_CONF.Write(conf)
	user := r.SPI_USER.Read().WithSPI_USR_MOSI(x.w != nil).WithSPI_USR_MISO(x.r != nil).
		WithSPI_DOUTDIN(x.w != nil && x.r != nil).WithSPI_USR_DUMMY(false).WithSPI_SIO(false).
		WithSPI_USR_ADDR(false).WithSPI_USR_COMMAND(false).WithSPI_FWRITE_DUAL(false).WithSPI_FWRITE_QUAD(false).
		WithSPI_USR_MOSI_HIGHPART(false).WithSPI_USR_MISO_HIGHPART(false)
	r.SPI_USER.Write(user)
	r.SPI_MS_DLEN.Write(spi2.SPI_MS_DLENValue(0).WithSPI_MS_DATA_BITLEN(uint32(8*n - 1)))
	if x.r != nil {
		ch.StartRx(&descs[half])
		conf = conf.WithSPI_DMA_RX_ENA(true)
	}
	if x.w != nil {
		ch.StartTx(&descs[0])
		conf = conf.WithSPI_DMA_TX_ENA(true)
	}
	r.SPI_DMA_CONF.Write(conf)
	last := x.off+n >= x.total()
	r.SPI_MISC.Write(r.SPI_MISC.Read().WithSPI_CS_KEEP_ACTIVE(!last))
	// The transaction's time at the bus clock, plus the configured timeout.
	x.deadline = systimer.Ticks() + c.k.timeoutTicks + uint64(n)*8*ticksPerUs*1_000_000/uint64(c.freq)
	r.SPI_CMD.Write(r.SPI_CMD.Read() | cmdUpdate)
	for r.SPI_CMD.Read()&cmdUpdate != 0 {
		if systimer.Ticks() > x.deadline {
			x.abort()
			return ErrTimeout
		}
	}
	r.SPI_DMA_INT_CLR.Write(spi2.SPI_DMA_INT_CLRValue(0).WithSPI_TRANS_DONE_INT_CLR(true))
	r.SPI_CMD.Write(r.SPI_CMD.Read() | cmdUSR)
	x.n, x.inflight = n, true
	x.trans++
	return nil
}

// abort ends a transfer cut short: the controller and the channel are reset.
func (x *dxfer) abort() {
	x.inflight = false
	esp32c3.SPI2.SPI_DMA_CONF.Write(0)
	x.c.dma.ch.Reset()
	x.c.reset()
}

// DMAFuture is a DMA transfer in progress on the Async driver: an async.Future[error].
// Each transaction waits for TRANS_DONE through SPI2's interrupt. Keep it at one address
// from its first Poll on; Cancel resets the controller and the channel.
type DMAFuture struct {
	c     *engine
	w, r  []byte
	x     dxfer
	timer async.Timer
	timed bool
	trans int
	state uint8
	call  uint8
	owner bool
	err   error
}

var _ async.Future[error] = (*DMAFuture)(nil)

// Poll advances the transfer and reports its result once it has finished.
func (f *DMAFuture) Poll(cx *async.Context) (error, bool) {
	switch f.state {
	case futDone:
		return f.err, true
	case futNew:
		if f.c.dma.ch == nil {
			f.state, f.err = futDone, ErrNoDMA
			return f.err, true
		}
		if !f.c.busy.CompareAndSwap(callNone, uint32(f.call)) {
			f.c.concurrent(f.call)
		}
		f.state, f.owner = futRunning, true
		f.x = dxfer{c: f.c, w: f.w, r: f.r}
		f.timed = systimer.Started()
	}
	events.Lanes[0].Register(cx.Waker())
	st, err := f.x.step()
	if st == stepDone {
		return f.finish(err), true
	}
	f.c.listen(true)
	if f.timed {
		if f.trans != f.x.trans {
			f.trans = f.x.trans
			f.timer.Reset(async.Instant(f.x.deadline / ticksPerUs))
		}
		if _, ok := f.timer.Poll(cx); ok && esp32c3.SPI2.SPI_CMD.Read()&cmdUSR != 0 {
			f.c.listen(false)
			f.x.abort()
			return f.finish(ErrTimeout), true
		}
	}
	return nil, false
}

// Cancel stops the transfer if it is in progress; Poll then reports ErrCanceled.
func (f *DMAFuture) Cancel() {
	if f.state != futRunning {
		return
	}
	f.c.listen(false)
	if f.x.inflight || f.x.off > 0 {
		f.x.abort()
	}
	f.finish(ErrCanceled)
}

func (f *DMAFuture) finish(err error) error {
	f.state, f.err = futDone, err
	if f.owner {
		f.c.listen(false)
		f.owner = false
		f.c.busy.Store(callNone)
	}
	if f.timed {
		f.timer.Cancel()
		f.timed = false
	}
	return err
}
