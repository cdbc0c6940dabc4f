// Package async is gohal's interrupt-driven executor: stackless tasks and futures polled by
// executors that sleep in wait-for-interrupt, wakers that are small integers, a timer queue
// on a time driver, and synchronisation that works between tasks, interrupt handlers and (on
// the host) plain goroutines. It knows no chip: the HAL gives it software interrupts to pend
// executors and a time driver (on the ESP32-C3: hal/swint's FROM_CPU_INTR0–3, hal/systimer's
// alarms, and hal/executor, which wires executors to them).
//
// # Tasks and futures
//
// A Task is anything with Poll(*Context) bool, returning true when it has finished. A
// Future[T] is Poll(*Context) (T, bool) plus Cancel(), which disarms whatever the future
// armed (an interrupt enable, a timer) when its result is no longer wanted: Go has no Drop.
// A future that returns false has arranged for cx.Waker() to be woken when polling it again
// may make progress; spurious polls are allowed and must be harmless.
//
// Tasks live in a fixed table given to the executor at start (Config.Tasks): spawning after
// start, waking and polling never allocate. A Waker is 32 bits (executor, task); waking is
// idempotent, safe from any interrupt priority, any core and any goroutine, and sets one bit
// in a ready bitmap per task priority; the executor picks the highest ready priority in O(1)
// and is pended only when its queue goes from empty to non-empty.
//
// # Armed futures stay where they are
//
// Timers, Tickers and the Channel, Signal, Mutex and Notify futures link themselves into a
// queue when they wait, through a node in their own memory, so waiting never allocates (Go
// has no Pin: this is the rule Pin enforces in Rust). Keep such a future at one address
// while it is armed (a field of its task, a local of a straight-line task), and re-arm it in
// place: Timer.Reset and ResetAfter, Ticker.Reset, SendFuture.Reset and Init, and Init on
// ReceiveFuture, SignalFuture, LockFuture and NotifiedFuture, which cancel first (Select2,
// SelectAnyF, Join2 and JoinAllF have Init too, so a task can keep one in a field). Do not
// assign a new future over an armed one (tm = async.After(d) while tm is queued) and do not
// copy one: go vet's copylocks check reports copies, and at run time every queue operation
// checks, in O(1), the nodes it touches. A node found overwritten or copied is cut out of the
// queue, whatever it had reserved (a Channel slot or value, the Mutex, a Signal's value, a
// NotifyOne) passes to the next waiter, so no other task loses its wake, and the misused
// future panics naming its type and its reuse method: at once if its owner's own call found
// it, otherwise at its owner's next call (misuse.go tells the mechanism).
//
// # Straight-line tasks
//
// Go (or GoNamed) makes a task of a plain function that runs on a coroutine of its own and
// awaits in line: Await(t, &f) for any future, Sleep and Yield, and the primitives' typed
// awaits, which allocate nothing:
//
//	async.Go(func(t *async.T) {
//		for {
//			cmd := cmds.AwaitReceive(t) // Channel[Cmd]
//			bus.AwaitLock(t)            // Mutex
//			r := run(cmd)
//			bus.Unlock()
//			results.AwaitSend(t, r) // Channel[Result]
//			level := alarm.Await(t) // Signal[int]
//			kick.AwaitNotified(t)   // Notify
//			...
//		}
//	})
//
// A future in the function's own variable escapes to the heap once it queues itself (its
// queue records its address), so "f := ch.Receive(); v := async.Await(t, &f)" allocates once
// per await; a typed await queues a waiter that lives in the task's T instead (a
// straight-line task awaits one thing at a time). The typed awaits are served in the same
// FIFO order as the futures, mixed freely with them; each checks its *T before touching
// anything (used outside its own task it panics) and detects a copied or overwritten T as
// the futures detect misuse. A function that ends in the middle of an await (a panic)
// leaves nothing queued: the task cancels its waiter and Sleep's timer as it finishes, so
// what was reserved for it passes to the next waiter.
//
// Each straight-line task has a goroutine stack: the program's -stack-size under TinyGo
// (2 KiB on the ESP32-C3), or one of its own size, measured with T.StackUse on the chip:
//
//	async.GoWith(async.GoOptions{Name: "reader", StackSize: 1024}, reader)
//
// # Executors
//
//   - Thread mode (Executor.Run): polls, then sleeps in rt.WaitForInterrupt inside a critical
//     section when nothing is ready, so no wake is lost between the check and the sleep. One
//     per core; a wake from another core (or a goroutine outside the simulated CPU) raises the
//     owning core's cross-core software interrupt (Config.CrossCore).
//   - Interrupt mode (Config.Interrupt): polls inside a software interrupt's handler at a
//     chosen priority, preempting thread-mode work and lower interrupt executors. Several at
//     different priorities give RTIC-style preemptive scheduling; CeilingLock is RTIC's stack
//     resource policy for data they share with hardware tasks.
//
// # Panics
//
// A task that panics is stopped and its slot freed; the executor reports it (task name, value)
// to Config.OnPanic, or prints it, and keeps polling the other tasks. This needs recover,
// which the host and TinyGo's Cortex-M and RISC-V targets have; where recover is unavailable
// the panic stops the program as any panic does.
package async
