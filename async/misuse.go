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
// without allocating, and its message is composed without allocating, so the panic reaches
// the report intact even from an interrupt handler on the chip, where an allocation would
// itself panic.
type misuseError uint8

// misuseOf returns the panic value of misuse how of a future of the given kind.
func misuseOf(kind uint8, how int) error { return misuseError(int(kind)*3 + how) }

// The messages are composed from parts when Error is called, not stored whole: whole, the
// 25 messages cost every async program 1.85 KB more flash on the ESP32-C3; composed, the
// chip needs a 220-byte buffer in RAM to return one without allocating (misuse_tinygo.go).
const (
	misusePrefix  = "async: "
	overwritten   = " overwritten while armed (the queue was repaired): Cancel it first, or reuse it with "
	copied        = " copied while armed (go vet's copylocks reports copies): keep it at one address; Cancel it first, or reuse it with "
	lost          = " overwritten or copied while armed, several at once: waiters were lost. Cancel it first, or reuse it with "
	unknownMisuse = "async: a future was overwritten or copied while armed"
)

// misuseHow is what was done, by how.
var misuseHow = [3]string{howOverwritten: overwritten, howCopied: copied, howLost: lost}

// futureNames and futureFixes are each kind's future type and its reuse methods.
var futureNames = [numKinds]string{
	kindSend: "SendFuture", kindReceive: "ReceiveFuture", kindSignal: "SignalFuture", kindLock: "LockFuture",
	kindNotified: "NotifiedFuture", kindTimer: "Timer", kindTicker: "Ticker",
}

var futureFixes = [numKinds]string{
	kindSend:     "Reset(v) or Init(ch, v)",
	kindReceive:  "Init(ch)",
	kindSignal:   "Init(s)",
	kindLock:     "Init(m)",
	kindNotified: "Init(n)",
	kindTimer:    "Reset(deadline) or ResetAfter(d)",
	kindTicker:   "Reset(period)",
}

// The typed awaits' messages: their waiter lives in the task's T, which firmware never
// copies or assigns to (its function receives a *T), so they name no reuse method. (In the
// queue the waiter has its future's kind, so that a repair that lost waiters, which is about
// the futures around it, names them.)
const (
	awaitIn   = " while its task waited in a typed await (AwaitSend, AwaitReceive, Signal.Await, AwaitLock, AwaitNotified): "
	awaitOnly = "use only the *async.T the task's function received"
)

// maxMisuseText bounds a composed message (the longest is 217 bytes; a test checks they fit).
const maxMisuseText = 220

// compose writes e's message into b and returns its length: the future's type, what was
// done, and how to reuse it.
func (e misuseError) compose(b *[maxMisuseText]byte) int {
	kind, how := uint8(e)/3, int(e)%3
	var parts [5]string
	switch {
	case kind == kindAwait && how == howOverwritten:
		parts = [5]string{misusePrefix, "an async.T overwritten", awaitIn, "the queue was repaired; ", awaitOnly}
	case kind == kindAwait && how == howCopied:
		parts = [5]string{misusePrefix, "an async.T copied", awaitIn, awaitOnly, " (go vet's copylocks reports copies)"}
	case kind == kindNone || kind >= numKinds || kind == kindAwait || kind == kindTicker && how == howLost:
		parts[0] = unknownMisuse
	default:
		plural := ""
		if how == howLost {
			plural = "s"
		}
		parts = [5]string{misusePrefix, futureNames[kind], plural, misuseHow[how], futureFixes[kind]}
	}
	n := 0
	for _, p := range parts {
		n += copy(b[n:], p)
	}
	return n
}
