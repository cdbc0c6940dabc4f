// Command can talks to a second node on a CAN bus at 500 kbit/s through the TWAI
// controller (TX on GPIO2, RX on GPIO3, to a CAN transceiver): it sends five frames, each
// answered by the other node with the same data under the identifier + 8, and prints each
// frame and its answer with the round-trip time, then the error counters. A straight-line
// task awaits each transmission (TX interrupt) and each answer (RX interrupt, under a
// 100 ms timeout); the core sleeps in between.
//
//	go run ./examples/can                        # on the simulator, whose second node
//	                                             # echoes every frame
//	tinygo build -target=esp32c3 ./examples/can  # for the chip: the other node must echo
//
// main hands firmware to start, which start_tinygo.go runs on the chip and start_host.go
// hands to the simulator.
package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/twai"
	"github.com/gohal/gohal/hal/uart"
)

const (
	frames   = 5
	baseID   = 0x100
	echoStep = 8 // the other node answers under ID + 8
)

func firmware() {
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
	check(err)
	con := console.New(u)

	can, err := twai.New(p.TWAI0, twai.Config{BitRate: 500_000}, p.GPIO2, p.GPIO3)
	check(err)
	tm := can.Timing()
	con.S("can: 500 kbit/s (BRP ").D(int64(tm.BRP)).S(", 1+").D(int64(tm.TSeg1)).S("+").D(int64(tm.TSeg2)).
		S(" quanta), TX GPIO2, RX GPIO3").NL()
	ca := can.IntoAsync()

	ex, err := executor.Thread(executor.Options{Name: "main", Tasks: 1})
	check(err)
	var timeout async.Timeout[async.Outcome[twai.Frame]]
	var rx twai.ReceiveFuture
	_, err = ex.Spawner().Spawn(async.Go(func(t *async.T) {
		for i := 0; i < frames; i++ {
			data := [5]byte{'p', 'i', 'n', 'g', '0' + byte(i)}
			f, err := twai.StandardFrame(uint32(baseID+i), data[:])
			check(err)
			start := async.Now()
			if err := ca.AwaitTransmit(t, f); err != nil {
				con.S("can: transmit: ").S(err.Error()).NL()
				return
			}
			rx = ca.ReceiveAsync()
			timeout.Init(&rx, start.Add(100*async.Millisecond))
			o := async.Await(t, &timeout) // the timeout's outcome around the receive's
			if o.Err == nil {
				o.Err = o.Value.Err
			}
			if o.Err != nil {
				con.S("can: no answer to ").X(f.ID).S(": ").S(o.Err.Error()).NL()
				return
			}
			g := o.Value.Value
			con.S("can: sent ").X(f.ID).S(" ").S(string(f.Payload())).S(" -> got ").X(g.ID).S(" ").
				S(string(g.Payload())).S(" in ").D(async.Now().Sub(start).Micros()).S(" us").NL()
		}
	}))
	check(err)
	ex.Run()
	st := ca.Status()
	con.S("can: done, ").S(st.State.String()).S(", TX errors ").D(int64(st.TXErrors)).S(", RX errors ").
		D(int64(st.RXErrors)).NL()
	u.Flush()
	ex.Close()
	ca.Close()
	systimer.Stop()
	u.Close()
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}

func main() { start(firmware) }
