// Command straight is ../stackless with its second task an async.Go task: the difference
// in flash is what the first straight-line task of a program costs.
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
	ex.Spawner().Spawn(async.Go(func(*async.T) { n += 2 }))
	ex.Run()
	println(n)
}
