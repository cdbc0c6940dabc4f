//go:build straight

package main

import "github.com/gohal/gohal/async"

func secondTask() async.Task { return async.Go(func(*async.T) { n += 2 }) }
