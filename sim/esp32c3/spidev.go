package esp32c3

import "sync"

// SPIEcho is an SPI device that echoes what it receives through an eight-bit shift
// register, as a device wired MISO-from-its-own-shift-register does: each byte clocked out
// is the byte clocked in just before it, so a transfer of n bytes returns the previous
// transfer's last byte followed by the first n-1 bytes sent. Set Loopback for a MISO wired
// straight to MOSI, which returns every byte in the same clocks.
type SPIEcho struct {
	mu       sync.Mutex
	loopback bool
	shift    byte
	received []byte
	selects  int
}

// NewSPIEcho returns an echo device; with loopback it answers each byte with itself.
func NewSPIEcho(loopback bool) *SPIEcho { return &SPIEcho{loopback: loopback} }

// Select implements SPIDevice.
func (e *SPIEcho) Select() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.selects++
}

// Transfer implements SPIDevice.
func (e *SPIEcho) Transfer(out byte) byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.received = append(e.received, out)
	if e.loopback {
		return out
	}
	in := e.shift
	e.shift = out
	return in
}

// Deselect implements SPIDevice.
func (e *SPIEcho) Deselect() {}

// Received returns every byte the device has been sent.
func (e *SPIEcho) Received() []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]byte(nil), e.received...)
}

// Selects returns how many times the device has been selected.
func (e *SPIEcho) Selects() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.selects
}

// SPIResponder is an SPI device that answers commands, in the manner of flash chips and
// many sensors: the first byte after the chip select is a command, and the device then
// clocks out the reply the Reply function gives for it (0xFF once the reply runs out) while
// it records the rest of what the master sends. Each completed selection is kept as a
// transaction, for the test to inspect.
type SPIResponder struct {
	mu     sync.Mutex
	reply  func(cmd byte, args []byte) []byte
	cur    []byte
	out    []byte
	txns   [][]byte
	active bool
}

// NewSPIResponder returns a device whose reply to a command is reply(cmd, args): args holds
// the bytes received after the command so far, so a reply can depend on an address sent
// before the data it returns (the reply is asked for again after each byte and its byte at
// the current position is sent).
func NewSPIResponder(reply func(cmd byte, args []byte) []byte) *SPIResponder {
	return &SPIResponder{reply: reply}
}

// NewSPIResponderTable returns a device answering each command in table with its fixed
// reply, starting right after the command byte.
func NewSPIResponderTable(table map[byte][]byte) *SPIResponder {
	return NewSPIResponder(func(cmd byte, _ []byte) []byte { return table[cmd] })
}

// Select implements SPIDevice.
func (r *SPIResponder) Select() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cur = r.cur[:0]
	r.active = true
}

// Transfer implements SPIDevice.
func (r *SPIResponder) Transfer(out byte) byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	in := byte(0xFF)
	if len(r.cur) > 0 {
		// The byte clocked out now is byte len(cur)-1 of the reply: the reply starts in the
		// byte after the command.
		reply := r.reply(r.cur[0], r.cur[1:])
		if i := len(r.cur) - 1; i < len(reply) {
			in = reply[i]
		}
	}
	r.cur = append(r.cur, out)
	return in
}

// Deselect implements SPIDevice.
func (r *SPIResponder) Deselect() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.active {
		r.txns = append(r.txns, append([]byte(nil), r.cur...))
		r.active = false
	}
}

// Transactions returns the bytes the master sent in each completed selection.
func (r *SPIResponder) Transactions() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([][]byte, len(r.txns))
	for i, t := range r.txns {
		out[i] = append([]byte(nil), t...)
	}
	return out
}
