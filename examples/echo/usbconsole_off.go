//go:build tinygo && !usbconsole

package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
)

// usbConsole is false on the chip by default: the console is UART0 (build with -tags
// usbconsole for the USB-Serial-JTAG). This build has no USB code: usbPort is a stub that
// is never called, so the UART echo links exactly what it did before the USB console.
const usbConsole = false

type usbPort struct{}

func openUSB(*hal.Peripherals, string) *usbPort { panic("echo: built without usbconsole") }
func (*usbPort) Write([]byte)                   {}
func (*usbPort) Flush()                         {}
func (*usbPort) Close()                         {}
func (*usbPort) startRead([]byte)               {}
func (*usbPort) pollRead(*async.Context) (async.Outcome[int], bool) {
	return async.Outcome[int]{}, true
}
func (*usbPort) startWrite([]byte)             {}
func (*usbPort) pollWrite(*async.Context) bool { return true }
func (*usbPort) startFlush()                   {}
func (*usbPort) pollFlush(*async.Context) bool { return true }
