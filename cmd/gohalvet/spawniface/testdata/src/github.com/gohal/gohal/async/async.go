// Package async is a stub of gohal's async with the API the analyzer looks at.
package async

type Context struct{}
type T struct{}
type Task interface{ Poll(*Context) bool }
type Waker uint32
type Executor struct{}
type Spawner struct{}

func (e *Executor) Spawner() Spawner                               { return Spawner{} }
func (s Spawner) Spawn(task Task) (Waker, error)                   { return 0, nil }
func (s Spawner) SpawnPriority(task Task, prio int) (Waker, error) { return 0, nil }
func (s Spawner) SpawnNamed(name string, task Task, prio int) (Waker, error) {
	return 0, nil
}

type TaskPointer[T any] interface {
	*T
	Task
}
type SpawnOptions struct {
	Name     string
	Priority int
}

func Spawn[T any, P TaskPointer[T]](s Spawner, t P) (Waker, error) { return 0, nil }
func SpawnWith[T any, P TaskPointer[T]](s Spawner, t P, opts SpawnOptions) (Waker, error) {
	return 0, nil
}
func Go(fn func(t *T)) Task { return nil }

type TaskFunc func(*Context) bool

func (f TaskFunc) Poll(cx *Context) bool { return f(cx) }
