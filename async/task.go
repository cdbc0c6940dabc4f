package async

// Task is a stackless task: Poll runs it until it must wait and returns true when it has
// finished. Before returning false it must have arranged for cx.Waker() to be woken.
type Task interface {
	Poll(cx *Context) bool
}

// Future is a computation that completes with a T. Poll returns the result and true once
// complete; before returning false it has arranged for cx.Waker() to be woken. Cancel
// disarms what the future armed (an interrupt source, a timer, a place in a wait queue) when
// its result is no longer wanted; it is safe to call on a completed or never-polled future.
type Future[T any] interface {
	Poll(cx *Context) (T, bool)
	Cancel()
}

// Context is what a task or future is polled with: the waker of the task being polled.
type Context struct {
	waker Waker
}

// NewContext returns a context whose waker is w, for polling futures outside an executor
// (tests, blocking adapters).
func NewContext(w Waker) *Context { return &Context{waker: w} }

// Waker returns the waker of the task being polled.
func (cx *Context) Waker() Waker { return cx.waker }

// TaskFunc adapts a function to a Task.
type TaskFunc func(cx *Context) bool

// Poll calls f.
func (f TaskFunc) Poll(cx *Context) bool { return f(cx) }

// Named is implemented by tasks that have a name for statistics and panic reports, which
// Spawner.Spawn and SpawnPriority use; SpawnNamed takes a name explicitly. async.Spawn does
// not look for it (that look-up is an interface conversion): give SpawnWith the name.
type Named interface {
	TaskName() string
}

// Ready is a future that is complete from the start.
type Ready[T any] struct{ Value T }

// Poll returns the value.
func (r Ready[T]) Poll(*Context) (T, bool) { return r.Value, true }

// Cancel does nothing.
func (Ready[T]) Cancel() {}

// Pending is a future that never completes (for tests and Select arms that are switched off).
type Pending[T any] struct{}

// Poll never completes.
func (Pending[T]) Poll(*Context) (T, bool) {
	var zero T
	return zero, false
}

// Cancel does nothing.
func (Pending[T]) Cancel() {}
