//go:build !tinygo

package usbserial_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/usbserial"
	"github.com/gohal/gohal/pac/esp32c3"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

var (
	_ io.ReadWriter = (*usbserial.Blocking)(nil)
	_ io.ReadWriter = (*usbserial.Async)(nil)
)

// slot is the simulated host's transaction interval (4 per 1 ms frame).
const slot = time.Millisecond / sim.DefaultPacketsPerFrame

// run runs firmware on a new chip whose USB host is attached (unless detached).
func run(t *testing.T, attached bool, firmware func(c *sim.Chip)) *sim.Chip {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(10*time.Second))
	if attached {
		c.USBSerial().Attach()
	}
	require.NoError(t, c.Run(func() { firmware(c) }))
	return c
}

func mustInit(timeDriver bool) *hal.Peripherals {
	p, err := hal.Init(hal.Config{NoTimeDriver: !timeDriver})
	if err != nil {
		panic(err)
	}
	return p
}

func mustNew(p *hal.Peripherals, cfg usbserial.Config) *usbserial.Blocking {
	u, err := usbserial.New(p.USBSerialJTAG, cfg)
	if err != nil {
		panic(err)
	}
	return u
}

// TestBlockingEcho: a line typed on the host comes back through the USB endpoint.
func TestBlockingEcho(t *testing.T) {
	c := run(t, true, func(c *sim.Chip) {
		u := mustNew(mustInit(false), usbserial.Config{ReadTimeout: time.Second})
		_, err := u.Write([]byte("ready\r\n"))
		if err != nil {
			panic(err)
		}
		c.USBSerial().WriteAt(2*time.Millisecond, []byte("hello\n")...)
		var buf [64]byte
		for got := 0; ; {
			n, err := u.Read(buf[got:])
			if err != nil {
				panic(err)
			}
			if _, err := u.Write(buf[got : got+n]); err != nil {
				panic(err)
			}
			got += n
			if bytes.IndexByte(buf[:got], '\n') >= 0 {
				break
			}
		}
		if err := u.Flush(); err != nil {
			panic(err)
		}
		u.Close()
	})
	assert.Equal(t, "ready\r\nhello\n", string(c.USBSerial().Read()))
	p := c.USBSerial().Packets()
	require.Len(t, p, 2, "each Write is one packet")
	assert.Equal(t, 2*time.Millisecond+2*slot, p[1].At, "the host's packet lands at the first slot after 2 ms, the echo leaves at the next")
}

// TestWriteWithoutHostTimesOut: with no host the first wait gives up after WriteTimeout,
// later writes drop at once, and a host attaching later gets the packet that waited.
func TestWriteWithoutHostTimesOut(t *testing.T) {
	var n1, n2 int
	var err1, err2, errFlush, err3 error
	var t1, t2 time.Duration
	var dropped int
	c := run(t, false, func(c *sim.Chip) {
		u := mustNew(mustInit(false), usbserial.Config{})
		data := bytes.Repeat([]byte("x"), 200)
		start := c.Now()
		n1, err1 = u.Write(data)
		t1 = c.Now() - start
		start = c.Now()
		n2, err2 = u.Write([]byte("more"))
		errFlush = u.Flush()
		t2 = c.Now() - start
		dropped = u.Dropped()

		// A host attaching reads the packet that waited at its first poll; until then
		// writes still drop at once, so give it a frame.
		c.USBSerial().Attach()
		for end := systimer.Ticks() + 16_000; systimer.Ticks() < end; {
		}
		_, err3 = u.Write([]byte("back"))
		u.Flush()
		u.Close()
	})
	assert.Equal(t, 64, n1, "one packet fits in the FIFO")
	assert.ErrorIs(t, err1, usbserial.ErrWriteTimeout)
	assert.ErrorIs(t, err1, usbserial.ErrTimeout)
	assert.InDelta(t, float64(usbserial.DefaultWriteTimeout), float64(t1), float64(100*time.Microsecond))
	assert.Zero(t, n2)
	assert.ErrorIs(t, err2, usbserial.ErrWriteTimeout)
	assert.ErrorIs(t, errFlush, usbserial.ErrWriteTimeout)
	assert.Less(t, t2, 100*time.Microsecond, "once timed out, writes do not wait again")
	assert.Equal(t, 136+4, dropped)
	assert.NoError(t, err3, "the host reads again")
	assert.Equal(t, string(bytes.Repeat([]byte("x"), 64))+"back", string(c.USBSerial().Read()))
}

// TestPartialPacketsNeedWrDone: Write hands its last partial packet over (WR_DONE); a
// long write goes as full packets plus the rest, each at a slot.
func TestPacketsOfAWrite(t *testing.T) {
	msg := make([]byte, 150)
	for i := range msg {
		msg[i] = byte('a' + i%26)
	}
	c := run(t, true, func(c *sim.Chip) {
		u := mustNew(mustInit(false), usbserial.Config{})
		u.Write(msg)
		u.Flush()
		u.Close()
	})
	p := c.USBSerial().Packets()
	require.Len(t, p, 3)
	assert.Len(t, p[0].Data, 64)
	assert.Len(t, p[1].Data, 64)
	assert.Len(t, p[2].Data, 22)
	assert.Equal(t, slot, p[1].At-p[0].At)
	assert.Equal(t, msg, c.USBSerial().Received())
}

func TestReadTimeout(t *testing.T) {
	var err error
	var took time.Duration
	run(t, true, func(c *sim.Chip) {
		u := mustNew(mustInit(false), usbserial.Config{ReadTimeout: 3 * time.Millisecond})
		start := c.Now()
		_, err = u.Read(make([]byte, 8))
		took = c.Now() - start
		u.Close()
	})
	assert.ErrorIs(t, err, usbserial.ErrReadTimeout)
	assert.InDelta(t, float64(3*time.Millisecond), float64(took), float64(50*time.Microsecond))
}

func TestConfigAndOwnership(t *testing.T) {
	var errCfg, errPrio, errTwice, errAfterClose error
	var cfg usbserial.Config
	var consumed string
	run(t, true, func(c *sim.Chip) {
		p := mustInit(false)
		_, errCfg = usbserial.New(p.USBSerialJTAG, usbserial.Config{WriteTimeout: -1})
		_, errPrio = usbserial.New(p.USBSerialJTAG, usbserial.Config{InterruptPriority: 16})
		u := mustNew(p, usbserial.Config{})
		cfg = u.Config()
		_, errTwice = usbserial.New(periph.StealUSBSerialJTAG(), usbserial.Config{})
		a := u.IntoAsync()
		func() {
			defer func() { consumed, _ = recover().(string) }()
			u.Write([]byte("x"))
		}()
		a.Close()
		u2, err := usbserial.New(p.USBSerialJTAG, usbserial.Config{})
		errAfterClose = err
		if err == nil {
			u2.Close()
		}
	})
	assert.ErrorIs(t, errCfg, usbserial.ErrConfig)
	assert.ErrorIs(t, errPrio, usbserial.ErrConfig)
	assert.Equal(t, usbserial.DefaultWriteTimeout, cfg.WriteTimeout)
	var inUse *periph.InUseError
	require.True(t, errors.As(errTwice, &inUse))
	assert.Equal(t, "USB_SERIAL_JTAG is already in use by usbserial.New (wanted by usbserial.New)", errTwice.Error())
	assert.Equal(t, "usbserial: Blocking driver used after IntoAsync consumed it", consumed)
	assert.NoError(t, errAfterClose)
}

// runAsync runs firmware with hal.Init (time driver on), a thread-mode executor and the
// driver in async mode.
func runAsync(t *testing.T, attached bool, body func(c *sim.Chip, ex *executor.Executor, u *usbserial.Async)) *sim.Chip {
	t.Helper()
	return run(t, attached, func(c *sim.Chip) {
		p := mustInit(true)
		defer systimer.Stop()
		u := mustNew(p, usbserial.Config{}).IntoAsync()
		defer u.Close()
		ex, err := executor.Thread(executor.Options{})
		if err != nil {
			panic(err)
		}
		defer ex.Close()
		body(c, ex, u)
		ex.Run()
	})
}

// TestAsyncReadWakesOnPacket: the read sleeps until SERIAL_OUT_RECV_PKT, then completes
// with the packet; the CPU is in WFI meanwhile.
func TestAsyncReadWakesOnPacket(t *testing.T) {
	var got string
	var at time.Duration
	var ena uint32
	var idle, total uint64
	runAsync(t, true, func(c *sim.Chip, ex *executor.Executor, u *usbserial.Async) {
		c.USBSerial().WriteAt(5*time.Millisecond, []byte("ping")...)
		buf := make([]byte, 64)
		ex.Spawner().Spawn(async.Go(func(t *async.T) {
			n, err := u.AwaitRead(t, buf)
			if err != nil {
				panic(err)
			}
			got, at = string(buf[:n]), c.Now()
			ena = uint32(esp32c3.USB_DEVICE.INT_ENA.Read())
		}))
		ex.Run()
		idle, total = ex.IdleCycles()
	})
	assert.Equal(t, "ping", got)
	assert.GreaterOrEqual(t, at, 5*time.Millisecond+slot)
	assert.Less(t, at, 5*time.Millisecond+slot+20*time.Microsecond, "woken by the interrupt at the packet's slot")
	assert.Zero(t, ena, "nothing left enabled")
	assert.Greater(t, float64(idle)/float64(total), 0.95, "asleep while waiting")
}

// TestAsyncWriteAndFlush: a 200-byte write goes as 64+64+64+8, each packet handed over
// when SERIAL_IN_EMPTY says the host took the previous one; the flush completes when the
// host has read the last.
func TestAsyncWriteAndFlush(t *testing.T) {
	msg := bytes.Repeat([]byte("0123456789"), 20)
	var n int
	var werr, ferr error
	var flushedAt time.Duration
	c := runAsync(t, true, func(c *sim.Chip, ex *executor.Executor, u *usbserial.Async) {
		ex.Spawner().Spawn(async.Go(func(t *async.T) {
			n, werr = u.AwaitWrite(t, msg)
			ferr = u.AwaitFlush(t)
			flushedAt = c.Now()
		}))
	})
	require.NoError(t, werr)
	require.NoError(t, ferr)
	assert.Equal(t, 200, n)
	p := c.USBSerial().Packets()
	require.Len(t, p, 4)
	assert.Len(t, p[3].Data, 8)
	assert.Equal(t, msg, c.USBSerial().Received())
	assert.Less(t, flushedAt-p[3].At, 20*time.Microsecond, "the flush wakes when the host reads the last packet")
}

// TestAsyncWriteTimesOutWithoutHost: the write's timer ends it after WriteTimeout.
func TestAsyncWriteTimesOutWithoutHost(t *testing.T) {
	var n int
	var werr, ferr error
	var took time.Duration
	runAsync(t, false, func(c *sim.Chip, ex *executor.Executor, u *usbserial.Async) {
		ex.Spawner().Spawn(async.Go(func(t *async.T) {
			start := c.Now()
			n, werr = u.AwaitWrite(t, make([]byte, 100))
			took = c.Now() - start
			ferr = u.AwaitFlush(t)
		}))
	})
	assert.Equal(t, 64, n)
	assert.ErrorIs(t, werr, usbserial.ErrWriteTimeout)
	assert.ErrorIs(t, ferr, usbserial.ErrWriteTimeout)
	assert.InDelta(t, float64(usbserial.DefaultWriteTimeout), float64(took), float64(200*time.Microsecond))
}

// gate is a future the test opens from outside a straight-line task, so AllocsPerRun
// measures one await per step.
type gate struct {
	open  bool
	waker async.Waker
}

func (g *gate) Poll(cx *async.Context) (struct{}, bool) {
	if g.open {
		g.open = false
		return struct{}{}, true
	}
	g.waker = cx.Waker()
	return struct{}{}, false
}
func (g *gate) Cancel() {}

// TestNoAllocations: reads (blocking and awaited) allocate nothing; writes and flushes
// allocate nothing beyond what the simulated host allocates for the packet, measured by
// the same packets written through the registers directly.
func TestNoAllocations(t *testing.T) {
	var blockingRead, awaitRead, rawWrite, blockingWrite, awaitWrite, awaitFlush float64
	run(t, true, func(c *sim.Chip) {
		p := mustInit(false)
		b := mustNew(p, usbserial.Config{})
		buf := make([]byte, 1)

		c.USBSerial().Write(bytes.Repeat([]byte("r"), 64))
		for c.USBSerial().Pending() == 64 && esp32c3.USB_DEVICE.EP1_CONF.Read()&4 == 0 {
		}
		blockingRead = testing.AllocsPerRun(20, func() {
			if n, err := b.Read(buf); n != 1 || err != nil {
				panic("Read")
			}
		})

		// The baseline: one byte and WR_DONE through the registers, then wait for the host.
		r := esp32c3.USB_DEVICE
		rawWrite = testing.AllocsPerRun(20, func() {
			r.EP1.Write('w')
			r.EP1_CONF.Write(1)
			for r.EP1_CONF.Read()&2 == 0 {
			}
		})
		blockingWrite = testing.AllocsPerRun(20, func() {
			if _, err := b.Write(buf); err != nil {
				panic(err)
			}
			if err := b.Flush(); err != nil {
				panic(err)
			}
		})

		a := b.IntoAsync()
		ex, err := async.New(async.Config{Tasks: 1})
		if err != nil {
			panic(err)
		}
		defer ex.Close()
		g := &gate{}
		mode := 0
		_, err = ex.Spawner().Spawn(async.Go(func(t *async.T) {
			for {
				async.Await(t, g)
				switch mode {
				case 0:
					if n, err := a.AwaitRead(t, buf); n != 1 || err != nil {
						panic("AwaitRead")
					}
				case 1:
					if _, err := a.AwaitWrite(t, buf); err != nil {
						panic(err)
					}
				default:
					if err := a.AwaitFlush(t); err != nil {
						panic(err)
					}
				}
			}
		}))
		if err != nil {
			panic(err)
		}
		ex.Poll()
		step := func() { g.open = true; g.waker.Wake(); ex.Poll() }
		awaitRead = testing.AllocsPerRun(20, step)
		mode = 1
		awaitWrite = testing.AllocsPerRun(20, func() {
			step()
			a.Flush() // the host reads it (blocking, outside the await)
		})
		mode = 2
		awaitFlush = testing.AllocsPerRun(20, func() {
			a.Write(buf) // a packet for the awaited flush to wait for
			step()
		})
		a.Close()
	})
	assert.Zero(t, blockingRead, "Read")
	assert.Zero(t, awaitRead, "AwaitRead")
	t.Logf("the simulated host allocates %v per packet", rawWrite)
	assert.Equal(t, rawWrite, blockingWrite, "Write + Flush")
	assert.Equal(t, rawWrite, awaitWrite, "AwaitWrite")
	assert.Equal(t, rawWrite, awaitFlush, "AwaitFlush")
}
