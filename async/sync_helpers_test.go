package async

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// syncProbe is a Context whose waker the test can check: a goroutine parker (block_host.go)
// that nobody sleeps on, so a wake leaves a token the test reads.
type syncProbe struct {
	p *parker
}

func newSyncProbe(t testing.TB) *syncProbe {
	t.Helper()
	idx, p := getParker()
	t.Cleanup(func() { putParker(idx) })
	return &syncProbe{p: p}
}

// cx is the context to poll with.
func (s *syncProbe) cx() *Context { return &s.p.cx }

// woken reports whether the waker was woken since the last call, and resets it.
func (s *syncProbe) woken() bool {
	select {
	case <-s.p.ch:
		return true
	default:
		return false
	}
}

// pending polls f and requires it not to complete.
func syncPending[T any](t testing.TB, f Future[T], p *syncProbe, msgAndArgs ...any) {
	t.Helper()
	_, ok := f.Poll(p.cx())
	require.False(t, ok, msgAndArgs...)
}

// ready polls f and requires it to complete, returning its value.
func syncReady[T any](t testing.TB, f Future[T], p *syncProbe, msgAndArgs ...any) T {
	t.Helper()
	v, ok := f.Poll(p.cx())
	require.True(t, ok, msgAndArgs...)
	return v
}
