package async

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBlockReturnsAReadyValue(t *testing.T) {
	require.Equal(t, 4, Block[int](Ready[int]{Value: 4}))
}

func TestBlockSleepsUntilWoken(t *testing.T) {
	c := NewChannel[int](1)
	done := make(chan int)
	go func() { done <- c.ReceiveBlocking() }()
	c.SendBlocking(1)
	require.Equal(t, 1, <-done)
}

func TestGoroutineWakersAreReusedAndSurviveStaleWakes(t *testing.T) {
	idx, p := getParker()
	w := p.cx.Waker()
	require.True(t, w.Valid())
	w.Wake()
	w.Wake() // idempotent: one token
	putParker(idx)
	// The next user drains the stale token; a stale wake later costs at most one extra poll.
	var n Notify
	go func() { w.Wake(); n.NotifyOne() }()
	n.WaitBlocking()

	// Wakers outside every table wake nothing.
	Waker(parkBase + parkChunks*parkChunkSize).Wake()
	Waker(0xFFFFFFFF).Wake()
}

func TestManyGoroutinesBlockAtOnce(t *testing.T) {
	// More parkers than one chunk at once, each with its own waker.
	const n = 300
	idx := make([]uint32, n)
	seen := map[Waker]bool{}
	for i := range idx {
		var p *parker
		idx[i], p = getParker()
		require.False(t, seen[p.cx.Waker()])
		seen[p.cx.Waker()] = true
		p.cx.Waker().Wake()
		select {
		case <-p.ch:
		default:
			t.Fatalf("parker %d was not woken", i)
		}
	}
	for _, i := range idx {
		putParker(i)
	}

	// And as many goroutines blocked on one channel.
	gate := NewChannel[int](n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gate.ReceiveBlocking()
		}()
	}
	for i := 0; i < n; i++ {
		gate.SendBlocking(i)
	}
	wg.Wait()
}
