package async_test

import (
	"fmt"

	"github.com/gohal/gohal/async"
)

// display is a task that shows the latest temperature each time one is signalled.
type display struct {
	wait  async.SignalFuture[int]
	shown int
}

func (d *display) Poll(cx *async.Context) bool {
	for d.shown < 2 {
		t, ok := d.wait.Poll(cx)
		if !ok {
			return false // woken by the next Signal
		}
		fmt.Println("temperature", t)
		d.shown++
	}
	return true
}

// An interrupt handler signals readings to a task; only the latest one counts.
func ExampleSignal() {
	var temperature async.Signal[int] // the zero Signal is ready to use
	e, err := async.New(async.Config{Name: "main", Tasks: 1})
	if err != nil {
		panic(err)
	}
	defer e.Close()
	if _, err := e.Spawner().Spawn(&display{wait: temperature.Wait()}); err != nil {
		panic(err)
	}
	e.Poll() // the task waits

	// The sensor's interrupt handler fires twice before the task runs: the latest value wins.
	temperature.Signal(20)
	temperature.Signal(21)
	e.Poll()
	temperature.Signal(22)
	e.Poll()
	fmt.Println("tasks left:", e.Len())
	// Output:
	// temperature 21
	// temperature 22
	// tasks left: 0
}
