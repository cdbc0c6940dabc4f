package async

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pingTask sends a value on one channel and waits for it to come back on another, one round
// trip per kick: the benchmark raises target and wakes it.
type pingTask struct {
	tx      SendFuture[int]
	rx      ReceiveFuture[int]
	rounds  int
	target  int
	waiting bool // sent, waiting for the reply
	last    int
}

func (p *pingTask) Poll(cx *Context) bool {
	for p.rounds < p.target {
		if !p.waiting {
			if _, ok := p.tx.Poll(cx); !ok {
				return false
			}
			p.waiting = true
		}
		v, ok := p.rx.Poll(cx)
		if !ok {
			return false
		}
		p.waiting = false
		p.rounds++
		p.last = v
		p.tx.Reset(v + 1)
	}
	return false // parked until the next kick
}

// pongTask sends back every value it receives.
type pongTask struct {
	rx      ReceiveFuture[int]
	tx      SendFuture[int]
	sending bool
}

func (p *pongTask) Poll(cx *Context) bool {
	for {
		if p.sending {
			if _, ok := p.tx.Poll(cx); !ok {
				return false
			}
			p.sending = false
		}
		v, ok := p.rx.Poll(cx)
		if !ok {
			return false
		}
		p.tx.Reset(v)
		p.sending = true
	}
}

// pingPong is two tasks on one executor handing a value back and forth over two Channels of
// capacity 1.
type pingPong struct {
	e     *Executor
	ping  *pingTask
	kick  Waker
	there *Channel[int]
	back  *Channel[int]
}

func newPingPong(t testing.TB) *pingPong {
	pp := &pingPong{
		e:     newExec(t, Config{Name: "pingpong", Tasks: 2}),
		there: NewChannel[int](1),
		back:  NewChannel[int](1),
	}
	pp.ping = &pingTask{tx: pp.there.Send(0), rx: pp.back.Receive()}
	pong := &pongTask{rx: pp.there.Receive(), tx: pp.back.Send(0)}
	var err error
	pp.kick, err = pp.e.Spawner().SpawnNamed("ping", pp.ping, 0)
	require.NoError(t, err)
	_, err = pp.e.Spawner().SpawnNamed("pong", pong, 0)
	require.NoError(t, err)
	pp.e.Poll()
	return pp
}

// round makes one round trip.
func (pp *pingPong) round() {
	pp.ping.target++
	pp.kick.Wake()
	pp.e.Poll()
}

func TestPingPongRoundTrips(t *testing.T) {
	pp := newPingPong(t)
	for i := 1; i <= 100; i++ {
		pp.round()
		require.Equal(t, i, pp.ping.rounds)
		require.Equal(t, i-1, pp.ping.last, "the value came back")
	}
}

func TestSyncPathsDoNotAllocate(t *testing.T) {
	pp := newPingPong(t)
	require.Zero(t, testing.AllocsPerRun(1000, pp.round), "task send/receive/wake/poll")

	c := NewChannel[int](4)
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		c.TrySend(1)
		c.TryReceive()
	}), "TrySend/TryReceive")

	p := newSyncProbe(t)
	rx := c.Receive()
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		rx.Poll(p.cx()) // queue
		c.TrySend(2)    // grant and wake
		rx.Poll(p.cx()) // take
		p.woken()
	}), "waiting receiver")

	var s Signal[int]
	sf := s.Wait()
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		sf.Poll(p.cx())
		s.Signal(1)
		sf.Poll(p.cx())
		sf.Poll(p.cx())
		sf.Cancel()
		p.woken()
	}), "Signal")

	var m Mutex
	lf := m.Lock()
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		m.TryLock()
		lf.Poll(p.cx())
		m.Unlock()
		lf.Poll(p.cx())
		m.Unlock()
		p.woken()
	}), "Mutex")

	var n Notify
	nf := n.Notified()
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		nf.Poll(p.cx())
		n.NotifyOne()
		nf.Poll(p.cx())
		nf.Poll(p.cx())
		n.NotifyAll()
		nf.Poll(p.cx())
		p.woken()
	}), "Notify")
}

// BenchmarkChannelPingPong compares one round trip between two async tasks over Channels
// with one between two goroutines over unbuffered Go channels, the idiomatic alternative.
// In "executor" the benchmark goroutine polls the executor, on which ping sends a value to
// pong over one Channel of capacity 1 and pong sends it back over another, b.N times: each
// op is two sends, two receives, two wakes and two task polls. In "gochan" the benchmark
// goroutine and an echo goroutine do the same over two unbuffered chan int.
//
// Besides ns/op (wall time) both report cpu-ns/op, the process's CPU time per op over all
// its threads, which stays put when other processes load the machine and which also counts
// what the Go scheduler spends on the goroutine hand-offs.
func BenchmarkChannelPingPong(b *testing.B) {
	b.Run("executor", func(b *testing.B) {
		pp := newPingPong(b)
		b.ReportAllocs()
		b.ResetTimer()
		done := reportCPU(b)
		pp.ping.target = b.N
		pp.kick.Wake()
		for pp.ping.rounds < b.N {
			pp.e.Poll()
		}
		b.StopTimer()
		done()
		if pp.ping.rounds != b.N {
			b.Fatalf("%d round trips, want %d", pp.ping.rounds, b.N)
		}
	})
	b.Run("gochan", func(b *testing.B) {
		there, back := make(chan int), make(chan int)
		go func() {
			for v := range there {
				back <- v
			}
		}()
		b.ReportAllocs()
		b.ResetTimer()
		done := reportCPU(b)
		for i := 0; i < b.N; i++ {
			there <- i
			<-back
		}
		b.StopTimer()
		done()
		close(there)
	})
}

// reportCPU starts measuring the process's CPU time; the function it returns reports it per
// op as cpu-ns/op.
func reportCPU(b *testing.B) func() {
	c0, ok := processCPU()
	return func() {
		c1, _ := processCPU()
		if ok && b.N > 0 {
			b.ReportMetric(float64((c1-c0)/time.Nanosecond)/float64(b.N), "cpu-ns/op")
		}
	}
}

// BenchmarkChannelTrySendTryReceive is one TrySend and one TryReceive with nobody waiting:
// the cost of the Channel's lock and bookkeeping alone.
func BenchmarkChannelTrySendTryReceive(b *testing.B) {
	c := NewChannel[int](1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.TrySend(i)
		c.TryReceive()
	}
}
