// Package dma is the ESP32-C3's GDMA: descriptor chains in caller-provided memory, channel
// ownership through hal/periph, and memory-to-memory copies, blocking or async, in gohal's
// driver shape (see package hal). Peripheral drivers move data through a claimed Channel
// (hal/spi's DMA transfers).
//
//	p, _ := hal.Init(hal.Config{})
//	m, err := dma.New(p.DMA0, dma.Config{})
//	var descs [2 * 2]dma.Descriptor         // DescriptorsFor(len(src)) per direction
//	err = m.Copy(dst, src, descs[:])        // blocking, bounded by Config.Timeout
//	am := m.IntoAsync()                     // m is consumed
//	f := am.CopyAsync(dst, src, descs[:])   // an async.Future[error], completed by IN_SUC_EOF
//	err = am.AwaitCopy(t, dst, src, descs[:]) // from a straight-line task, allocation-free
//
// # Descriptors
//
// A Descriptor is the hardware's three-word linked-list node (size/length/suc_eof/owner,
// buffer address, next address). BuildChain builds a chain over a byte slice in pieces of
// at most ChunkSize (4092) bytes into a []Descriptor the caller provides, and nothing here
// allocates: the descriptors, like the buffers, are the caller's memory, and must stay put
// while a transfer runs (the hardware writes receive descriptors back).
//
// # Memory and alignment (TRM, GDMA)
//
//   - The GDMA reaches internal SRAM only (0x3FC80000..0x3FCE0000 on the data bus): a
//     buffer or a descriptor anywhere else (a string constant or other read-only data in
//     flash, ROM, a peripheral) is ErrNotInternal. A channel's LINK register holds only the
//     low 20 bits of the first descriptor's address; the engine supplies internal SRAM's
//     high bits. The C3 has no data cache in front of SRAM, so there is nothing to flush.
//   - Memory-to-memory copies run with burst transfers on (descriptors and data, as
//     ESP-IDF's async memcpy sets them), and with bursts the receive nodes' buffer address
//     and size must be word-aligned: Copy requires both buffers word-aligned and a length
//     that is a multiple of 4 (ErrAlignment). Peripheral transfers run without bursts and
//     have no alignment rule.
//   - Lengths: a copy moves len(src) bytes (at least 4) into dst[:len(src)]; a chain needs
//     DescriptorsFor(n) descriptors per direction, so Copy takes 2·DescriptorsFor(len(src))
//     (ErrDescriptors).
//
// On the host the buffers and descriptors are Go memory that the simulator's GDMA model
// reaches through rt/mmio's DMA window (BusAddr/DMABytes): keep them in variables that
// outlive the transfer, as on the chip.
//
// # Completion, errors, timeouts
//
// A copy is done when the IN side raises IN_SUC_EOF (the last receive node got the OUT
// chain's suc_eof). A descriptor error (IN_DSCR_ERR, OUT_DSCR_ERR, IN_DSCR_EMPTY) ends it
// with ErrDescriptor. A copy that has not finished within Config.Timeout (1 s by default) is
// ErrTimeout; the channel is then reset. The async future waits for IN_SUC_EOF or an error
// through the channel's interrupt (DMA_CH0..2) with hal/internal/irqevent; Cancel resets the
// channel. One copy at a time per driver: a future polled while another copy is in
// progress panics naming both, a blocking call gets ErrBusy.
package dma

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/rt"
)

// Defaults for zero Config fields.
const (
	DefaultTimeout  = time.Second
	DefaultPriority = rt.Priority(1)
)

// Config configures a memory-to-memory driver.
type Config struct {
	// Timeout bounds a copy (default DefaultTimeout).
	Timeout time.Duration
	// Priority is the interrupt priority IntoAsync binds the channel's interrupt at
	// (default 1).
	Priority rt.Priority
}

// Errors.
var (
	ErrNotInternal = errors.New("dma: buffer or descriptors outside internal SRAM (0x3FC80000..0x3FCE0000): the GDMA reaches internal SRAM only")
	ErrAlignment   = errors.New("dma: memory-to-memory buffers must be word-aligned and the length a multiple of 4 (burst transfers)")
	ErrLength      = errors.New("dma: empty source, or a destination shorter than the source")
	ErrDescriptors = errors.New("dma: too few descriptors: a copy of n bytes takes 2*DescriptorsFor(n)")
	ErrDescriptor  = errors.New("dma: the engine reported a descriptor error (IN_DSCR_ERR, OUT_DSCR_ERR or IN_DSCR_EMPTY)")
	ErrTimeout     = errors.New("dma: timed out waiting for the transfer to finish")
	ErrBusy        = errors.New("dma: another transfer is in progress on this channel")
	ErrCanceled    = errors.New("dma: transfer cancelled")
	ErrConfig      = errors.New("dma: invalid configuration")
)

const (
	goneAsync    = "dma: this Blocking driver was consumed by IntoAsync; use the Async driver it returned"
	goneBlocking = "dma: this Async driver was consumed by IntoBlocking; use the Blocking driver it returned"
	goneClosed   = "dma: this driver was closed"
)

// The calls that start a copy, as engine.busy records the one in progress.
const (
	callNone = iota
	callCopy
	callCopyAsync
	callAwaitCopy
)

var callNames = [...]string{"", "Copy", "CopyAsync", "AwaitCopy"}

// engine is the state the Blocking and Async values share.
type engine struct {
	ch           *Channel
	timeoutTicks uint64
	prio         rt.Priority
	busy         atomic.Uint32
	await        Future // the typed await's future: a local would escape
}

// Blocking is a GDMA channel doing memory-to-memory copies, blocking.
type Blocking struct {
	c    *engine
	gone string
}

// Async is a GDMA channel doing memory-to-memory copies with futures completed by the
// channel's interrupt; it keeps the blocking Copy.
type Async struct {
	c    *engine
	gone string
}

// New claims channel ch for memory-to-memory copies and returns the Blocking driver.
func New(ch periph.DMAChannel, cfg Config) (*Blocking, error) {
	to := cfg.Timeout
	if to <= 0 {
		to = DefaultTimeout
	}
	prio := cfg.Priority
	if prio == 0 {
		prio = DefaultPriority
	}
	if prio > rt.MaxPriority {
		return nil, ErrConfig
	}
	c, err := Claim(ch, "a dma memory-to-memory driver")
	if err != nil {
		return nil, err
	}
	c.Connect(PeripheralMem2Mem)
	return &Blocking{c: &engine{ch: c, timeoutTicks: uint64(to/time.Microsecond) * systimer.TicksPerMicrosecond, prio: prio}}, nil
}

func (b *Blocking) engine() *engine {
	if b == nil || b.c == nil {
		if b != nil && b.gone != "" {
			panic(b.gone)
		}
		panic("dma: nil Blocking driver")
	}
	return b.c
}

func (a *Async) engine() *engine {
	if a == nil || a.c == nil {
		if a != nil && a.gone != "" {
			panic(a.gone)
		}
		panic("dma: nil Async driver")
	}
	return a.c
}

// Channel returns the channel number.
func (b *Blocking) Channel() int { return b.engine().ch.Number() }

// Copy copies src into dst[:len(src)], blocking until the GDMA has finished (see the
// package documentation for the rules on memory, alignment and descriptors).
func (b *Blocking) Copy(dst, src []byte, descs []Descriptor) error {
	return b.engine().copy(callCopy, dst, src, descs)
}

// IntoAsync binds the channel's interrupt on the current core and returns the Async
// driver; b is consumed.
func (b *Blocking) IntoAsync() *Async {
	c := b.engine()
	b.c, b.gone = nil, goneAsync
	c.bindInterrupt()
	return &Async{c: c}
}

// Close resets the channel and releases it.
func (b *Blocking) Close() {
	c := b.engine()
	b.c, b.gone = nil, goneClosed
	c.ch.Release()
}

// Channel returns the channel number.
func (a *Async) Channel() int { return a.engine().ch.Number() }

// Copy copies src into dst, blocking (see Blocking.Copy).
func (a *Async) Copy(dst, src []byte, descs []Descriptor) error {
	return a.engine().copy(callCopy, dst, src, descs)
}

// CopyAsync returns a future that copies src into dst[:len(src)]. Nothing happens until
// it is polled; keep it at one address from its first Poll on, and Cancel it if its result
// is no longer wanted.
func (a *Async) CopyAsync(dst, src []byte, descs []Descriptor) Future {
	return Future{c: a.engine(), dst: dst, src: src, descs: descs, call: callCopyAsync}
}

// AwaitCopy copies src into dst from a straight-line task (async.Go): CopyAsync and
// async.Await in one call, with the future kept in the driver, so it allocates nothing.
// Called while another copy is in progress, it panics naming both.
func (a *Async) AwaitCopy(t *async.T, dst, src []byte, descs []Descriptor) error {
	c := a.engine()
	f := &c.await
	if f.state == futRunning {
		c.concurrent(callAwaitCopy)
	}
	*f = Future{c: c, dst: dst, src: src, descs: descs, call: callAwaitCopy}
	return async.Await(t, f)
}

// IntoBlocking unbinds the interrupt and returns the Blocking driver; a is consumed. It
// panics if a copy is in progress (Cancel it first).
func (a *Async) IntoBlocking() *Blocking {
	c := a.engine()
	if c.busy.Load() != callNone {
		panic("dma: IntoBlocking while an async copy is in progress; Cancel it first")
	}
	a.c, a.gone = nil, goneBlocking
	c.unbindInterrupt()
	return &Blocking{c: c}
}

// Close unbinds the interrupt, resets the channel and releases it.
func (a *Async) Close() {
	c := a.engine()
	a.c, a.gone = nil, goneClosed
	c.unbindInterrupt()
	c.ch.Release()
}

// concurrent panics for a future polled while another copy holds the driver.
func (c *engine) concurrent(second uint8) {
	first := c.busy.Load()
	panic("dma: " + callNames[second] + " polled while a " + callNames[first] +
		" is in progress on this channel; one copy at a time: await it (or Cancel it) before starting another")
}

// start validates a copy, builds its chains and starts the channel; the caller holds busy.
func (c *engine) start(dst, src []byte, descs []Descriptor) error {
	n := len(src)
	if n == 0 || len(dst) < n {
		return ErrLength
	}
	if busAddr(sliceData(src), uintptr(n))&3 != 0 || busAddr(sliceData(dst), uintptr(n))&3 != 0 || n&3 != 0 {
		return ErrAlignment
	}
	k := DescriptorsFor(n)
	if len(descs) < 2*k {
		return ErrDescriptors
	}
	if _, err := BuildChain(descs[:k], src, TX); err != nil {
		return err
	}
	if _, err := BuildChain(descs[k:2*k], dst[:n], RX); err != nil {
		return err
	}
	ch := c.ch
	ch.Reset()
	ch.Connect(PeripheralMem2Mem)
	ch.StartRx(&descs[k])
	ch.StartTx(&descs[0])
	return nil
}

// check reports whether the copy has ended, and how.
func (c *engine) check() (bool, error) {
	raw := c.ch.Raw()
	switch {
	case raw&IntErrors != 0:
		c.ch.Reset()
		return true, ErrDescriptor
	case raw&IntInSucEOF != 0:
		c.ch.Clear(intAll)
		return true, nil
	}
	return false, nil
}

// copy is a blocking copy.
func (c *engine) copy(call uint32, dst, src []byte, descs []Descriptor) error {
	if !c.busy.CompareAndSwap(callNone, call) {
		return ErrBusy
	}
	err := c.start(dst, src, descs)
	if err == nil {
		deadline := systimer.Ticks() + c.timeoutTicks
		for {
			done, e := c.check()
			if done {
				err = e
				break
			}
			if systimer.Ticks() > deadline {
				c.ch.Reset()
				err = ErrTimeout
				break
			}
		}
	}
	c.busy.Store(callNone)
	return err
}
