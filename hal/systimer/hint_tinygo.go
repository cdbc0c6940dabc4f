//go:build tinygo

package systimer

// notCountingHint is empty on the chip: the host's hint (no simulated chip running) would
// be 100 bytes of flash in every program that reads the time.
const notCountingHint = ""
