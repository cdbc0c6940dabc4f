// Package console is the examples' line printer: text and numbers into a fixed buffer, one
// Write per line to an io.Writer (the examples' UART0 driver), with no fmt, no interfaces
// around the values and no allocation, so it may also print from an interrupt executor's
// task. One Console serves one context at a time: share one between priorities under a
// lock (the preempt example uses an async.CeilingLock).
package console

import "io"

// Console builds a line and writes it out.
type Console struct {
	w   io.Writer
	buf [160]byte
	n   int
}

// New returns a console writing to w.
func New(w io.Writer) *Console { return &Console{w: w} }

// S appends a string.
func (c *Console) S(s string) *Console {
	for {
		k := copy(c.buf[c.n:], s)
		c.n += k
		s = s[k:]
		if len(s) == 0 {
			return c
		}
		c.flush() // a line longer than the buffer goes out in pieces, never cut short
	}
}

// put is S for bytes (no string conversion: TinyGo would allocate one).
func (c *Console) put(b []byte) *Console {
	for {
		k := copy(c.buf[c.n:], b)
		c.n += k
		b = b[k:]
		if len(b) == 0 {
			return c
		}
		c.flush()
	}
}

func (c *Console) flush() {
	c.w.Write(c.buf[:c.n])
	c.n = 0
}

// D appends an integer in decimal.
func (c *Console) D(v int64) *Console {
	if v < 0 {
		c.S("-")
		v = -v
	}
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return c.put(d[i:])
}

// X appends v in hexadecimal with a 0x prefix.
func (c *Console) X(v uint32) *Console {
	const digits = "0123456789abcdef"
	var d [8]byte
	i := len(d)
	for {
		i--
		d[i] = digits[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	return c.S("0x").put(d[i:])
}

// Frac appends num/den as a decimal with one digit after the point ("99.7").
func (c *Console) Frac(num, den int64) *Console {
	if den == 0 {
		return c.S("?")
	}
	t := (num*10 + den/2) / den
	return c.D(t / 10).S(".").D(t % 10)
}

// NL ends the line ("\r\n") and writes it.
func (c *Console) NL() {
	c.S("\r\n")
	c.flush()
}
