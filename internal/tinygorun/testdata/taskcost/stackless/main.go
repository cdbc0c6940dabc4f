// Command stackless is the baseline of make tinygo's task-cost step: two stackless tasks on
// a thread-mode executor. Its twin, ../straight, makes the second an async.Go task.
package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
)

var n int

func main() {
	_, err := hal.Init(hal.Config{})
	if err != nil {
		panic(err)
	}
	ex, err := executor.Thread(executor.Options{Name: "main", Tasks: 2})
	if err != nil {
		panic(err)
	}
	ex.Spawner().Spawn(async.TaskFunc(func(*async.Context) bool { n++; return n > 3 }))
	ex.Spawner().Spawn(async.TaskFunc(func(*async.Context) bool { n += 2; return n > 5 }))
	ex.Run()
	println(n)
}
