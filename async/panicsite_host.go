//go:build !tinygo

package async

import (
	"runtime"
	"strconv"
	"strings"
)

// panicSites is true: panicSite finds the file:line of a panic on the host.
const panicSites = true

// panicSite returns the file:line of the panic being recovered, called from the deferred
// function that recovers it: the first frame below the runtime's panic machinery.
func panicSite() string {
	var pcs [32]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	inPanic := false
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, "runtime.") {
			inPanic = inPanic || strings.HasPrefix(f.Function, "runtime.gopanic") || strings.HasPrefix(f.Function, "runtime.panic")
		} else if inPanic {
			return f.File + ":" + strconv.Itoa(f.Line)
		}
		if !more {
			return ""
		}
	}
}
