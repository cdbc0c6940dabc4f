// Package async is a stub of gohal's async.
package async

type Channel[T any] struct{}
type SendFuture[T any] struct{}

func (c *Channel[T]) Send(v T) SendFuture[T] { return SendFuture[T]{} }
