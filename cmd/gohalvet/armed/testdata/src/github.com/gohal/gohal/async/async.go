// Package async is a stub of gohal's async.
package async

type Context struct{}
type Instant uint64
type Duration int64
type T struct{}

type Future[R any] interface {
	Poll(cx *Context) (R, bool)
	Cancel()
}

type Timer struct{ at Instant }

func After(d Duration) Timer                      { return Timer{} }
func (t *Timer) Poll(cx *Context) (Instant, bool) { return 0, false }
func (t *Timer) Cancel()                          {}
func (t *Timer) Reset(at Instant)                 {}

type Timeout[R any] struct{ f Future[R] }

func (d *Timeout[R]) Init(f Future[R], at Instant) {}
func (d *Timeout[R]) Poll(cx *Context) (R, bool)   { var r R; return r, false }
func (d *Timeout[R]) Cancel()                      {}
func Await[R any](t *T, f Future[R]) R             { var r R; return r }
func Select(a, b Future[Instant]) Future[Instant]  { return nil }
