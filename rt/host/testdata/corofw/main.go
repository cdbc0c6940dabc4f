// Command corofw is firmware for rt/host's hand-off race test, run with go run -race. Thread
// code resumes a coroutine (host.Handoff) that counts in a loop of register accesses, while
// a timer interrupt preempts it and its handler counts too:
//
//	racy     coroutine and handler increment one counter without a critical section: a lost
//	         update on the chip, which the detector must still report although the
//	         coroutine runs on a goroutine of its own;
//	correct  the same with critical sections, and a buffer that thread code and coroutine
//	         pass to each other through Resume and Yield alone: must pass.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/gohal/gohal/rt/host"
	"github.com/gohal/gohal/rt/mmio"
)

const timerSource = 2 // raised by the clock every 7µs of virtual time

var scratch = mmio.At[mmio.U32](0x6200_0000)

func main() {
	racy := len(os.Args) > 1 && os.Args[1] == "racy"
	var m *host.Machine
	next := 7 * time.Microsecond
	m = host.New(host.Config{OnTime: func() {
		m.SetSource(timerSource, true)
		next += 7 * time.Microsecond
		m.SetDeadline(next)
	}})
	m.SetDeadline(next)
	if err := m.Run(func() { firmware(m, racy) }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func critical(f func()) {
	st := host.Enter()
	f()
	host.Exit(st)
}

func firmware(m *host.Machine, racy bool) {
	count, runs := 0, 0
	bump := func() {
		if racy {
			count++ // the timer interrupt may land between this load and store
			return
		}
		critical(func() { count++ })
	}
	c := host.CurrentCore()
	c.Bind(timerSource, func() {
		m.SetSource(timerSource, false)
		runs++
		bump()
	})
	c.MapSource(timerSource, 3)
	c.SetLine(3, 1, false, true)

	var buf [8]int
	h := host.NewHandoff()
	finished := false
	go func() {
		h.Wait()
		defer h.Done()
		coroutine(h, &buf, bump)
		finished = true
	}()
	sum := 0
	for !finished {
		for i := range buf {
			buf[i]++
		}
		h.Resume()
		for _, v := range buf { // what the coroutine wrote before Yield
			sum += v
		}
	}
	critical(func() {
		c.EnableLine(3, false)
		fmt.Printf("count = %d (200 + %d handler runs), sum = %d\n", count, runs, sum)
	})
}

// coroutine runs as the thread context that resumes it.
func coroutine(h *host.Handoff, buf *[8]int, bump func()) {
	for round := 0; round < 10; round++ {
		for i := range buf {
			buf[i] += round // what the thread wrote before Resume
		}
		for i := 0; i < 20; i++ {
			bump()
			scratch.Load() // 50ns of virtual time each: the timer fires every 140
			scratch.Load()
		}
		h.Yield()
	}
}
