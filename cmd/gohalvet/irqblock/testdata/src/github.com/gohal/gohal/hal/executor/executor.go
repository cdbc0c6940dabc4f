// Package executor is a stub of gohal's hal/executor.
package executor

import "github.com/gohal/gohal/async"

type Options struct{ Name string }
type Executor struct{ *async.Executor }

func Thread(o Options) (*Executor, error)                  { return &Executor{}, nil }
func Interrupt(n int, p int, o Options) (*Executor, error) { return &Executor{}, nil }
