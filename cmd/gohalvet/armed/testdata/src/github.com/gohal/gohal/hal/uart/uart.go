// Package uart is a stub of gohal's hal/uart.
package uart

import "github.com/gohal/gohal/async"

type Async struct{}
type ReadFuture struct{ buf []byte }

func (a *Async) ReadAsync(buf []byte) ReadFuture         { return ReadFuture{buf: buf} }
func (f *ReadFuture) Poll(cx *async.Context) (int, bool) { return 0, false }
func (f *ReadFuture) Cancel()                            {}
