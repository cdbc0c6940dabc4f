// Package gpio is a stub of gohal's hal/gpio.
package gpio

import "github.com/gohal/gohal/hal/periph"

type Output struct{}

func NewOutput(p periph.Pin) (*Output, error) { return &Output{}, nil }
func (o *Output) Set(high bool)               {}
func (o *Output) Close()                      {}
