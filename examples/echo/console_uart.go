//go:build tinygo && !usbconsole

package main

// usbConsole is false on the chip by default: the console is UART0. Build with
// -tags usbconsole for the USB-Serial-JTAG (console_usb.go).
const usbConsole = false
