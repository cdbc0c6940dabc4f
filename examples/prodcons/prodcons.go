// Command prodcons is a producer and a consumer on the thread-mode executor, over a bounded
// async.Channel: the producer makes a sample every 10 ms (an async.Ticker) and sends it,
// waiting for room when the channel is full; the consumer takes samples in order and
// handles them, slowly every fourth one (an async.Timer of 55 ms, so the core sleeps rather
// than spins). The channel holds 3 samples: when the consumer falls behind, the producer
// waits (backpressure) and catches up on its missed ticks afterwards. Nothing is lost or
// reordered, and nothing allocates after start.
//
//	go run ./examples/prodcons                        # on the ESP32-C3 simulator, virtual time
//	tinygo build -target=esp32c3 ./examples/prodcons   # for the chip
package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/uart"
)

const (
	samples  = 16
	period   = 10 * async.Millisecond
	slowWork = 55 * async.Millisecond
	capacity = 3
)

// sample is what flows through the channel.
type sample struct {
	seq  int
	made async.Instant // the producer's tick
}

type producer struct {
	ch      *async.Channel[sample]
	con     *console.Console
	tk      async.Ticker
	send    async.SendFuture[sample]
	sending bool
	seq     int
	waits   int // sends that found the channel full
	started bool
}

func (p *producer) Poll(cx *async.Context) bool {
	if !p.started {
		p.tk = async.NewTicker(period)
		p.started = true
	}
	for {
		if p.sending {
			if _, ok := p.send.Poll(cx); !ok {
				return false // full: woken when the consumer frees a slot
			}
			p.sending = false
			if p.seq == samples {
				return true
			}
		}
		at, ok := p.tk.Poll(cx)
		if !ok {
			return false
		}
		p.seq++
		p.send = p.ch.Send(sample{seq: p.seq, made: at})
		p.sending = true
		if _, ok := p.send.Poll(cx); !ok {
			p.waits++
			p.con.S("producer: channel full at ").D(async.Now().Sub(0).Millis()).S(" ms, sample #").D(int64(p.seq)).S(" waits for room").NL()
			return false
		}
		p.sending = false
		if p.seq == samples {
			return true
		}
	}
}

type consumer struct {
	ch      *async.Channel[sample]
	con     *console.Console
	recv    async.ReceiveFuture[sample]
	work    async.Timer
	working bool
	got     int
	inOrder bool
}

func (c *consumer) Poll(cx *async.Context) bool {
	for {
		if c.working {
			if _, ok := c.work.Poll(cx); !ok {
				return false
			}
			c.working = false
			if c.got == samples {
				return true
			}
		}
		s, ok := c.recv.Poll(cx)
		if !ok {
			return false
		}
		c.got++
		if s.seq != c.got {
			c.inOrder = false
		}
		now := async.Now()
		c.con.S("consumer: sample #").D(int64(s.seq)).S(" made at ").D(s.made.Sub(0).Millis()).S(" ms, taken at ").
			D(now.Sub(0).Millis()).S(" ms, ").D(int64(c.ch.Len())).S(" more queued").NL()
		d := async.Millisecond
		if s.seq%4 == 0 {
			d = slowWork
		}
		c.work = async.At(now.Add(d))
		c.working = true
	}
}

func firmware() {
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	check(err)
	con := console.New(u)
	con.S("prodcons: a sample every 10 ms, a consumer slow on every 4th, over a Channel of ").D(capacity).NL()

	ch := async.NewChannel[sample](capacity)
	ex, err := executor.Thread(executor.Options{Name: "main"})
	check(err)
	prod := &producer{ch: ch, con: con}
	cons := &consumer{ch: ch, con: con, recv: ch.Receive(), inOrder: true}
	_, err = async.SpawnWith(ex.Spawner(), prod, async.SpawnOptions{Name: "producer"})
	check(err)
	_, err = async.SpawnWith(ex.Spawner(), cons, async.SpawnOptions{Name: "consumer"})
	check(err)
	ex.Run() // both tasks finish

	ordered := "in order"
	if !cons.inOrder {
		ordered = "OUT OF ORDER"
	}
	idle, total := ex.IdleCycles()
	con.S("prodcons: ").D(int64(cons.got)).S(" of ").D(samples).S(" samples consumed, ").S(ordered).
		S("; the producer waited for room ").D(int64(prod.waits)).S(" times; idle ").Frac(int64(idle)*100, int64(total)).S("%").NL()
	u.Flush()
	ex.Close()
	u.Close()
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}
