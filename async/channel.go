package async

// Channel is a bounded multi-producer, multi-consumer FIFO queue of T whose capacity is
// fixed when it is made: NewChannel allocates the buffer once, at start, or Init adopts a
// buffer the caller provides (a global array, for firmware that allocates nothing). After
// that, sending, receiving and waiting never allocate.
//
// Tasks use the futures Send and Receive; interrupt handlers use the non-blocking TrySend
// and TryReceive; on the host, plain goroutines use SendBlocking and ReceiveBlocking (or
// Block). All of them can be mixed on one Channel, from any core.
//
// Values come out in the order they went in. Waiters are served in the order they started
// waiting: when a value arrives and receivers wait, it is reserved for the receiver that has
// waited longest and that receiver is woken; a TryReceive or a newly polled Receive cannot
// take it first. The same holds for senders and free slots. A waiting future's Cancel takes
// it out of the queue; if it had already been granted a value (or a slot), the grant passes
// to the next waiter, or back to the channel: a cancelled receiver never swallows a value.
//
// A Channel must not be copied after first use. A Channel that was neither made by
// NewChannel nor given a buffer by Init has capacity 0: TrySend and TryReceive fail and Send
// and Receive wait for ever.
type Channel[T any] struct {
	mu       spinlock
	buf      []T
	head     int // index of the oldest value
	n        int // values in buf
	rsvItems int // values reserved for granted receivers (≤ n)
	rsvSlots int // free slots reserved for granted senders (≤ len(buf)-n)
	recvq    waitList
	sendq    waitList
}

// NewChannel returns a channel holding up to capacity values (at least 1), allocating its
// buffer now and never again.
func NewChannel[T any](capacity int) *Channel[T] {
	if capacity < 1 {
		panic("async: NewChannel capacity must be at least 1")
	}
	c := &Channel[T]{}
	c.Init(make([]T, capacity))
	return c
}

// Init makes c an empty channel over buf, whose length (at least 1) is the capacity; the
// channel owns buf from now on. Use it for a Channel declared as a variable or embedded in a
// struct. Call it before any other method, and at most once.
func (c *Channel[T]) Init(buf []T) {
	if len(buf) < 1 {
		panic("async: Channel.Init needs a buffer of at least 1 element")
	}
	c.buf = buf
	c.head, c.n, c.rsvItems, c.rsvSlots = 0, 0, 0, 0
}

// Cap returns the channel's capacity.
func (c *Channel[T]) Cap() int { return len(c.buf) }

// Len returns the number of values in the channel, including those already granted to
// woken receivers that have not yet been polled.
func (c *Channel[T]) Len() int {
	cs := c.mu.lock()
	n := c.n
	c.mu.unlock(cs)
	return n
}

// put appends v; the caller checked there is room.
func (c *Channel[T]) put(v T) {
	i := c.head + c.n
	if i >= len(c.buf) {
		i -= len(c.buf)
	}
	c.buf[i] = v
	c.n++
}

// take removes and returns the oldest value; the caller checked there is one.
func (c *Channel[T]) take() T {
	var zero T
	v := c.buf[c.head]
	c.buf[c.head] = zero // drop references for the garbage collector
	c.head++
	if c.head == len(c.buf) {
		c.head = 0
	}
	c.n--
	return v
}

// grantReceiver reserves a free value for the longest-waiting receiver, if there are both,
// and returns the waker to call after unlocking.
func (c *Channel[T]) grantReceiver() Waker {
	if c.recvq.head == nil || c.n-c.rsvItems <= 0 {
		return 0
	}
	c.rsvItems++
	return wakerOf(c.recvq.grant(waitGranted))
}

// grantSender reserves a free slot for the longest-waiting sender, if there are both, and
// returns the waker to call after unlocking.
func (c *Channel[T]) grantSender() Waker {
	if c.sendq.head == nil || len(c.buf)-c.n-c.rsvSlots <= 0 {
		return 0
	}
	c.rsvSlots++
	return wakerOf(c.sendq.grant(waitGranted))
}

// TrySend puts v in the channel if it has a free slot that no waiting sender is owed, and
// reports whether it did. It never blocks and never allocates: call it from interrupt
// handlers.
func (c *Channel[T]) TrySend(v T) bool {
	cs := c.mu.lock()
	if c.n+c.rsvSlots >= len(c.buf) {
		c.mu.unlock(cs)
		return false
	}
	c.put(v)
	w := c.grantReceiver()
	c.mu.unlock(cs)
	w.Wake()
	return true
}

// TryReceive takes the oldest value if there is one that no waiting receiver is owed, and
// reports whether it did. It never blocks and never allocates: call it from interrupt
// handlers.
func (c *Channel[T]) TryReceive() (T, bool) {
	cs := c.mu.lock()
	if c.n-c.rsvItems <= 0 {
		c.mu.unlock(cs)
		var zero T
		return zero, false
	}
	v := c.take()
	w := c.grantSender()
	c.mu.unlock(cs)
	w.Wake()
	return v, true
}

// Send returns a future that puts v in the channel, waiting for a free slot while it is
// full. Keep the future at one address while it waits (a field of the task); see
// SendFuture.
func (c *Channel[T]) Send(v T) SendFuture[T] { return SendFuture[T]{ch: c, v: v} }

// Receive returns a future that takes the oldest value, waiting while the channel is empty.
// Keep the future at one address while it waits (a field of the task); see ReceiveFuture.
func (c *Channel[T]) Receive() ReceiveFuture[T] { return ReceiveFuture[T]{ch: c} }

// SendFuture sends one value on a Channel; *SendFuture[T] is a Future[struct{}]. Make it
// with Channel.Send. Once it has completed, polling it again completes at once without
// sending anything; Reset gives it another value to send. Cancel before completion takes it
// out of the senders' queue and nothing is sent; Cancel after completion does nothing (the
// value is in the channel).
type SendFuture[T any] struct {
	ch    *Channel[T]
	v     T
	w     waiter
	armed bool // owner-only: w is queued or granted (else only the owner touches w)
}

// Poll sends the value if there is room (or room was reserved for this sender), otherwise
// queues the sender and returns false.
func (f *SendFuture[T]) Poll(cx *Context) (struct{}, bool) {
	if !f.armed && f.w.state == waitDone {
		return struct{}{}, true // sent already; nobody else refers to f
	}
	c := f.ch
	cs := c.mu.lock()
	switch f.w.state {
	case waitQueued:
		f.w.waker = cx.Waker()
		c.mu.unlock(cs)
		return struct{}{}, false
	case waitGranted:
		c.rsvSlots--
	default: // idle
		if c.n+c.rsvSlots >= len(c.buf) {
			f.w.waker = cx.Waker()
			c.sendq.push(&f.w)
			f.armed = true
			c.mu.unlock(cs)
			return struct{}{}, false
		}
	}
	c.put(f.v)
	f.w.state = waitDone
	f.armed = false
	w := c.grantReceiver()
	c.mu.unlock(cs)
	w.Wake()
	return struct{}{}, true
}

// Cancel withdraws a send that has not completed: the sender leaves the queue, and a slot
// reserved for it goes to the next waiting sender. Polling again afterwards starts over.
func (f *SendFuture[T]) Cancel() {
	if !f.armed {
		return // not waiting: nobody else refers to f
	}
	c := f.ch
	cs := c.mu.lock()
	f.armed = false
	var w Waker
	switch f.w.state {
	case waitQueued:
		c.sendq.remove(&f.w)
	case waitGranted:
		f.w.state = waitIdle
		c.rsvSlots--
		w = c.grantSender()
	}
	c.mu.unlock(cs)
	w.Wake()
}

// Reset cancels the send if it has not completed and makes the future send v next.
func (f *SendFuture[T]) Reset(v T) {
	f.Cancel()
	f.v = v
	f.w.state = waitIdle // not armed: owner-only
}

// Done reports whether the value has been sent.
func (f *SendFuture[T]) Done() bool { return !f.armed && f.w.state == waitDone }

// ReceiveFuture receives one value from a Channel; *ReceiveFuture[T] is a Future[T]. Make
// it with Channel.Receive. Once it has completed, polling it again receives the next value,
// so a task can keep one ReceiveFuture in a field and poll it in a loop. Cancel takes it out
// of the receivers' queue; a value already reserved for it goes to the next waiting
// receiver, or stays in the channel.
type ReceiveFuture[T any] struct {
	ch    *Channel[T]
	w     waiter
	armed bool // owner-only: w is queued or granted (else only the owner touches w)
}

// Poll takes the oldest value if there is one for this receiver, otherwise queues the
// receiver and returns false.
func (f *ReceiveFuture[T]) Poll(cx *Context) (T, bool) {
	c := f.ch
	cs := c.mu.lock()
	switch f.w.state {
	case waitQueued:
		f.w.waker = cx.Waker()
		c.mu.unlock(cs)
		var zero T
		return zero, false
	case waitGranted:
		c.rsvItems--
		f.w.state = waitIdle
		f.armed = false
	default: // idle
		if c.n-c.rsvItems <= 0 {
			f.w.waker = cx.Waker()
			c.recvq.push(&f.w)
			f.armed = true
			c.mu.unlock(cs)
			var zero T
			return zero, false
		}
	}
	v := c.take()
	w := c.grantSender()
	c.mu.unlock(cs)
	w.Wake()
	return v, true
}

// Cancel withdraws the receive: the receiver leaves the queue, and a value reserved for it
// goes to the next waiting receiver or stays in the channel.
func (f *ReceiveFuture[T]) Cancel() {
	if !f.armed {
		return // not waiting: nobody else refers to f
	}
	c := f.ch
	cs := c.mu.lock()
	f.armed = false
	var w Waker
	switch f.w.state {
	case waitQueued:
		c.recvq.remove(&f.w)
	case waitGranted:
		f.w.state = waitIdle
		c.rsvItems--
		w = c.grantReceiver()
	}
	c.mu.unlock(cs)
	w.Wake()
}
