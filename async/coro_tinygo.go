//go:build tinygo

package async

// coro is a straight-line task's coroutine under TinyGo: a goroutine and two unbuffered
// channels. (iter.Pull does not link on TinyGo 0.33: there is no runtime.newcoro.) The
// goroutine starts when the task is made, so its stack is allocated by Go, not by a poll.
type coro struct {
	resumeCh, yieldCh chan struct{}
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

func (c *coro) wait() { <-c.resumeCh }

func (c *coro) yield() {
	c.yieldCh <- struct{}{}
	<-c.resumeCh
}

func (c *coro) done() { c.yieldCh <- struct{}{} }

// TinyGo's runtime.Goexit runs no deferred calls, so a function that ended without
// returning and without a recoverable value panicked with nil.
func goexit() { panic("async: straight-line task panicked with nil") }
