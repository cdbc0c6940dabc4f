//go:build !tinygo

package async

import "unsafe"

// pollFn is how a slot calls its task's Poll: a func value, one word under gc.
type pollFn func(sl *slot, cx *Context) bool

func makePollFn(f func(sl *slot, cx *Context) bool) pollFn { return f }

func callPoll(f pollFn, sl *slot, cx *Context) bool { return f(sl, cx) }

// pointerTask is how a slot holds a task from Spawn. Under gc, a func value of a generic
// function instantiated inside another generic function (pollPointer[T, P] in SpawnWith)
// is a closure over the caller's dictionary, allocated at each spawn; a one-pointer wrapper
// in the Task interface is not. The host has no flash to save, so it keeps the interface.
func pointerTask[T any, P TaskPointer[T]](t P) ([2]unsafe.Pointer, pollFn) {
	var task Task = pointerTaskOf[T, P]{unsafe.Pointer(t)}
	return *(*[2]unsafe.Pointer)(unsafe.Pointer(&task)), makePollFn(pollInterface)
}

// pointerTaskOf is a task from Spawn in the Task interface (host only).
type pointerTaskOf[T any, P TaskPointer[T]] struct{ p unsafe.Pointer }

func (t pointerTaskOf[T, P]) Poll(cx *Context) bool { return P((*T)(t.p)).Poll(cx) }
