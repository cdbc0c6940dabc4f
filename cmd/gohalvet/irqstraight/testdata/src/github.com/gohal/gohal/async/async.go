// Package async is a stub of gohal's async with the API the analyzer looks at.
package async

type Context struct{}
type T struct{}
type Task interface{ Poll(*Context) bool }
type Waker uint32
type SoftwareInterrupt interface{ Raise() }
type Config struct {
	Name      string
	Tasks     int
	Interrupt SoftwareInterrupt
	Priority  int
}
type Executor struct{}
type Spawner struct{}

func New(cfg Config) (*Executor, error)                            { return &Executor{}, nil }
func (e *Executor) Spawner() Spawner                               { return Spawner{} }
func (s Spawner) Spawn(task Task) (Waker, error)                   { return 0, nil }
func (s Spawner) SpawnPriority(task Task, prio int) (Waker, error) { return 0, nil }
func (s Spawner) SpawnNamed(name string, task Task, prio int) (Waker, error) {
	return 0, nil
}
func Go(fn func(t *T)) Task                   { return nil }
func GoNamed(name string, fn func(t *T)) Task { return nil }

type TaskFunc func(*Context) bool

func (f TaskFunc) Poll(cx *Context) bool { return f(cx) }
