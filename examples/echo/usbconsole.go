//go:build !tinygo || usbconsole

package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/usbserial"
)

// usbPort is the USB-Serial-JTAG console: the async driver and the echo's futures on it.
type usbPort struct {
	a  *usbserial.Async
	rd usbserial.ReadFuture
	wr usbserial.WriteFuture
	fl usbserial.FlushFuture
}

// openUSB opens the USB-Serial-JTAG, greets and returns it in async mode.
func openUSB(p *hal.Peripherals, greeting string) *usbPort {
	b, err := usbserial.New(p.USBSerialJTAG, usbserial.Config{})
	check(err)
	b.Write([]byte(greeting))
	return &usbPort{a: b.IntoAsync()}
}

func (u *usbPort) Write(p []byte) { u.a.Write(p) }
func (u *usbPort) Flush()         { u.a.Flush() }
func (u *usbPort) Close()         { u.a.Close() }

func (u *usbPort) startRead(buf []byte) { u.rd = u.a.ReadAsync(buf) }

func (u *usbPort) pollRead(cx *async.Context) (async.Outcome[int], bool) { return u.rd.Poll(cx) }

func (u *usbPort) startWrite(buf []byte) { u.wr = u.a.WriteAsync(buf) }

func (u *usbPort) pollWrite(cx *async.Context) bool {
	_, ok := u.wr.Poll(cx)
	return ok
}

func (u *usbPort) startFlush() { u.fl = u.a.FlushAsync() }

func (u *usbPort) pollFlush(cx *async.Context) bool {
	_, ok := u.fl.Poll(cx)
	return ok
}
