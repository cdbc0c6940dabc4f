//go:build tinygo && usbconsole

package main

// usbConsole: the usbconsole build tag makes the chip's USB-Serial-JTAG the console.
const usbConsole = true
