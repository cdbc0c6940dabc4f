//go:build tinygo

package async

import "github.com/gohal/gohal/rt"

// spinlock guards an async object's state: a critical section, which on a multicore chip
// also takes rt's cross-core lock.
type spinlock struct{}

func (l *spinlock) lock() rt.CS { return rt.EnterCritical() }

func (l *spinlock) unlock(cs rt.CS) { cs.Exit() }
