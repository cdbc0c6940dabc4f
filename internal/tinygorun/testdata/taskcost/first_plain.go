//go:build !timer

package main

import "github.com/gohal/gohal/async"

func firstTask() async.Task {
	return async.TaskFunc(func(*async.Context) bool { n++; return n > 3 })
}
