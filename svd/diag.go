package svd

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Severity says whether a diagnostic stops the file from being used.
type Severity uint8

// Severities. In strict mode every Warning is promoted to Error.
const (
	Warning Severity = iota // the file is usable; something was repaired or looks wrong
	Error                   // the file (or the element) cannot be used as written
)

// String returns "warning" or "error".
func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Diagnostic is one finding about an SVD file, located at the element it concerns.
type Diagnostic struct {
	Pos      Pos
	Code     string // stable code, see the table in codes.go
	Severity Severity
	Message  string
	// Path names the element: "peripheral UART1 / register CONF0 / field BIT_NUM".
	Path string
}

// String formats d as "FILE:LINE:COL: CODE: message (path)", the form editors and CI logs
// recognise as a location.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.Grow(len(d.Pos.File) + len(d.Message) + len(d.Path) + 32)
	b.WriteString(d.Pos.String())
	b.WriteString(": ")
	b.WriteString(d.Code)
	b.WriteString(": ")
	b.WriteString(d.Message)
	if d.Path != "" {
		b.WriteString(" (")
		b.WriteString(d.Path)
		b.WriteByte(')')
	}
	return b.String()
}

// String formats p as "FILE:LINE:COL".
func (p Pos) String() string {
	f := p.File
	if f == "" {
		f = "<input>"
	}
	return f + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// Diagnostics is a list of findings in the order they were found.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic has Error severity.
func (ds Diagnostics) HasErrors() bool {
	for i := range ds {
		if ds[i].Severity == Error {
			return true
		}
	}
	return false
}

// Count returns the number of errors and of warnings.
func (ds Diagnostics) Count() (errors, warnings int) {
	for i := range ds {
		if ds[i].Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return
}

// Strict returns a copy of ds with every warning promoted to an error.
func (ds Diagnostics) Strict() Diagnostics {
	out := make(Diagnostics, len(ds))
	copy(out, ds)
	for i := range out {
		out[i].Severity = Error
	}
	return out
}

// Sort orders ds by file, line and column, keeping the order of diagnostics at one place.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// Err returns nil when ds has no errors, otherwise an error whose text is the first error
// diagnostic (so it names file and line) and how many more there are.
func (ds Diagnostics) Err() error {
	var first *Diagnostic
	n := 0
	for i := range ds {
		if ds[i].Severity == Error {
			if first == nil {
				first = &ds[i]
			}
			n++
		}
	}
	if first == nil {
		return nil
	}
	return &DiagError{First: *first, Count: n}
}

// DiagError is the error Load returns when a file has errors.
type DiagError struct {
	First Diagnostic // the first error, in document order of discovery
	Count int        // how many errors in total
}

// Error returns the first diagnostic and the number of others.
func (e *DiagError) Error() string {
	if e.Count > 1 {
		return fmt.Sprintf("%s (and %d more errors)", e.First, e.Count-1)
	}
	return e.First.String()
}

// reporter collects diagnostics with a severity looked up from the code table.
type reporter struct {
	diags Diagnostics
}

func (r *reporter) add(pos Pos, code, path, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	r.diags = append(r.diags, Diagnostic{Pos: pos, Code: code, Severity: codeSeverity(code), Message: msg, Path: path})
}
