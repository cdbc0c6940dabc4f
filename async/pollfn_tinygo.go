//go:build tinygo

package async

import "unsafe"

// pollFn is how a slot calls its task's Poll (pollInterface, or pollPointer for a task from
// Spawn): the address of a top-level function's code. A TinyGo func value is two words
// (funcValue), but a top-level function's context is nil, so the slot keeps only the code
// and its header stays at 16 bytes, as under gc.
type pollFn uintptr

func makePollFn(f func(sl *slot, cx *Context) bool) pollFn {
	return pollFn((*funcValue)(unsafe.Pointer(&f)).code)
}

func callPoll(p pollFn, sl *slot, cx *Context) bool {
	f := funcValue{code: uintptr(p)}
	return (*(*func(sl *slot, cx *Context) bool)(unsafe.Pointer(&f)))(sl, cx)
}

// pointerTask is how a slot holds a task from Spawn: {nil, t}, polled by pollPointer[T, P].
// TinyGo instantiates generic functions in full, so pollPointer[T, P] is a top-level
// function, and no interface (nor its type information) is involved.
func pointerTask[T any, P TaskPointer[T]](t P) ([2]unsafe.Pointer, pollFn) {
	return [2]unsafe.Pointer{nil, unsafe.Pointer(t)}, makePollFn(pollPointer[T, P])
}

// pollPointer polls a task from Spawn: a direct call of *T's Poll.
func pollPointer[T any, P TaskPointer[T]](sl *slot, cx *Context) bool {
	return P((*T)(sl.task[1])).Poll(cx)
}
