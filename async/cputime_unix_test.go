//go:build unix

package async

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) the test process has used so far, on all
// its threads: a per-op cost that, unlike ns/op, does not grow when other processes share
// the machine's cores, and that counts the work of every goroutine involved.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
