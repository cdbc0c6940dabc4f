//go:build timer

package main

import "github.com/gohal/gohal/async"

// ticking counts a Ticker's ticks.
type ticking struct{ tk async.Ticker }

func (t *ticking) Poll(cx *async.Context) bool {
	for {
		if _, ok := t.tk.Poll(cx); !ok {
			return false
		}
		if n++; n > 3 {
			return true
		}
	}
}

func firstTask() async.Task { return &ticking{tk: async.NewTicker(async.Millisecond)} }
