//go:build !unix

package async

import "time"

// processCPU is unavailable here: benchmarks report no cpu-ns/op.
func processCPU() (time.Duration, bool) { return 0, false }
