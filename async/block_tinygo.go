//go:build tinygo

package async

// wakeGoroutine is the host's hook for goroutines parked in Block (block_host.go). TinyGo
// builds have no Block: a waker above the executor range wakes nothing.
func wakeGoroutine(Waker) {}
