// Command straight_timer is ../stackless_timer with its second task an async.Go task: what
// the first straight-line task costs in a program that already has timers.
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
	ex.Spawner().Spawn(async.Go(func(*async.T) { n += 2 }))
	ex.Run()
	println(n)
}
