//go:build tinygo

package async

import "github.com/gohal/gohal/rt"

// coro is a straight-line task's coroutine under TinyGo: a goroutine and two unbuffered
// channels. (iter.Pull does not link on TinyGo 0.33: there is no runtime.newcoro.) The
// goroutine starts when the task is made, so its stack is allocated by Go, not by a poll.
type coro struct {
	resumeCh, yieldCh chan struct{}
	entrySP           uintptr // the goroutine's stack pointer when it started, for StackUse
}

func (c *coro) init(body func()) {
	c.resumeCh = make(chan struct{})
	c.yieldCh = make(chan struct{})
	go body()
}

func (c *coro) resume() {
	c.resumeCh <- struct{}{}
	<-c.yieldCh
}

func (c *coro) wait() {
	c.entrySP = rt.StackPointer()
	<-c.resumeCh
}

func (c *coro) yield() {
	c.yieldCh <- struct{}{}
	<-c.resumeCh
}

func (c *coro) done() { c.yieldCh <- struct{}{} }

// TinyGo's runtime.Goexit runs no deferred calls, so a function that ended without
// returning and without a recoverable value panicked with nil.
func goexit() { panic("async: straight-line task panicked with nil") }

// StackUse measures the task's goroutine stack (see StackUse): how far below where its
// goroutine started it has been written, and how much above TinyGo's stack canary never
// was. Call it from the task's function.
func (t *T) StackUse() StackUse {
	low, bottom, ok := rt.StackLowWater()
	if !ok || t.co.entrySP == 0 || low > t.co.entrySP {
		return StackUse{}
	}
	return StackUse{Deepest: int(t.co.entrySP - low), Unused: int(low - bottom), Measured: true}
}
