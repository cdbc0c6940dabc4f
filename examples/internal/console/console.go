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
	c.n += copy(c.buf[c.n:], s)
	return c
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
	c.n += copy(c.buf[c.n:], d[i:])
	return c
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
	c.S("0x")
	c.n += copy(c.buf[c.n:], d[i:])
	return c
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
	c.w.Write(c.buf[:c.n])
	c.n = 0
}
