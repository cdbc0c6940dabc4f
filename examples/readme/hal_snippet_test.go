package readme

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/uart"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// urgent is the README's stackless task: it finishes on its first poll.
type urgent struct{ ran bool }

func (u *urgent) Poll(*async.Context) bool { u.ran = true; return true }

// TestReadmeAsyncAndHALSnippets runs the README's async and hal snippets, as written there,
// on the simulator: the ticker ticks eight times at 250 ms without drift, and the async UART
// read returns the bytes the outside world sends.
func TestReadmeAsyncAndHALSnippets(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard))
	defer c.Close()
	var (
		ticks []async.Instant
		start async.Instant
		got   string
		n     async.Outcome[int]
		u0    urgent
		tx    []byte
	)
	c.UART(0).OnTX(func(b sim.TimedByte) { tx = append(tx, b.Byte) })
	c.UART(0).FeedAt(50*time.Millisecond, []byte("hi")...)
	err := c.Run(func() {
		p, err := hal.Init(hal.Config{})
		require.NoError(t, err)
		th, err := executor.Thread(executor.Options{Name: "main"})
		require.NoError(t, err)
		defer th.Close()
		hi, err := executor.Interrupt(0, 2, executor.Options{Name: "hi"})
		require.NoError(t, err)
		defer hi.Close()
		_, err = async.Spawn(hi.Spawner(), &u0)
		require.NoError(t, err)
		start = async.Now()
		_, err = th.Spawner().Spawn(async.Go(func(t *async.T) {
			tk := async.NewTicker(250 * async.Millisecond)
			for i := 0; i < 8; i++ {
				ticks = append(ticks, async.Await[async.Instant](t, &tk))
			}
		}))
		require.NoError(t, err)

		u, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
		require.NoError(t, err)
		u.Write([]byte("blocking hello\r\n"))
		ua := u.IntoAsync()
		buf := make([]byte, 2)
		_, err = th.Spawner().Spawn(async.Go(func(t *async.T) {
			rd := ua.ReadAsync(buf)
			n = async.Await[async.Outcome[int]](t, &rd)
			got = string(buf[:n.Value])
		}))
		require.NoError(t, err)
		th.Run()
		ua.Close()
	})
	require.NoError(t, err)
	require.True(t, u0.ran)
	require.Len(t, ticks, 8)
	require.InDelta(t, float64(start.Add(250*async.Millisecond)), float64(ticks[0]), 1000, "the first tick, 250 ms after the start")
	for i := 1; i < len(ticks); i++ {
		require.Equal(t, 250*async.Millisecond, ticks[i].Sub(ticks[i-1]), "tick %d: no drift", i)
	}
	require.NoError(t, n.Err)
	require.Equal(t, "hi", got)
	require.Contains(t, string(tx), "blocking hello")
}
