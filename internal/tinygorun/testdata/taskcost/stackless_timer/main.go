// Command stackless_timer is ../stackless with a first task that waits on a Ticker: the
// baseline of a program that already has timers. Its twin is ../straight_timer.
package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
)

var n int

type ticking struct{ tk async.Ticker }

func (t *ticking) Poll(cx *async.Context) bool {
	for {
		if _, ok := t.tk.Poll(cx); !ok {
			return false
		}
		n++
		if n > 3 {
			return true
		}
	}
}

func main() {
	_, err := hal.Init(hal.Config{})
	if err != nil {
		panic(err)
	}
	ex, err := executor.Thread(executor.Options{Name: "main", Tasks: 2})
	if err != nil {
		panic(err)
	}
	ex.Spawner().Spawn(&ticking{tk: async.NewTicker(async.Millisecond)})
	ex.Spawner().Spawn(async.TaskFunc(func(*async.Context) bool { n += 2; return n > 5 }))
	ex.Run()
	println(n)
}
