package esp32c3

import (
	"fmt"
	"time"
)

// deviceNotes is how a bus device model reports a register or command it does not
// implement: the first use of each one is logged on the chip the device is attached to,
// with the model's name, and kept for Notes, so a gap in the model is visible instead of a
// silent zero. The owner's lock guards it.
type deviceNotes struct {
	name string
	chip *Chip
	now  func() time.Duration
	seen map[string]bool
	list []string
}

// attach records the clock and the chip the device was attached to (the live chip: Attach
// calls Attached on it).
func (n *deviceNotes) attach(now func() time.Duration) {
	n.now, n.chip = now, live.Load()
}

func (n *deviceNotes) clock() time.Duration {
	if n.now == nil {
		return 0
	}
	return n.now()
}

// note logs format once per key.
func (n *deviceNotes) note(key, format string, args ...any) {
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	if n.seen[key] {
		return
	}
	n.seen[key] = true
	msg := n.name + ": " + fmt.Sprintf(format, args...)
	n.list = append(n.list, msg)
	if n.chip != nil {
		n.chip.Logf("%s", msg)
	}
}

func (n *deviceNotes) notes() []string { return append([]string(nil), n.list...) }
