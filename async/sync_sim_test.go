package async_test

import (
	"io"
	"testing"

	"github.com/gohal/gohal/async"
	pac "github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/stretchr/testify/require"
)

// syncSWI is FROM_CPU_INTRn as a software interrupt for executors and hardware tasks.
type syncSWI int

func (n syncSWI) Raise() { pac.SYSTEM.CPU_INTR_FROM_CPU[n].Write(1) }
func (n syncSWI) Clear() { pac.SYSTEM.CPU_INTR_FROM_CPU[n].Write(0) }
func (n syncSWI) Bind(h func(), p rt.Priority) {
	src := rt.Source(sim.SourceFromCPU0) + rt.Source(n)
	rt.Bind(src, h)
	rt.Enable(src, p)
}

// simProducer runs on an interrupt executor: for i = 1..n it sends i, then takes the Mutex,
// bumps the shared counter and releases it; then it sends 0 to say it is done.
type simProducer struct {
	ch     *async.Channel[int]
	mu     *async.Mutex
	shared *simShared
	lock   async.LockFuture
	tx     async.SendFuture[int]
	i, n   int
	state  int
	waited int // polls that found the Mutex taken
	full   int // polls that found the Channel full
}

// simShared is data guarded by the async Mutex, touched by tasks at two interrupt levels.
type simShared struct {
	counter    int
	inside     bool
	violations int
}

func (s *simShared) enter() {
	if s.inside {
		s.violations++
	}
	s.inside = true
	s.counter++
}

func (s *simShared) leave() { s.inside = false }

func (p *simProducer) Poll(cx *async.Context) bool {
	for {
		switch p.state {
		case 0: // send the next value, or 0 at the end
			if p.i == p.n {
				p.tx.Reset(0)
				p.state = 2
				continue
			}
			p.i++
			p.tx.Reset(p.i)
			p.state = 1
		case 1, 2:
			if _, ok := p.tx.Poll(cx); !ok {
				p.full++
				return false
			}
			if p.state == 2 {
				return true
			}
			p.state = 3
		case 3: // lock, touch the shared data, unlock
			if _, ok := p.lock.Poll(cx); !ok {
				p.waited++
				return false
			}
			p.shared.enter()
			p.shared.leave()
			p.mu.Unlock()
			p.state = 0
		}
	}
}

// simConsumer runs on the thread executor: it receives until the producer's 0, holding the
// Mutex while it receives and across a yield after (so the producer, at a higher priority,
// must wait for a thread-mode task and is handed the lock by Unlock), and raises the
// hardware task's interrupt every 20 values.
type simConsumer struct {
	rx     async.ReceiveFuture[int]
	lock   async.LockFuture
	mu     *async.Mutex
	shared *simShared
	got    []int
	state  int
	done   bool
}

func (c *simConsumer) Poll(cx *async.Context) bool {
	for {
		switch c.state {
		case 0: // lock
			if _, ok := c.lock.Poll(cx); !ok {
				return false
			}
			c.shared.enter()
			c.state = 1
		case 1: // receive, holding the lock; then yield still holding it
			v, ok := c.rx.Poll(cx)
			if !ok {
				return false
			}
			if v == 0 {
				c.shared.leave()
				c.mu.Unlock()
				c.done = true
				return true
			}
			c.got = append(c.got, v)
			if v > 0 && v%20 == 0 {
				syncSWI(1).Raise() // the hardware task runs right after this write
			}
			c.state = 2
			cx.Waker().Wake()
			return false
		case 2: // unlock: the waiting producer is handed the lock and preempts us here
			c.shared.leave()
			c.state = 0
			c.mu.Unlock()
		}
	}
}

// simWatcher waits on a Signal until it has seen the hardware task's last count.
type simWatcher struct {
	wait async.SignalFuture[int]
	last int
	seen []int
}

func (w *simWatcher) Poll(cx *async.Context) bool {
	for {
		v, ok := w.wait.Poll(cx)
		if !ok {
			return false
		}
		w.seen = append(w.seen, v)
		if v == w.last {
			return true
		}
	}
}

// On the simulated ESP32-C3 the primitives connect a thread-mode executor, an interrupt
// executor at priority 2 that preempts it, and a hardware task (an interrupt handler at
// priority 1): a Channel carries values from the interrupt executor to the thread, a Mutex
// guards data both levels touch, and the handler uses TrySend and Signal.
func TestSyncPrimitivesAcrossInterruptLevelsOnTheSimulator(t *testing.T) {
	const n = 200
	var (
		shared   simShared
		consumer *simConsumer
		producer *simProducer
		watcher  *simWatcher
		irqs     int
		marked   int
		leftover int
	)
	err := sim.New(sim.Log(io.Discard)).Run(func() {
		thread, err := async.New(async.Config{Name: "thread", Tasks: 2})
		if err != nil {
			panic(err)
		}
		defer thread.Close()
		high, err := async.New(async.Config{Name: "high", Tasks: 1, Interrupt: syncSWI(3), Priority: 2})
		if err != nil {
			panic(err)
		}
		defer high.Close()

		ch := async.NewChannel[int](2)
		var mu async.Mutex
		var sig async.Signal[int]
		syncSWI(1).Bind(func() {
			syncSWI(1).Clear()
			irqs++
			if ch.TrySend(-irqs) { // dropped when the channel is full: it never blocks
				marked++
			}
			sig.Signal(irqs)
		}, 1)

		consumer = &simConsumer{rx: ch.Receive(), lock: mu.Lock(), mu: &mu, shared: &shared}
		watcher = &simWatcher{wait: sig.Wait(), last: n / 20}
		for _, task := range []async.Task{consumer, watcher} {
			if _, err := thread.Spawner().Spawn(task); err != nil {
				panic(err)
			}
		}
		producer = &simProducer{ch: ch, mu: &mu, shared: &shared, lock: mu.Lock(), tx: ch.Send(0), n: n}
		if _, err := high.Spawner().Spawn(producer); err != nil {
			panic(err)
		}
		thread.Run()
		for {
			if _, ok := ch.TryReceive(); !ok {
				break
			}
			leftover++
		}
	})
	require.NoError(t, err)
	require.True(t, consumer.done)
	var values []int
	markers := 0
	for _, v := range consumer.got {
		if v > 0 {
			values = append(values, v)
		} else {
			markers++
		}
	}
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	require.Equal(t, want, values, "every value, in order, across the priority levels")
	require.Equal(t, n/20, irqs)
	require.Equal(t, marked, markers+leftover, "every marker the handler sent was received or is still queued")
	require.Zero(t, shared.violations, "the Mutex kept the two levels apart")
	require.Equal(t, n+len(consumer.got)+1, shared.counter, "one lock per value sent, one per value received (and the final 0)")
	require.Equal(t, n/20, watcher.seen[len(watcher.seen)-1], "the watcher saw the latest count")
	require.NotZero(t, producer.waited, "the interrupt executor's task waited for the thread's lock")
	require.NotZero(t, producer.full, "and for room in the channel")
	t.Logf("producer waited for the lock %d times, for room %d times; %d markers sent, signals seen %v",
		producer.waited, producer.full, marked, watcher.seen)
}
