// Package async is a stub of gohal's async.
package async

type Context struct{}
type Task interface{ Poll(*Context) bool }
type Waker uint32
type Executor struct{}
type Spawner struct{}
type Future[T any] interface{ Poll(*Context) (T, bool) }

func (w Waker) Wake()                                                        {}
func (e *Executor) Spawner() Spawner                                         { return Spawner{} }
func (s Spawner) Spawn(task Task) (Waker, error)                             { return 0, nil }
func (s Spawner) SpawnNamed(name string, task Task, prio int) (Waker, error) { return 0, nil }

type TaskPointer[T any] interface {
	*T
	Task
}
type SpawnOptions struct{ Name string }

func Spawn[T any, P TaskPointer[T]](s Spawner, t P) (Waker, error) { return 0, nil }
func SpawnWith[T any, P TaskPointer[T]](s Spawner, t P, opts SpawnOptions) (Waker, error) {
	return 0, nil
}
func Block[T any](f Future[T]) T { var v T; return v }
