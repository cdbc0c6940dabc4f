package async

// Futures that link themselves into a queue (a Timer or Ticker into its core's timer queue,
// the Channel, Signal, Mutex and Notify futures into their primitive's wait queue) hold the
// queue's links in their own memory, so that waiting never allocates. Go has no Pin: nothing
// stops firmware from overwriting such a future while it is linked (tm = async.After(d) over
// a tm still queued, f = ch.Send(v) over an f still waiting) or from copying it, and either
// would silently unlink every future queued behind it: other tasks' timers and sends would
// never be served.
//
// So every node records its own address while it is linked (self), and every queue
// operation checks, in O(1) and without allocating, the nodes it touches: a node whose
// recorded address is not where it lives was copied; a node whose neighbours' links do not
// point back at it, or whose self is gone, was overwritten. An owner's own call also checks
// its node against the queue's ends (and the wait queue's cursor): a future that is idle by
// its own fields but is an end of the queue was overwritten. A failed check repairs the
// queue first: it keeps the consistent run of links from each end and joins them around the
// stale node (the timer queue then rebuilds its heap from its list of every queued timer),
// so the others keep their place and their wakes, and a reservation the stale node held (a
// Channel slot or value, the Mutex, a Signal's value, a NotifyOne) passes to the next
// waiter. Then the misused future panics, naming its type and its reuse method: at once if
// the check ran in its owner's own call, otherwise at its owner's next call (the check may
// have run in an interrupt handler or another task, which must not pay for the misuse). A
// copy's original is taken out of the queue and its owner woken, so it re-arms if it is
// still in use and nothing stays linked that nobody owns.
//
// What a repair cannot do: recover waiters between two stale nodes that are not adjacent
// (two futures overwritten in one queue between two operations on it). It then panics, in
// the operation that found it, once the queue's lock is released, rather than lose them
// silently. The panic values (misuseError) are small integers with constant messages, so
// the panic is reported intact even from an interrupt handler on the chip, where an
// allocation would itself panic. go vet's copylocks check flags copies at compile time: the
// node types, and so every future holding one, carry a noCopy marker.

// noCopy makes go vet's copylocks check report a copy of the struct that holds it (as
// sync.WaitGroup's does). It has no size and no cost.
type noCopy struct{}

// Lock is a no-op: noCopy only has it for go vet.
func (*noCopy) Lock() {}

// Unlock is a no-op: noCopy only has it for go vet.
func (*noCopy) Unlock() {}

// Which future a node belongs to, for the messages.
const (
	kindNone uint8 = iota
	kindSend
	kindReceive
	kindSignal
	kindLock
	kindNotified
	kindTimer
	kindTicker
	kindAwait // the op of a straight-line task's T, in a typed await (Channel.AwaitSend, ...)
	numKinds
)

// What was done to it.
const (
	howOverwritten = iota // assigned over while it was linked
	howCopied             // a copy used while the original was linked
	howLost               // a queue repair lost waiters: several misused at once
)

// misuseError is the panic value of a misused future: kind*3+how. It fits in an interface
// without allocating and its message is a constant, so the panic reaches the report intact
// even from an interrupt handler on the chip, where an allocation would itself panic.
type misuseError uint8

// misuseOf returns the panic value of misuse how of a future of the given kind.
func misuseOf(kind uint8, how int) error { return misuseError(int(kind)*3 + how) }

// Error returns the message: the future's type, what was done, and how to reuse it.
func (e misuseError) Error() string {
	if int(e) >= len(misuseMsgs) || misuseMsgs[e] == "" {
		return "async: a future was overwritten or copied while armed"
	}
	return misuseMsgs[e]
}

// The messages' common parts (constants: the messages are built at compile time, and kept
// short: they live in the firmware's flash).
const (
	overwritten = " overwritten while armed (the queue was repaired): Cancel it first, or reuse it with "
	copied      = " copied while armed (go vet's copylocks reports copies): keep it at one address; Cancel it first, or reuse it with "
	lost        = " overwritten or copied while armed, several at once: waiters were lost. Cancel it first, or reuse it with "
)

// Reuse methods.
const (
	fixSend    = "Reset(v) or Init(ch, v)"
	fixReceive = "Init(ch)"
	fixSignal  = "Init(s)"
	fixLock    = "Init(m)"
	fixNotify  = "Init(n)"
	fixTimer   = "Reset(deadline) or ResetAfter(d)"
	fixTicker  = "Reset(period)"
)

// The typed awaits' messages: their waiter lives in the task's T, which firmware never
// copies or assigns to (its function receives a *T), so they name no reuse method. (In the
// queue the waiter has its future's kind, so that a repair that lost waiters, which is about
// the futures around it, names them.)
const (
	awaitIn   = " while its task waited in a typed await (AwaitSend, AwaitReceive, Signal.Await, AwaitLock, AwaitNotified): "
	awaitOnly = "use only the *async.T the task's function received"
)

var misuseMsgs = [numKinds * 3]string{
	kindSend*3 + howOverwritten:     "async: SendFuture" + overwritten + fixSend,
	kindSend*3 + howCopied:          "async: SendFuture" + copied + fixSend,
	kindSend*3 + howLost:            "async: SendFutures" + lost + fixSend,
	kindReceive*3 + howOverwritten:  "async: ReceiveFuture" + overwritten + fixReceive,
	kindReceive*3 + howCopied:       "async: ReceiveFuture" + copied + fixReceive,
	kindReceive*3 + howLost:         "async: ReceiveFutures" + lost + fixReceive,
	kindSignal*3 + howOverwritten:   "async: SignalFuture" + overwritten + fixSignal,
	kindSignal*3 + howCopied:        "async: SignalFuture" + copied + fixSignal,
	kindSignal*3 + howLost:          "async: SignalFutures" + lost + fixSignal,
	kindLock*3 + howOverwritten:     "async: LockFuture" + overwritten + fixLock,
	kindLock*3 + howCopied:          "async: LockFuture" + copied + fixLock,
	kindLock*3 + howLost:            "async: LockFutures" + lost + fixLock,
	kindNotified*3 + howOverwritten: "async: NotifiedFuture" + overwritten + fixNotify,
	kindNotified*3 + howCopied:      "async: NotifiedFuture" + copied + fixNotify,
	kindNotified*3 + howLost:        "async: NotifiedFutures" + lost + fixNotify,
	kindTimer*3 + howOverwritten:    "async: Timer" + overwritten + fixTimer,
	kindTimer*3 + howCopied:         "async: Timer" + copied + fixTimer,
	kindTimer*3 + howLost:           "async: Timers" + lost + fixTimer,
	kindTicker*3 + howOverwritten:   "async: Ticker" + overwritten + fixTicker,
	kindTicker*3 + howCopied:        "async: Ticker" + copied + fixTicker,
	kindAwait*3 + howOverwritten:    "async: an async.T overwritten" + awaitIn + "the queue was repaired; " + awaitOnly,
	kindAwait*3 + howCopied:         "async: an async.T copied" + awaitIn + awaitOnly + " (go vet's copylocks reports copies)",
}
