//go:build !tinygo && linux

package host

import (
	"syscall"
	"unsafe"
)

// haveThreadCPU reports whether threadCPU reads a per-thread CPU clock.
const haveThreadCPU = true

// clockThreadCPUTime is Linux's CLOCK_THREAD_CPUTIME_ID.
const clockThreadCPUTime = 3

// threadCPU returns the CPU time the calling OS thread has used, in nanoseconds. It is the
// goroutine's own only while the goroutine is locked to its thread (runtime.LockOSThread).
// A raw system call: it never blocks, so the scheduler need not know.
func threadCPU() uint64 {
	var ts syscall.Timespec
	syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0)
	return uint64(ts.Sec)*1e9 + uint64(ts.Nsec)
}
