// Package swint is a stub of gohal's hal/swint: Bind hands its handler to rt.Bind.
package swint

import "github.com/gohal/gohal/rt"

type SoftwareInterrupt struct{ n int }

func (s *SoftwareInterrupt) Bind(handler func(), p rt.Priority) { rt.Bind(rt.Source(50+s.n), handler) }
func (s *SoftwareInterrupt) Clear()                             {}
