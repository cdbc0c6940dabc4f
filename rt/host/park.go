//go:build !tinygo

package host

// parker is the one way a goroutine of the model waits for another: park blocks until
// unpark has been called at least once since the last park returned. The flag carries the
// truth; the blocking mechanism underneath (park_*.go) only saves the CPU while waiting,
// and which mechanism is used depends on whether the race detector is on.
type parker struct {
	flag uint32
	ch   chan struct{} // non-race builds: a one-token wake-up
}

func (p *parker) init() { p.ch = make(chan struct{}, 1) }

// park waits for unpark and consumes it.
func (p *parker) park() {
	for i := 0; !cas32(&p.flag, 1, 0); i++ {
		p.wait(i)
	}
}

// unpark lets the parked goroutine (or the next one to park) continue.
func (p *parker) unpark() {
	store32(&p.flag, 1)
	p.wake()
}
