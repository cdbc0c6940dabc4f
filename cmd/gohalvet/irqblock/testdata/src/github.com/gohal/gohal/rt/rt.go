// Package rt is a stub of gohal's rt.
package rt

type Source uint16
type Priority uint8

func Bind(src Source, handler func()) {}
