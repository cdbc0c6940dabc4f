package executor

import (
	"github.com/gohal/gohal/hal/internal/boot"
	"github.com/gohal/gohal/hal/systimer"
)

// A program with executors has async timers: hal.Init starts the SYSTIMER time driver for
// them (unless Config.NoTimeDriver). Registering it here rather than calling it from
// hal.Init keeps it out of programs that have no executor (hal/internal/boot).
func init() { boot.StartTimeDriver = systimer.Start }
