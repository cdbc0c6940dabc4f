package async

import "github.com/gohal/gohal/rt"

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
	mu   spinlock
	buf  []T
	head int // index of the oldest value
	n    int // values in buf
	// Receivers and senders, waiting and granted: rq.granted values are reserved for
	// granted receivers (≤ n), sq.granted free slots for granted senders (≤ len(buf)-n).
	rq, sq waitQueue
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
	if c.buf != nil {
		panic("async: Channel.Init called on a channel already initialised: it would drop the values and waiters it holds; make a new Channel instead")
	}
	c.buf = buf
	c.head, c.n = 0, 0
}

// Cap returns the channel's capacity.
func (c *Channel[T]) Cap() int { return len(c.buf) }

// Len returns the number of values in the channel, including those already granted to
// woken receivers that have not yet been polled.
func (c *Channel[T]) Len() int {
	cs := c.mu.lock()
	n := c.n
	c.unlock(cs)
	return n
}

// unlock releases the lock. After a queue repair it first passes on the reservations of
// granted waiters it dropped (they were overwritten), and if the repair lost waiters it
// could not save, it panics once the lock is released. One check on the hot paths.
func (c *Channel[T]) unlock(cs rt.CS) {
	if c.sq.lost|c.rq.lost != 0 {
		c.unlockWakeSlow(cs, 0)
		return
	}
	c.mu.unlock(cs)
}

// unlockWake is unlock, then w.Wake() (before any panic, so that no wake is lost).
func (c *Channel[T]) unlockWake(cs rt.CS, w Waker) {
	if c.sq.lost|c.rq.lost != 0 {
		c.unlockWakeSlow(cs, w)
		return
	}
	c.mu.unlock(cs)
	if w != 0 {
		w.Wake()
	}
}

// unlockWakeSlow is unlockWake after a queue repair. Cold.
func (c *Channel[T]) unlockWakeSlow(cs rt.CS, w Waker) { releaseWake(c, cs, w) }

// release grants the values and slots a repair freed to the waiters next in line, one grant
// per lock hold and each wake after unlocking, and returns with the lock released and the
// message of a repair that lost waiters, if one did. Cold: only misuse gets here.
func (c *Channel[T]) release(cs rt.CS) error {
	var err error
	for {
		if e := c.sq.broken(); e != nil {
			err = e
		}
		if e := c.rq.broken(); e != nil {
			err = e
		}
		c.sq.lost, c.rq.lost = 0, 0
		g := c.grantSender()
		if g == nil {
			g = c.grantReceiver()
		}
		if g == nil && c.sq.lost|c.rq.lost == 0 {
			c.mu.unlock(cs)
			return err
		}
		w := wakerOf(g)
		c.mu.unlock(cs)
		w.Wake()
		cs = c.mu.lock()
	}
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
// and returns that receiver (wake it after unlocking), or nil.
func (c *Channel[T]) grantReceiver() *waiter {
	if c.rq.empty() || c.n-c.rq.granted <= 0 {
		return nil
	}
	return c.rq.grant()
}

// grantSender reserves a free slot for the longest-waiting sender, if there are both, and
// returns that sender (wake it after unlocking), or nil.
func (c *Channel[T]) grantSender() *waiter {
	if c.sq.empty() || len(c.buf)-c.n-c.sq.granted <= 0 {
		return nil
	}
	return c.sq.grant()
}

// TrySend puts v in the channel if it has a free slot that no waiting sender is owed, and
// reports whether it did. It never blocks and never allocates: call it from interrupt
// handlers.
func (c *Channel[T]) TrySend(v T) bool {
	cs := c.mu.lock()
	if c.n+c.sq.granted >= len(c.buf) {
		c.unlock(cs)
		return false
	}
	c.put(v)
	var w Waker
	if c.rq.cur != nil { // grantReceiver's first check, without the call
		w = wakerOf(c.grantReceiver())
	}
	c.unlockWake(cs, w)
	return true
}

// TryReceive takes the oldest value if there is one that no waiting receiver is owed, and
// reports whether it did. It never blocks and never allocates: call it from interrupt
// handlers.
func (c *Channel[T]) TryReceive() (T, bool) {
	cs := c.mu.lock()
	if c.n-c.rq.granted <= 0 {
		c.unlock(cs)
		var zero T
		return zero, false
	}
	v := c.take()
	var w Waker
	if c.sq.cur != nil { // grantSender's first check, without the call
		w = wakerOf(c.grantSender())
	}
	c.unlockWake(cs, w)
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
// with Channel.Send, or Init one in place (a zero SendFuture in a task's fields). Once it has
// completed, polling it again completes at once without sending anything; Reset gives it
// another value to send. Cancel before completion takes it out of the senders' queue and
// nothing is sent; Cancel after completion does nothing (the value is in the channel).
//
// While it waits it is linked into the channel's queue: do not copy it (go vet reports
// copies) and do not assign over it (f = ch.Send(v)) before it has completed or been
// cancelled; use Reset or Init, which cancel first. A future found copied or overwritten
// while waiting panics, and the queue is repaired so that the other senders keep their turn.
// A straight-line task sends with AwaitSend instead, which allocates nothing.
type SendFuture[T any] struct {
	ch *Channel[T]
	v  T
	op waitOp
}

// Init makes f a future sending v on c, cancelling first what f was doing (no allocation):
// f.Init(ch, v) in place of f = ch.Send(v).
func (f *SendFuture[T]) Init(c *Channel[T], v T) {
	f.Cancel()
	f.ch, f.v = c, v
	f.op.w.state = waitIdle // not armed: owner-only
}

// Poll sends the value if there is room (or room was reserved for this sender), otherwise
// queues the sender and returns false.
func (f *SendFuture[T]) Poll(cx *Context) (struct{}, bool) {
	return struct{}{}, f.ch.pollSend(&f.op, &f.v, cx, kindSend)
}

// pollSend is SendFuture.Poll and AwaitSend's poll: op sends *v. kind names op in misuse
// messages (kindSend, or kindAwait for a T's op); in the queue it is a sender either way, so
// that a repair that lost waiters names the futures. Once op has sent (idle in state
// waitDone) it completes at once without touching c.
func (c *Channel[T]) pollSend(op *waitOp, v *T, cx *Context, kind uint8) bool {
	if !op.armed && op.w.state == waitDone {
		return true // sent already; nobody else refers to op
	}
	cs := c.mu.lock()
	if c.sq.suspect(&op.w) {
		c.misuseSend(op, kind, cs)
	}
	var w Waker
	sent := false
	switch op.w.state {
	case waitQueued:
		op.w.waker = cx.Waker()
	case waitGranted:
		c.sq.ungrant(&op.w)
		sent = true
	default: // idle
		if c.n+c.sq.granted >= len(c.buf) {
			op.w.waker = cx.Waker()
			if !c.sq.enqueue(&op.w, kindSend) {
				c.misuseSend(op, kind, cs)
			}
			op.armed = true
		} else {
			sent = true
		}
	}
	if sent {
		c.put(*v)
		op.w.state = waitDone
		op.armed = false
		if c.rq.cur != nil && c.n > c.rq.granted { // grantReceiver, inlined
			w = wakerOf(c.rq.grant())
		}
	}
	// unlockWake, inlined (one exit, so that the compiler inlines the lock release once).
	if c.sq.lost|c.rq.lost != 0 {
		c.unlockWakeSlow(cs, w)
		return sent
	}
	c.mu.unlock(cs)
	if w != 0 {
		w.Wake()
	}
	return sent
}

// cancelSend undoes w's arming (the lock is held): it leaves the queue, or passes the slot
// reserved for it to the next waiting sender, whose waker it returns.
func (c *Channel[T]) cancelSend(w *waiter) Waker {
	switch w.state {
	case waitQueued:
		c.sq.unqueue(w)
	case waitGranted:
		c.sq.ungrant(w)
		return wakerOf(c.grantSender())
	}
	return 0
}

// misuseSend repairs what a copy or an overwrite of op (a sender of the given kind) broke,
// releases the lock and panics.
func (c *Channel[T]) misuseSend(op *waitOp, kind uint8, cs rt.CS) {
	undo, err := c.sq.misuse(&op.w, kind)
	var orig, next Waker
	if undo != nil {
		if undo != &op.w {
			orig = undo.waker // the original is out of the queue: its owner polls again
		}
		next = c.cancelSend(undo)
	}
	op.armed = false
	c.release(cs)
	orig.Wake()
	next.Wake()
	panic(err)
}

// withdrawSend is the Cancel of op, an armed sender of the given kind.
func (c *Channel[T]) withdrawSend(op *waitOp, kind uint8) {
	cs := c.mu.lock()
	if c.sq.suspect(&op.w) {
		c.misuseSend(op, kind, cs)
	}
	op.armed = false
	w := c.cancelSend(&op.w)
	c.unlockWake(cs, w)
}

// Cancel withdraws a send that has not completed: the sender leaves the queue, and a slot
// reserved for it goes to the next waiting sender. Polling again afterwards starts over.
func (f *SendFuture[T]) Cancel() {
	if f.op.armed { // else not waiting: nobody else refers to f
		f.ch.withdrawSend(&f.op, kindSend)
	}
}

// Reset cancels the send if it has not completed and makes the future send v next.
func (f *SendFuture[T]) Reset(v T) {
	f.Cancel()
	f.v = v
	f.op.w.state = waitIdle // not armed: owner-only
}

// Done reports whether the value has been sent.
func (f *SendFuture[T]) Done() bool { return !f.op.armed && f.op.w.state == waitDone }

// ReceiveFuture receives one value from a Channel; *ReceiveFuture[T] is a Future[T]. Make
// it with Channel.Receive, or Init one in place. Once it has completed, polling it again
// receives the next value, so a task can keep one ReceiveFuture in a field and poll it in a
// loop. Cancel takes it out of the receivers' queue; a value already reserved for it goes to
// the next waiting receiver, or stays in the channel.
//
// While it waits it is linked into the channel's queue: do not copy it or assign over it
// (see SendFuture). A straight-line task receives with AwaitReceive instead, which
// allocates nothing.
type ReceiveFuture[T any] struct {
	ch *Channel[T]
	op waitOp
}

// Init makes f a future receiving from c, cancelling first what f was doing (no
// allocation): f.Init(ch) in place of f = ch.Receive().
func (f *ReceiveFuture[T]) Init(c *Channel[T]) {
	f.Cancel()
	f.ch = c
}

// Poll takes the oldest value if there is one for this receiver, otherwise queues the
// receiver and returns false.
func (f *ReceiveFuture[T]) Poll(cx *Context) (T, bool) {
	return f.ch.pollReceive(&f.op, cx, kindReceive)
}

// pollReceive is ReceiveFuture.Poll and AwaitReceive's poll: op receives; kind names it in
// misuse messages (see pollSend).
func (c *Channel[T]) pollReceive(op *waitOp, cx *Context, kind uint8) (v T, ok bool) {
	cs := c.mu.lock()
	if c.rq.suspect(&op.w) {
		c.misuseReceive(op, kind, cs)
	}
	var w Waker
	switch op.w.state {
	case waitQueued:
		op.w.waker = cx.Waker()
	case waitGranted:
		c.rq.ungrant(&op.w)
		op.armed = false
		ok = true
	default: // idle
		if c.n-c.rq.granted <= 0 {
			op.w.waker = cx.Waker()
			if !c.rq.enqueue(&op.w, kindReceive) {
				c.misuseReceive(op, kind, cs)
			}
			op.armed = true
		} else {
			ok = true
		}
	}
	if ok {
		v = c.take()
		if c.sq.cur != nil && len(c.buf)-c.n > c.sq.granted { // grantSender, inlined
			w = wakerOf(c.sq.grant())
		}
	}
	// unlockWake, inlined (see pollSend).
	if c.sq.lost|c.rq.lost != 0 {
		c.unlockWakeSlow(cs, w)
		return v, ok
	}
	c.mu.unlock(cs)
	if w != 0 {
		w.Wake()
	}
	return v, ok
}

// cancelReceive undoes w's arming (the lock is held): it leaves the queue, or passes the
// value reserved for it to the next waiting receiver, whose waker it returns.
func (c *Channel[T]) cancelReceive(w *waiter) Waker {
	switch w.state {
	case waitQueued:
		c.rq.unqueue(w)
	case waitGranted:
		c.rq.ungrant(w)
		return wakerOf(c.grantReceiver())
	}
	return 0
}

// misuseReceive repairs what a copy or an overwrite of op (a receiver of the given kind)
// broke, releases the lock and panics.
func (c *Channel[T]) misuseReceive(op *waitOp, kind uint8, cs rt.CS) {
	undo, err := c.rq.misuse(&op.w, kind)
	var orig, next Waker
	if undo != nil {
		if undo != &op.w {
			orig = undo.waker
		}
		next = c.cancelReceive(undo)
	}
	op.armed = false
	c.release(cs)
	orig.Wake()
	next.Wake()
	panic(err)
}

// withdrawReceive is the Cancel of op, an armed receiver of the given kind.
func (c *Channel[T]) withdrawReceive(op *waitOp, kind uint8) {
	cs := c.mu.lock()
	if c.rq.suspect(&op.w) {
		c.misuseReceive(op, kind, cs)
	}
	op.armed = false
	w := c.cancelReceive(&op.w)
	c.unlockWake(cs, w)
}

// Cancel withdraws the receive: the receiver leaves the queue, and a value reserved for it
// goes to the next waiting receiver or stays in the channel.
func (f *ReceiveFuture[T]) Cancel() {
	if f.op.armed { // else not waiting: nobody else refers to f
		f.ch.withdrawReceive(&f.op, kindReceive)
	}
}

// AwaitSend puts v in the channel from a straight-line task (async.Go), waiting while the
// channel is full: Send and async.Await in one call, served in the same FIFO order as
// SendFutures. It allocates nothing: the waiter it queues lives in t (a SendFuture in the
// task function's own variable escapes to the heap, since the queue records its address, so
// "f := ch.Send(v); async.Await(t, &f)" allocates once per await).
//
// Call it only from t's own function, with the t it received: elsewhere (another task, an
// interrupt handler, after the function returned) it panics before touching c or t. If the
// function ends while the send waits (a panic it did not recover), the waiter leaves the
// queue as SendFuture.Cancel would, so no other sender loses its turn. A t copied or
// overwritten while it waits is detected like a misused SendFuture: the queue is repaired
// and the await panics.
func (c *Channel[E]) AwaitSend(t *T, v E) {
	t.mustRun("Channel.AwaitSend")
	op := t.beginOp((*chanSendSide[E])(c))
	for !c.pollSend(op, &v, t.cx, kindAwait) {
		t.co.yield()
	}
}

// AwaitReceive takes the oldest value from a straight-line task (async.Go), waiting while
// the channel is empty: Receive and async.Await in one call, served in the same FIFO order
// as ReceiveFutures. It allocates nothing (see AwaitSend); misuse is handled as for
// AwaitSend, and a value reserved for a task whose function ended goes to the next receiver
// or stays in the channel.
func (c *Channel[E]) AwaitReceive(t *T) E {
	t.mustRun("Channel.AwaitReceive")
	op := t.beginOp((*chanReceiveSide[E])(c))
	for {
		if v, ok := c.pollReceive(op, t.cx, kindAwait); ok {
			return v
		}
		t.co.yield()
	}
}

// chanSendSide and chanReceiveSide are a Channel as the opCanceller of a T's op queued as a
// sender or as a receiver.
type (
	chanSendSide[E any]    Channel[E]
	chanReceiveSide[E any] Channel[E]
)

func (s *chanSendSide[E]) cancelOp(op *waitOp) { (*Channel[E])(s).withdrawSend(op, kindAwait) }

func (s *chanReceiveSide[E]) cancelOp(op *waitOp) {
	(*Channel[E])(s).withdrawReceive(op, kindAwait)
}
