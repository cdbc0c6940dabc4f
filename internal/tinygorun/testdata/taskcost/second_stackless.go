//go:build !straight

package main

import "github.com/gohal/gohal/async"

func secondTask() async.Task {
	return async.TaskFunc(func(*async.Context) bool { n += 2; return n > 5 })
}
