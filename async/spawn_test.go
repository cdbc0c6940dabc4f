package async_test

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gohal/gohal/async"
	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/stretchr/testify/require"
)

// once is a task that records it ran and finishes.
type once struct{ ran *atomic.Int32 }

func (o once) Poll(*async.Context) bool { o.ran.Add(1); return true }

// Tasks spawned from an interrupt handler (a copy of the Spawner in a FROM_CPU_INTR handler)
// run on the thread-mode executor, and a full table is an error the handler sees, not a panic.
func TestSpawnFromAnInterruptHandler(t *testing.T) {
	var ran atomic.Int32
	var spawned, full int
	err := sim.New(sim.Log(io.Discard)).Run(func() {
		e, err := async.New(async.Config{Name: "thread", Tasks: 2})
		require.NoError(t, err)
		defer e.Close()
		sp := e.Spawner()
		swi := syncSWI(1)
		swi.Bind(func() {
			swi.Clear()
			for i := 0; i < 3; i++ { // one more than the table holds
				if _, err := sp.Spawn(once{&ran}); errors.Is(err, async.ErrTableFull) {
					full++
				} else if err == nil {
					spawned++
				}
			}
		}, 1)
		// A task that keeps the executor alive until the handler has run twice.
		rounds := 0
		_, err = sp.SpawnNamed("raiser", async.TaskFunc(func(cx *async.Context) bool {
			if rounds == 2 {
				return true
			}
			rounds++
			swi.Raise() // the handler runs now and spawns
			cx.Waker().Wake()
			return false
		}), 0)
		require.NoError(t, err)
		e.Run()
	})
	require.NoError(t, err)
	require.Equal(t, int32(spawned), ran.Load(), "every task spawned from the handler ran")
	require.NotZero(t, spawned)
	require.NotZero(t, full, "a full table is reported as ErrTableFull")
}

// Goroutines spawning into one executor while another goroutine polls it: every task that
// was accepted runs exactly once, none is lost, and rejected spawns are ErrTableFull.
func TestSpawnFromManyGoroutines(t *testing.T) {
	e, err := async.New(async.Config{Name: "shared", Tasks: 16})
	require.NoError(t, err)
	defer e.Close()
	var ran, accepted atomic.Int32
	var wg sync.WaitGroup
	stop := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for {
			select {
			case <-stop:
				e.Poll()
				return
			default:
				e.Poll()
			}
		}
	}()
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sp := e.Spawner()
			for i := 0; i < 500; i++ {
				_, err := sp.Spawn(once{&ran})
				switch {
				case err == nil:
					accepted.Add(1)
				case !errors.Is(err, async.ErrTableFull):
					t.Errorf("Spawn: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-polled
	for e.Len() > 0 {
		e.Poll()
	}
	require.NotZero(t, accepted.Load())
	require.Equal(t, accepted.Load(), ran.Load(), "every accepted task ran exactly once")
}
