//go:build !tinygo

package async

// Error returns the message: the future's type, what was done, and how to reuse it. On the
// host each call returns a new string (tests may hold several at once, from several
// goroutines).
func (e misuseError) Error() string {
	var b [maxMisuseText]byte
	return string(b[:e.compose(&b)])
}
