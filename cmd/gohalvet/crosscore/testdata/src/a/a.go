package a

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/rt"
)

var buf [8]byte

// --- misuse ---

func capturesAsync(u *uart.Blocking) {
	ua := u.IntoAsync()
	rt.StartCore(1, func() {
		ua.Write(buf[:]) // want `async driver ua is used by code started on core 1`
	})
}

func capturesFuture(ua *uart.Async) {
	rd := ua.ReadAsync(buf[:])
	rt.StartCore(1, func() {
		_ = rd // want `future of an async driver rd is used by code started on core 1`
	})
}

func capturesInNestedClosure(ua *uart.Async) {
	rt.StartCore(1, func() {
		task := func() { ua.Write(buf[:]) } // want `async driver ua is used by code started on core 1`
		task()
	})
}

func sentOnGoChannel(ua *uart.Async, ch chan *uart.Async) {
	ch <- ua // want `ua, an async driver, is sent through a channel`
}

func sentOnAsyncChannel(ua *uart.Async, ch *async.Channel[*uart.Async]) {
	_ = ch.Send(ua) // want `ua, an async driver, is sent through a channel`
}

// --- correct ---

func movesBlocking(u *uart.Blocking) {
	rt.StartCore(1, func() {
		ua := u.IntoAsync() // IntoAsync on the core that uses it
		ua.Write(buf[:])
	})
}

func makesItsOwn() {
	rt.StartCore(1, func() {
		var u *uart.Blocking
		ua := u.IntoAsync()
		rd := ua.ReadAsync(buf[:])
		_ = rd
	})
}

func sameCore(ua *uart.Async) {
	f := func() { ua.Write(buf[:]) }
	f()
}

func sendsBlocking(u *uart.Blocking, ch chan *uart.Blocking) {
	ch <- u
}

func sendsData(ch chan []byte) {
	ch <- buf[:]
}
