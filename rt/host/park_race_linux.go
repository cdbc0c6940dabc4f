//go:build !tinygo && race && linux

package host

import (
	"runtime"
	"syscall"
	"unsafe"
)

// Under the race detector a channel would tell it that whatever the waker did before the
// hand-off happened before whatever the woken goroutine does after: exactly the edge a real
// core does not have between an interrupted thread and its handler. A raw futex system call
// blocks and wakes without the detector knowing, and the kernel orders memory around it.

const (
	futexWait = 0 | 128 // FUTEX_WAIT | FUTEX_PRIVATE_FLAG
	futexWake = 1 | 128 // FUTEX_WAKE | FUTEX_PRIVATE_FLAG
)

func (p *parker) wait(i int) {
	if i < 20 {
		// Hand-offs are usually answered within microseconds; yielding first is cheaper
		// than sleeping in the kernel.
		runtime.Gosched()
		return
	}
	syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(&p.flag)), futexWait, 0, 0, 0, 0)
}

func (p *parker) wake() {
	syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(&p.flag)), futexWake, 1, 0, 0, 0)
}
