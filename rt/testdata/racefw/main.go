// Command racefw is firmware for rt's race-detector test, run with go run -race:
//
//	racy     a timer interrupt's handler and thread code increment one counter without a
//	         critical section: a lost update on the chip, which the detector must report;
//	correct  the same with critical sections: must pass;
//	handoff  thread code fills a buffer and then raises a software interrupt whose handler
//	         reads it straight away, before touching any register: correct on the chip
//	         (the handler runs because of the raise), so it must pass too.
package main

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/host"
	"github.com/gohal/gohal/rt/mmio"
)

// A one-register peripheral: writing 1 raises interrupt source 1, writing 0 lowers it.
const swBase = 0x6100_0000

type swint struct{ m *host.Machine }

func (s swint) Read(addr uintptr, size int) uint64 { return 0 }
func (s swint) Write(addr uintptr, size int, v uint64) {
	s.m.SetSource(1, v&1 != 0)
	s.m.Poll()
}

const timerSource = 2 // raised by the clock every 7µs of virtual time

var (
	sw      = mmio.At[mmio.U32](swBase)
	scratch = mmio.At[mmio.U32](0x6200_0000)
)

func main() {
	mode := "racy"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	var m *host.Machine
	next := 7 * time.Microsecond
	m = host.New(host.Config{OnTime: func() {
		m.SetSource(timerSource, true)
		next += 7 * time.Microsecond
		m.SetDeadline(next)
	}})
	m.SetDeadline(next)
	defer mmio.Hook(swBase, swBase+4, swint{m})()

	var err error
	switch mode {
	case "racy", "correct":
		err = m.Run(func() { counter(m, mode == "racy") })
	case "handoff":
		err = m.Run(handoff)
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func counter(m *host.Machine, racy bool) {
	count, runs := 0, 0
	bump := func() {
		if racy {
			count++ // the timer interrupt may land between this load and store
			return
		}
		rt.Critical(func() { count++ })
	}
	rt.Bind(timerSource, func() {
		m.SetSource(timerSource, false) // the timer's interrupt-clear
		runs++
		bump()
	})
	rt.Enable(timerSource, 1)
	for i := 0; i < 200; i++ {
		bump()
		scratch.Load() // 50ns of virtual time each: the timer fires every 140 accesses
		scratch.Load()
	}
	rt.Critical(func() {
		rt.Disable(timerSource)
		fmt.Printf("count = %d (200 + %d handler runs)\n", count, runs)
	})
}

func handoff() {
	var buf [8]int
	var sum int
	var done atomic.Bool
	rt.Bind(1, func() {
		for _, v := range buf { // before any register access
			sum += v
		}
		sw.Store(0)
		done.Store(true)
	})
	rt.Enable(1, 3)
	for i := range buf {
		buf[i] = i + 1
	}
	sw.Store(1) // the handler runs right after this write
	for !done.Load() {
		scratch.Load()
	}
	fmt.Println("sum =", sum)
}
