package async_test

import (
	"fmt"

	"github.com/gohal/gohal/async"
)

// summer is a stackless task that adds up what it receives until it receives a negative
// number. It keeps its ReceiveFuture in a field and polls it in a loop: a completed receive
// starts the next one.
type summer struct {
	rx  async.ReceiveFuture[int]
	sum int
}

func (s *summer) Poll(cx *async.Context) bool {
	for {
		v, ok := s.rx.Poll(cx)
		if !ok {
			return false // woken when a value arrives
		}
		if v < 0 {
			return true
		}
		fmt.Println("received", v)
		s.sum += v
	}
}

// A task receives from a Channel that an interrupt handler and a plain goroutine send to.
func ExampleChannel() {
	ch := async.NewChannel[int](2) // the only allocation: at start
	e, err := async.New(async.Config{Name: "main", Tasks: 1})
	if err != nil {
		panic(err)
	}
	defer e.Close()
	task := &summer{rx: ch.Receive()}
	if _, err := e.Spawner().Spawn(task); err != nil {
		panic(err)
	}
	e.Poll() // the task runs until it waits for a value

	// An interrupt handler sends with TrySend, which never blocks.
	ch.TrySend(1)
	ch.TrySend(2)
	fmt.Println("full:", !ch.TrySend(3))
	e.Poll()

	// On the host, a goroutine can block until there is room instead.
	done := make(chan struct{})
	go func() {
		for _, v := range []int{3, 4, 5, -1} {
			ch.SendBlocking(v)
		}
		close(done)
	}()
	for e.Len() > 0 { // a thread-mode executor's Run loop would sleep here instead
		e.Poll()
	}
	<-done
	fmt.Println("sum", task.sum)
	// Output:
	// full: true
	// received 1
	// received 2
	// received 3
	// received 4
	// received 5
	// sum 15
}

// Two straight-line tasks pass values over a Channel of capacity 1 with the typed awaits,
// which allocate nothing: the producer waits whenever the channel is full, the consumer
// whenever it is empty.
func ExampleChannel_AwaitReceive() {
	ch := async.NewChannel[int](1)
	e, err := async.New(async.Config{Name: "main", Tasks: 2})
	if err != nil {
		panic(err)
	}
	defer e.Close()
	producer := async.GoNamed("producer", func(t *async.T) {
		for i := 1; i <= 3; i++ {
			ch.AwaitSend(t, i*10)
		}
		ch.AwaitSend(t, -1)
	})
	consumer := async.GoNamed("consumer", func(t *async.T) {
		for {
			v := ch.AwaitReceive(t)
			if v < 0 {
				return
			}
			fmt.Println("received", v)
		}
	})
	for _, task := range []async.Task{producer, consumer} {
		if _, err := e.Spawner().Spawn(task); err != nil {
			panic(err)
		}
	}
	e.Poll() // both run, each waking the other, until both have returned
	fmt.Println("tasks left:", e.Len())
	// Output:
	// received 10
	// received 20
	// received 30
	// tasks left: 0
}
