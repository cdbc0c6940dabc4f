//go:build !tinygo

package uart_test

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// The async driver keeps the blocking methods, so it is an io.ReadWriter too.
var (
	_ io.ReadWriter = (*uart.Blocking)(nil)
	_ io.ReadWriter = (*uart.Async)(nil)
)

// runAsync runs firmware with hal.Init, a thread-mode executor and UART0 in async mode at
// cfg; spawn adds the tasks, then the executor runs until they have all finished.
func runAsync(t *testing.T, cfg uart.Config, spawn func(c *sim.Chip, ex *executor.Executor, u *uart.Async)) *sim.Chip {
	t.Helper()
	return run(t, func(c *sim.Chip) {
		p, err := hal.Init(hal.Config{})
		if err != nil {
			panic(err)
		}
		defer systimer.Stop()
		b, err := uart.New(p.UART0, cfg, p.GPIO21, p.GPIO20)
		if err != nil {
			panic(err)
		}
		u := b.IntoAsync()
		defer u.Close()
		ex, err := executor.Thread(executor.Options{})
		if err != nil {
			panic(err)
		}
		defer ex.Close()
		spawn(c, ex, u)
		ex.Run()
	})
}

// readTask polls one read future and records its outcome, when (virtual time and cycles)
// it completed, and the UART's interrupt enables then.
type readTask struct {
	c      *sim.Chip
	f      uart.ReadFuture
	res    async.Outcome[int]
	at     time.Duration
	cycles uint32
	ena    uint32
	polls  int
}

func (r *readTask) Poll(cx *async.Context) bool {
	r.polls++
	res, ok := r.f.Poll(cx)
	if !ok {
		return false
	}
	r.cycles = rt.Cycles()
	r.at = r.c.Now()
	r.res = res
	r.ena = uint32(esp32c3.UART0.INT_ENA.Read())
	return true
}

func TestAsyncReadWakesOnRxTimeoutForAShortBurst(t *testing.T) {
	buf := make([]byte, 64)
	var task readTask
	var thrhd uint32
	runAsync(t, uart.Config{}, func(c *sim.Chip, ex *executor.Executor, u *uart.Async) {
		c.UART(0).FeedAt(time.Millisecond, []byte("hello")...)
		task = readTask{c: c, f: u.ReadAsync(buf)}
		ex.Spawner().Spawn(&task)
		ex.Run()
		thrhd = esp32c3.UART0.CONF1.Read().RXFIFO_FULL_THRHD()
	})
	require.NoError(t, task.res.Err)
	assert.Equal(t, "hello", string(buf[:task.res.Value]))
	// 5 frames, then the line idle for the RX timeout: 10 symbols of 10 bits.
	want := time.Millisecond + 5*frame + 10*frame
	assert.GreaterOrEqual(t, task.at, want)
	assert.Less(t, task.at, want+5*time.Microsecond, "woken by RXFIFO_TOUT")
	assert.Equal(t, 2, task.polls, "one poll to arm, one after the interrupt")
	assert.Zero(t, task.ena, "nothing left enabled")
	assert.Equal(t, uint32(119), thrhd, "threshold restored")
}

func TestAsyncReadWakesAtTheThresholdItNeeds(t *testing.T) {
	buf := make([]byte, 4)
	var task readTask
	runAsync(t, uart.Config{}, func(c *sim.Chip, ex *executor.Executor, u *uart.Async) {
		c.UART(0).FeedAt(time.Millisecond, []byte("abcdefgh")...)
		task = readTask{c: c, f: u.ReadAsync(buf)}
		ex.Spawner().Spawn(&task)
	})
	require.NoError(t, task.res.Err)
	assert.Equal(t, "abcd", string(buf[:task.res.Value]))
	want := time.Millisecond + 4*frame
	assert.GreaterOrEqual(t, task.at, want)
	assert.Less(t, task.at, want+5*time.Microsecond, "woken by RXFIFO_FULL at 4 bytes")
}

func TestAsyncReadExactAcrossManyFIFOs(t *testing.T) {
	msg := make([]byte, 1000)
	for i := range msg {
		msg[i] = byte(i * 7)
	}
	buf := make([]byte, len(msg))
	var task readTask
	runAsync(t, uart.Config{Baud: 1_000_000}, func(c *sim.Chip, ex *executor.Executor, u *uart.Async) {
		c.UART(0).FeedAt(100*time.Microsecond, msg...)
		task = readTask{c: c, f: u.ReadExactAsync(buf)}
		ex.Spawner().Spawn(&task)
	})
	require.NoError(t, task.res.Err)
	assert.Equal(t, msg, buf)
	// Woken about once per 120 bytes (the FIFO threshold), not per byte.
	assert.Less(t, task.polls, 20)
	t.Logf("1000 bytes at 1 MBaud in %d polls", task.polls)
}

// writeTask writes then flushes, recording when the flush completed.
type writeTask struct {
	c       *sim.Chip
	w       uart.WriteFuture
	f       uart.FlushFuture
	wrote   bool
	n       int
	flushed time.Duration
	polls   int
}

func (w *writeTask) Poll(cx *async.Context) bool {
	w.polls++
	if !w.wrote {
		res, ok := w.w.Poll(cx)
		if !ok {
			return false
		}
		w.n, w.wrote = res.Value, true
	}
	if _, ok := w.f.Poll(cx); !ok {
		return false
	}
	w.flushed = w.c.Now()
	return true
}

func TestAsyncWriteAndFlush(t *testing.T) {
	msg := make([]byte, 1000)
	for i := range msg {
		msg[i] = byte('A' + i%26)
	}
	var task writeTask
	var idle float64
	c := runAsync(t, uart.Config{}, func(c *sim.Chip, ex *executor.Executor, u *uart.Async) {
		task = writeTask{c: c, w: u.WriteAsync(msg), f: u.FlushAsync()}
		ex.Spawner().Spawn(&task)
		ex.Run()
		idle = ex.Idle()
	})
	tx := c.UART(0).TX()
	assert.Equal(t, 1000, task.n)
	assert.Equal(t, msg, c.UART(0).TXBytes())
	last := tx[len(tx)-1].End
	assert.GreaterOrEqual(t, task.flushed, last)
	assert.Less(t, task.flushed, last+5*time.Microsecond, "woken by TX_DONE")
	assert.Less(t, task.polls, 20, "woken per TXFIFO_EMPTY, about every 118 bytes")
	assert.Greater(t, idle, 0.95, "the CPU sleeps while the FIFO drains")
	t.Logf("1000 bytes written in %d polls, CPU idle %.2f%%", task.polls, 100*idle)
}

// deadlineTask polls a read with a timeout around it.
type deadlineTask struct {
	c   *sim.Chip
	rd  uart.ReadFuture
	d   *async.Timeout[async.Outcome[int]]
	res async.Outcome[async.Outcome[int]]
	at  time.Duration
	ena uint32
}

func (d *deadlineTask) Poll(cx *async.Context) bool {
	if d.d == nil {
		d.d = async.WithTimeout[async.Outcome[int]](&d.rd, 50*async.Millisecond)
	}
	res, ok := d.d.Poll(cx)
	if !ok {
		return false
	}
	d.res, d.at = res, d.c.Now()
	d.ena = uint32(esp32c3.UART0.INT_ENA.Read())
	return true
}

func TestAsyncTimeoutOnASilentUARTDisarmsTheRead(t *testing.T) {
	var task deadlineTask
	var start time.Duration
	runAsync(t, uart.Config{}, func(c *sim.Chip, ex *executor.Executor, u *uart.Async) {
		start = c.Now()
		task = deadlineTask{c: c, rd: u.ReadAsync(make([]byte, 8))}
		ex.Spawner().Spawn(&task)
	})
	assert.ErrorIs(t, task.res.Err, async.ErrTimeout)
	assert.InDelta(t, float64(start+50*time.Millisecond), float64(task.at), float64(50*time.Microsecond))
	assert.Zero(t, task.ena, "Cancel disabled the read's interrupt sources")
}

func TestAsyncReadReportsReceiveErrors(t *testing.T) {
	buf := make([]byte, 8)
	var first, second readTask
	runAsync(t, uart.Config{Parity: uart.ParityOdd}, func(c *sim.Chip, ex *executor.Executor, u *uart.Async) {
		c.UART(0).FeedFault('x', sim.ParityFault)
		c.UART(0).FeedAt(c.Now()+time.Millisecond, 'o', 'k')
		first = readTask{c: c, f: u.ReadAsync(buf)}
		ex.Spawner().Spawn(&first)
		ex.Run()
		second = readTask{c: c, f: u.ReadAsync(buf)}
		ex.Spawner().Spawn(&second)
	})
	assert.ErrorIs(t, first.res.Err, uart.ErrParityError)
	assert.Zero(t, first.res.Value)
	require.NoError(t, second.res.Err)
	assert.Equal(t, "ok", string(buf[:second.res.Value]))
}

// TestRxByteToTaskResumed measures, in virtual CPU cycles, how long after a byte's stop bit
// the task waiting for it runs again: the UART raises RXFIFO_FULL (threshold lowered to 1
// byte for a 1-byte read), the handler disables it and wakes the task, the thread-mode
// executor leaves WFI and polls. Register accesses cost 50 ns (8 cycles at 160 MHz) in the
// simulator; taking a trap costs nothing there.
func TestRxByteToTaskResumed(t *testing.T) {
	measure := func(bufLen int) (cycles uint64, ns time.Duration) {
		buf := make([]byte, bufLen)
		var task readTask
		const at = 2 * time.Millisecond
		runAsync(t, uart.Config{}, func(c *sim.Chip, ex *executor.Executor, u *uart.Async) {
			c.UART(0).FeedAt(at, 'x')
			task = readTask{c: c, f: u.ReadAsync(buf)}
			ex.Spawner().Spawn(&task)
		})
		require.NoError(t, task.res.Err)
		require.Equal(t, 1, task.res.Value)
		end := at + frame // the stop bit's end (to the nanosecond: frame is truncated)
		ns = task.at - end
		endCycles := uint64(end) * 160 / 1000
		return uint64(task.cycles) - endCycles, ns
	}
	cyc, ns := measure(1)
	t.Logf("UART RX byte -> task resumed (RXFIFO_FULL, 1-byte read): %d cycles (%v) at 160 MHz", cyc, ns)
	assert.Less(t, cyc, uint64(2000))
	cycT, nsT := measure(64)
	t.Logf("UART RX byte -> task resumed (RXFIFO_TOUT, 64-byte read, 10-symbol timeout): %d cycles (%v)", cycT, nsT)
	assert.InDelta(t, float64(10*frame), float64(nsT), float64(ns+time.Microsecond))
}

// TestAcrossIntoAsyncAndBack moves one driver Blocking → Async → Blocking: each mode works,
// the interrupt is bound only while async, and the blocking methods work on the Async.
func TestAcrossIntoAsyncAndBack(t *testing.T) {
	var got []string
	var mappedAsync, mappedAfter bool
	c := run(t, func(c *sim.Chip) {
		p, err := hal.Init(hal.Config{})
		if err != nil {
			panic(err)
		}
		defer systimer.Stop()
		b, err := uart.New(p.UART1, uart.Config{Baud: 230400, InterruptPriority: 3}, p.GPIO4, p.GPIO5)
		if err != nil {
			panic(err)
		}
		rx := c.UART(1)
		buf := make([]byte, 16)

		b.Write([]byte("blocking;"))
		rx.FeedAt(c.Now()+100*time.Microsecond, []byte("one")...)
		n, _ := b.ReadExact(buf[:3])
		got = append(got, string(buf[:n]))

		a := b.IntoAsync()
		mappedAsync = c.Machine().Core(0).SourceLine(int(esp32c3.IRQ_UART1)) != 0
		a.Write([]byte("async-blocking;")) // a blocking method kept by Async
		ex, err := executor.Thread(executor.Options{})
		if err != nil {
			panic(err)
		}
		rx.FeedAt(c.Now()+time.Millisecond, []byte("two")...)
		rd := readTask{c: c, f: a.ReadExactAsync(buf[:3])}
		wr := writeTask{c: c, w: a.WriteAsync([]byte("async;")), f: a.FlushAsync()}
		ex.Spawner().Spawn(&rd)
		ex.Spawner().Spawn(&wr)
		ex.Run()
		ex.Close()
		got = append(got, string(buf[:rd.res.Value]))

		b = a.IntoBlocking()
		mappedAfter = c.Machine().Core(0).SourceLine(int(esp32c3.IRQ_UART1)) != 0
		rx.FeedAt(c.Now()+100*time.Microsecond, []byte("three")...)
		n, _ = b.ReadExact(buf[:5])
		got = append(got, string(buf[:n]))
		b.Write([]byte("blocking again"))
		b.Flush()
		b.Close()
	})
	assert.Equal(t, []string{"one", "two", "three"}, got)
	assert.Equal(t, "blocking;async-blocking;async;blocking again", string(c.UART(1).TXBytes()))
	assert.True(t, mappedAsync, "IntoAsync maps UART1's source on this core")
	assert.False(t, mappedAfter, "IntoBlocking unmaps it")
}

// TestBothUARTsAsync runs a read on each UART at once; each handler wakes its own task.
func TestBothUARTsAsync(t *testing.T) {
	var r0, r1 readTask
	buf0, buf1 := make([]byte, 5), make([]byte, 5)
	run(t, func(c *sim.Chip) {
		p, err := hal.Init(hal.Config{})
		if err != nil {
			panic(err)
		}
		defer systimer.Stop()
		b0, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
		if err != nil {
			panic(err)
		}
		b1, err := uart.New(p.UART1, uart.Config{Baud: 9600}, p.GPIO4, p.GPIO5)
		if err != nil {
			panic(err)
		}
		u0, u1 := b0.IntoAsync(), b1.IntoAsync()
		ex, err := executor.Thread(executor.Options{})
		if err != nil {
			panic(err)
		}
		c.UART(0).FeedAt(time.Millisecond, []byte("zero!")...)
		c.UART(1).FeedAt(time.Millisecond, []byte("one!!")...)
		r0 = readTask{c: c, f: u0.ReadExactAsync(buf0)}
		r1 = readTask{c: c, f: u1.ReadExactAsync(buf1)}
		ex.Spawner().Spawn(&r0)
		ex.Spawner().Spawn(&r1)
		ex.Run()
		ex.Close()
		u0.Close()
		u1.Close()
	})
	assert.Equal(t, "zero!", string(buf0))
	assert.Equal(t, "one!!", string(buf1))
	// 5 frames each: 0.43 ms at 115200, 5.2 ms at 9600.
	assert.InDelta(t, float64(time.Millisecond+5*frame), float64(r0.at), float64(5*time.Microsecond))
	assert.InDelta(t, float64(time.Millisecond+5*10*time.Second/9600), float64(r1.at), float64(10*time.Microsecond))
}
