//go:build !tinygo

package uart_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/host"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// concurrentMsg is the panic of a future polled while another of its kind is pending.
func concurrentMsg(second, first, kind string) string {
	return "uart: UART0: " + second + " polled while a " + first + " is still pending on UART0; one " +
		kind + " at a time: await the " + first + " (or Cancel it) before starting another"
}

// await polls f from thread code until it completes, sleeping in WFI in between.
func await[T any](f async.Future[T]) T {
	cx := async.NewContext(0)
	for {
		cs := rt.EnterCritical()
		v, ok := f.Poll(cx)
		if !ok {
			rt.WaitForInterrupt()
		}
		cs.Exit()
		if ok {
			return v
		}
	}
}

// asyncUART0 is UART0 in async mode at 115200 baud, without the time driver.
func asyncUART0() *uart.Async {
	p, err := hal.Init(hal.Config{NoTimeDriver: true})
	if err != nil {
		panic(err)
	}
	b, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
	if err != nil {
		panic(err)
	}
	return b.IntoAsync()
}

// A second read polled while one is pending would take over its waker, and the first would
// never complete: it panics at once, naming the UART and both reads, and leaves the first
// untouched.
func TestSecondReadWhileOnePendingPanics(t *testing.T) {
	var first async.Outcome[int]
	buf := make([]byte, 2)
	run(t, func(c *sim.Chip) {
		u := asyncUART0()
		defer u.Close()
		cx := async.NewContext(0)
		fs := new(struct{ a, b, c uart.ReadFuture })
		fs.a = u.ReadAsync(buf)
		_, done := fs.a.Poll(cx)
		require.False(t, done)
		fs.b = u.ReadAsync(make([]byte, 2))
		require.PanicsWithValue(t, concurrentMsg("ReadAsync", "ReadAsync", "read"), func() { fs.b.Poll(cx) })
		fs.c = u.ReadExactAsync(make([]byte, 2))
		require.PanicsWithValue(t, concurrentMsg("ReadExactAsync", "ReadAsync", "read"), func() { fs.c.Poll(cx) })
		c.UART(0).FeedAt(c.Now()+time.Millisecond, 'o', 'k')
		first = await[async.Outcome[int]](&fs.a)
	})
	assert.Equal(t, async.Outcome[int]{Value: 2}, first, "the first read completes")
	assert.Equal(t, "ok", string(buf))
}

// The same misuse with the panic left to the simulator: Run reports it as a firmware panic
// with the message.
func TestSecondReadPanicReachesRun(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	err := sim.New(sim.Log(io.Discard), sim.Timeout(10*time.Second)).Run(func() {
		u := asyncUART0()
		cx := async.NewContext(0)
		fs := new(struct{ a, b uart.ReadFuture })
		fs.a = u.ReadExactAsync(make([]byte, 4))
		fs.a.Poll(cx)
		fs.b = u.ReadAsync(make([]byte, 4))
		fs.b.Poll(cx)
	})
	var pe *host.PanicError
	require.True(t, errors.As(err, &pe), "Run's error: %v", err)
	assert.Equal(t, concurrentMsg("ReadAsync", "ReadExactAsync", "read"), pe.Value)
}

// Reads one after another, and a read cancelled and replaced, are not concurrent.
func TestSequentialAndCancelledReadsDoNotPanic(t *testing.T) {
	var outs [3]async.Outcome[int]
	bufs := [3][]byte{make([]byte, 1), make([]byte, 2), make([]byte, 2)}
	run(t, func(c *sim.Chip) {
		u := asyncUART0()
		defer u.Close()
		cx := async.NewContext(0)
		fs := new([4]uart.ReadFuture)
		c.UART(0).FeedAt(c.Now()+time.Millisecond, 'a')
		fs[0] = u.ReadAsync(bufs[0])
		outs[0] = await[async.Outcome[int]](&fs[0])
		fs[1] = u.ReadAsync(make([]byte, 2)) // armed, then given up on
		_, done := fs[1].Poll(cx)
		require.False(t, done)
		fs[1].Cancel()
		fs[2] = u.ReadExactAsync(bufs[1])
		c.UART(0).FeedAt(c.Now()+time.Millisecond, 'b', 'c')
		outs[1] = await[async.Outcome[int]](&fs[2])
		fs[3] = u.ReadAsync(bufs[2])
		c.UART(0).FeedAt(c.Now()+time.Millisecond, 'd', 'e')
		outs[2] = await[async.Outcome[int]](&fs[3])
	})
	for i, want := range []string{"a", "bc", "de"} {
		assert.Equal(t, async.Outcome[int]{Value: len(want)}, outs[i], "read %d", i)
		assert.Equal(t, want, string(bufs[i]), "read %d", i)
	}
}

// The transmitter has one waker for a write or a flush: a second write, a flush during a
// write and a write during a flush panic; one after another they work.
func TestSecondWriteOrFlushWhileOnePendingPanics(t *testing.T) {
	var wrote async.Outcome[int]
	var flushed error
	run(t, func(c *sim.Chip) {
		u := asyncUART0()
		defer u.Close()
		cx := async.NewContext(0)
		fs := new(struct {
			w, w2, w3 uart.WriteFuture
			f, f2     uart.FlushFuture
		})
		fs.w = u.WriteAsync(make([]byte, 2*uart.FIFOSize))
		_, done := fs.w.Poll(cx)
		require.False(t, done, "the FIFO is full: the write waits")
		fs.w2 = u.WriteAsync([]byte("x"))
		require.PanicsWithValue(t, concurrentMsg("WriteAsync", "WriteAsync", "write or flush"), func() { fs.w2.Poll(cx) })
		fs.f = u.FlushAsync()
		require.PanicsWithValue(t, concurrentMsg("FlushAsync", "WriteAsync", "write or flush"), func() { fs.f.Poll(cx) })
		wrote = await[async.Outcome[int]](&fs.w)

		fs.f2 = u.FlushAsync()
		_, done = fs.f2.Poll(cx)
		require.False(t, done, "the transmitter is busy: the flush waits")
		fs.w3 = u.WriteAsync([]byte("y"))
		require.PanicsWithValue(t, concurrentMsg("WriteAsync", "FlushAsync", "write or flush"), func() { fs.w3.Poll(cx) })
		flushed = await[error](&fs.f2)
		fs.w3 = u.WriteAsync([]byte("y"))
		await[async.Outcome[int]](&fs.w3)
	})
	assert.Equal(t, async.Outcome[int]{Value: 2 * uart.FIFOSize}, wrote)
	assert.NoError(t, flushed)
}
