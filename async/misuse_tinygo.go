//go:build tinygo

package async

import "unsafe"

// misuseText holds the most recent message Error composed.
var misuseText [maxMisuseText]byte

// Error returns the message: the future's type, what was done, and how to reuse it. It
// composes it in a static buffer, without allocating, so it works in an interrupt handler
// (where TinyGo's allocator panics) and while the panic is being reported. The string is
// valid until the next misuse message is composed: firmware that recovers a misuse panic
// and keeps its text should copy it. A misuse ends the program in practice, and its panic
// report is printed before anything else can compose another.
func (e misuseError) Error() string {
	n := e.compose(&misuseText)
	return unsafe.String(&misuseText[0], n)
}
