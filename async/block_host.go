//go:build !tinygo

package async

import (
	"sync"
	"sync/atomic"

	"github.com/gohal/gohal/rt"
)

// Goroutine wakers. A goroutine that blocks on a future (Block) borrows a parker: a
// one-token Go channel to sleep on and a Waker that puts the token there. Parker wakers lie
// above every executor's id range, so Waker.Wake hands them to wakeGoroutine; they are as
// small, copyable and idempotent as task wakers, and any context (a task, a simulated
// interrupt handler, another goroutine) can wake one.
//
// Parkers are created in chunks of 256 when first needed and reused, never freed: a
// goroutine blocking costs no allocation once as many parkers exist as goroutines ever
// blocked at once (up to 65,536).

const (
	parkBase      = (MaxExecutors + 1) << 8 // the first parker's Waker
	parkChunkSize = 256
	parkChunks    = 256
)

type parker struct {
	ch chan struct{} // capacity 1: a wake that finds the goroutine running is kept
	cx Context
}

var (
	parkTable [parkChunks]atomic.Pointer[[parkChunkSize]parker]
	parkMu    sync.Mutex
	parkFree  []uint32 // indices of idle parkers
	parkMade  uint32   // parkers created so far
)

// getParker returns an idle parker and its index, creating a chunk if none is idle.
func getParker() (uint32, *parker) {
	parkMu.Lock()
	if len(parkFree) == 0 {
		if parkMade == parkChunks*parkChunkSize {
			parkMu.Unlock()
			panic("async: more than 65536 goroutines blocked at once")
		}
		chunk := new([parkChunkSize]parker)
		for i := range chunk {
			idx := parkMade + uint32(i)
			chunk[i].ch = make(chan struct{}, 1)
			chunk[i].cx.waker = Waker(parkBase + idx)
		}
		// Publish the chunk before any of its wakers exists.
		parkTable[parkMade/parkChunkSize].Store(chunk)
		for i := parkChunkSize - 1; i >= 0; i-- {
			parkFree = append(parkFree, parkMade+uint32(i))
		}
		parkMade += parkChunkSize
	}
	idx := parkFree[len(parkFree)-1]
	parkFree = parkFree[:len(parkFree)-1]
	parkMu.Unlock()
	p := &parkTable[idx/parkChunkSize].Load()[idx%parkChunkSize]
	select {
	case <-p.ch: // a stale wake meant for the parker's previous user
	default:
	}
	return idx, p
}

func putParker(idx uint32) {
	parkMu.Lock()
	parkFree = append(parkFree, idx)
	parkMu.Unlock()
}

// wakeGoroutine wakes the goroutine parked on w (w's id is above MaxExecutors).
func wakeGoroutine(w Waker) {
	idx := uint32(w) - parkBase
	if uint32(w) < parkBase || idx >= parkChunks*parkChunkSize {
		return
	}
	chunk := parkTable[idx/parkChunkSize].Load()
	if chunk == nil {
		return
	}
	select {
	case chunk[idx%parkChunkSize].ch <- struct{}{}:
	default: // already woken
	}
}

// Block polls f on the calling goroutine until it completes and returns its value, sleeping
// between polls until f's waker is woken. It is how plain goroutines on the host (tests,
// host tools, goroutines firmware started outside the simulated CPU) wait on the same
// futures tasks use: f.Poll(cx) registers a goroutine waker that any context may wake.
// Polls of f all happen on the calling goroutine.
//
// It is host-only. It must not be called on a simulated core (firmware's thread or an
// interrupt handler), which would stop the core: run the future on an executor there; Block
// panics if it is.
//
// Since T cannot be inferred from a method set, spell it out, or use the typed helpers:
// Channel.SendBlocking, Channel.ReceiveBlocking, Signal.WaitBlocking, Mutex.LockBlocking and
// Notify.WaitBlocking.
//
//	f := ch.Receive()
//	v := async.Block[int](&f)
func Block[T any](f Future[T]) T {
	if rt.OnCore() {
		panic("async: Block called on a simulated core; poll the future on an executor instead")
	}
	idx, p := getParker()
	defer putParker(idx)
	for {
		if v, ok := f.Poll(&p.cx); ok {
			return v
		}
		<-p.ch
	}
}

// SendBlocking sends v, blocking the calling goroutine while the channel is full (host only;
// see Block).
func (c *Channel[T]) SendBlocking(v T) {
	f := c.Send(v)
	Block[struct{}](&f)
}

// ReceiveBlocking receives a value, blocking the calling goroutine while the channel is
// empty (host only; see Block).
func (c *Channel[T]) ReceiveBlocking() T {
	f := c.Receive()
	return Block[T](&f)
}

// WaitBlocking waits for the signalled value and takes it, blocking the calling goroutine
// (host only; see Block).
func (s *Signal[T]) WaitBlocking() T {
	f := s.Wait()
	return Block[T](&f)
}

// LockBlocking locks m, blocking the calling goroutine until it is its turn (host only; see
// Block).
func (m *Mutex) LockBlocking() {
	f := m.Lock()
	Block[struct{}](&f)
}

// WaitBlocking waits for a notification (or consumes the stored permit), blocking the
// calling goroutine (host only; see Block).
func (n *Notify) WaitBlocking() {
	f := n.Notified()
	Block[struct{}](&f)
}
