//go:build !tinygo

package systimer

// notCountingHint ends Ticks' panic on the host, where a SYSTIMER that never counts is a
// program reading it with no simulated chip running.
const notCountingHint = " (off the chip: no simulated chip is running; was the time driver left installed? hal.ResetForTest uninstalls it)"
