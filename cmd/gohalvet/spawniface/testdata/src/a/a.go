package a

import "github.com/gohal/gohal/async"

type blink struct{ n int }

func (b *blink) Poll(*async.Context) bool { return true }

type named struct{}

func (*named) Poll(*async.Context) bool { return true }
func (*named) TaskName() string         { return "named" }

type value struct{}

func (value) Poll(*async.Context) bool { return true }

func spawns(e *async.Executor, s async.Spawner, t async.Task) {
	e.Spawner().Spawn(&blink{}) // want `task \*blink spawned as a Task interface value \(Spawn\)`
	b := &blink{n: 2}
	s.SpawnPriority(b, 2)         // want `task \*blink spawned as a Task interface value \(SpawnPriority\)`
	s.SpawnNamed("blinker", b, 0) // want `task \*blink spawned as a Task interface value \(SpawnNamed\)`
	s.SpawnNamed("blinker", b, 3) // want `task \*blink spawned as a Task interface value`
	nt := &named{}
	s.Spawn(nt)          // want `task \*named spawned`
	s.Spawn(&named{})    // want `task \*named spawned`
	_, err := s.Spawn(b) // want `task \*blink spawned`
	_ = err

	// Not reported: interface values, values, async.Go, TaskFunc, the generic spawns.
	s.Spawn(t)
	s.Spawn(value{})
	s.Spawn(async.Go(func(*async.T) {}))
	s.Spawn(async.TaskFunc(func(*async.Context) bool { return true }))
	async.Spawn(s, b)
	s.Spawn(b) //gohalvet:ignore spawniface the task is polled through its interface on purpose
}
