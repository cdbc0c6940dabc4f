// Command taskcost is the probe program of make tinygo's task-cost step: two tasks on a
// thread-mode executor, built four ways by build tags. The first task waits on a Ticker
// with -tags timer (first_timer.go) and is a TaskFunc without (first_plain.go); the second
// is an async.Go task with -tags straight (second_straight.go) and a TaskFunc without
// (second_stackless.go). Two builds that differ only in straight differ only in that one
// task: the difference of their flash is what the first straight-line task costs.
package main

import (
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
)

var n int

func main() {
	if _, err := hal.Init(hal.Config{}); err != nil {
		panic(err)
	}
	ex, err := executor.Thread(executor.Options{Name: "main", Tasks: 2})
	if err != nil {
		panic(err)
	}
	ex.Spawner().Spawn(firstTask())
	ex.Spawner().Spawn(secondTask())
	ex.Run()
	println(n)
}
