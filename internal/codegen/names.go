package codegen

import (
	"go/token"
	"strconv"
	"strings"
	"unicode"
)

// The rules that turn SVD names into Go identifiers. They are deliberately simple so that a
// reader can predict the Go name from the SVD name:
//
//   - the dim placeholders "[%s]" and "%s" are removed (an array keeps one name);
//   - every byte that cannot appear in a Go identifier becomes '_';
//   - a leading lower-case letter is upper-cased (every generated name is exported);
//   - a name that does not start with a letter gets an "X" in front;
//   - when a name is already taken in its scope, "_1", "_2" … is appended, in document order.

// exported turns an SVD name into an exported Go identifier (before collision handling).
func exported(name string) string {
	name = stripDim(name)
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), "_")
	if s == "" {
		return "X"
	}
	c := s[0]
	switch {
	case c >= 'a' && c <= 'z':
		s = string(c-'a'+'A') + s[1:]
	case c >= 'A' && c <= 'Z':
	default:
		s = "X" + s
	}
	return s
}

// tail turns an SVD name into the tail of an identifier that already has a prefix ("Is",
// "IRQ_"): like exported, but a leading digit needs no "X".
func tail(name string) string {
	s := exported(name)
	if len(s) > 1 && s[0] == 'X' && s[1] >= '0' && s[1] <= '9' && !strings.HasPrefix(stripDim(name), "X") {
		return s[1:]
	}
	return s
}

// stripDim removes the dim placeholder from a name: "FIFO[%s]" → "FIFO", "CH%s_CONF" → "CH_CONF".
func stripDim(name string) string {
	name = strings.ReplaceAll(name, "[%s]", "")
	name = strings.ReplaceAll(name, "%s", "")
	name = strings.ReplaceAll(name, "__", "_")
	return name
}

// packageName turns an SVD name into a Go package name: lower case letters, digits and '_'.
// It never returns a keyword or a name the generated code imports.
func packageName(name string) string {
	name = stripDim(name)
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), "_")
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = "p" + s
	}
	if token.IsKeyword(s) || reservedPackages[s] {
		s += "_"
	}
	return s
}

// reservedPackages are names a peripheral package may not take: the chip package imports
// them, or the go tool treats them specially.
var reservedPackages = map[string]bool{"mmio": true, "unsafe": true, "main": true, "testing": true, "internal": true, "vendor": true, "testdata": true}

// stem is a peripheral name without its trailing instance number: "UART0" → "UART",
// "I2C0" → "I2C". Names that would become empty, or end in a digit group that is part of the
// name proper ("I2C"), are kept.
func stem(name string) string {
	name = stripDim(name)
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	if i == 0 || i == len(name) {
		return name
	}
	s := strings.TrimRight(name[:i], "_")
	if s == "" {
		return name
	}
	return s
}

// scope hands out unique identifiers. Names are claimed in a deterministic order; a name
// already claimed gets the smallest free "_N" suffix.
type scope struct {
	used map[string]bool
}

func newScope(reserved ...string) *scope {
	s := &scope{used: map[string]bool{}}
	for _, r := range reserved {
		s.used[r] = true
	}
	return s
}

// claim returns want, or want_N for the smallest N ≥ 1 that is free, and marks it used.
func (s *scope) claim(want string) string {
	if !s.used[want] {
		s.used[want] = true
		return want
	}
	for n := 1; ; n++ {
		c := want + "_" + strconv.Itoa(n)
		if !s.used[c] {
			s.used[c] = true
			return c
		}
	}
}

// claimSet claims a group of names that must share one suffix: a register's type, value and
// reset constant, or a field's getter and setter. fmts are "%s"-style patterns applied to base.
func (s *scope) claimSet(base string, patterns ...string) []string {
	for n := 0; ; n++ {
		b := base
		if n > 0 {
			b = base + "_" + strconv.Itoa(n)
		}
		names := make([]string, len(patterns))
		free := true
		for i, p := range patterns {
			names[i] = strings.ReplaceAll(p, "%s", b)
			if s.used[names[i]] {
				free = false
			}
		}
		if free && !dupes(names) {
			for _, nm := range names {
				s.used[nm] = true
			}
			return names
		}
	}
}

func dupes(names []string) bool {
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			if names[i] == names[j] {
				return true
			}
		}
	}
	return false
}

// docText turns an SVD description into one line of comment text.
func docText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	// SVD descriptions sometimes quote C escapes; keep them readable, never break the comment.
	s = strings.ReplaceAll(s, "\\n", " ")
	// gofmt turns `` and '' in doc comments into typographic quotes; say it plainly first so
	// the output is already in gofmt's form.
	s = strings.ReplaceAll(s, "``", `"`)
	return strings.ReplaceAll(s, "''", `"`)
}

// PackageName is the Go package name svdgen derives from an SVD or file name.
func PackageName(name string) string { return packageName(name) }
