package svd

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds a small, strict XML reader built for SVD files. encoding/xml's token stream
// allocates for every token and costs most of the parse time of a large SVD; SVD needs only
// elements, attributes, character data (with the five predefined entities and character
// references), CDATA, comments, processing instructions and a DOCTYPE to skip. The reader
// builds a flat tree in one pass over the file, with every element's line and column, and
// all names and texts are substrings of one string copy of the input.

// maxDepth bounds element nesting. Real SVDs nest fewer than 20 deep; the bound keeps
// recursive passes over hostile input from exhausting the stack.
const maxDepth = 256

// MaxFileSize is the largest input Parse accepts. The largest real SVDs are a few tens of
// megabytes; anything bigger is reported as an error rather than read into memory.
const MaxFileSize = 64 << 20

// xnode is one element of the flat tree. Children are linked by index; -1 ends a list.
type xnode struct {
	name      string
	text      string // character data directly inside the element, entities decoded
	off, end  int    // byte offsets of '<' and just past the end tag
	line, col int32
	first     int32 // first child
	last      int32 // last child
	next      int32 // next sibling
	attr0     int32 // attributes are doc.attrs[attr0:attr1]
	attr1     int32
	textParts int32 // number of character-data runs seen (mixed content if > 1)
	textOff   int32 // offset of the first non-space character data, -1 if none
}

// xattr is one attribute.
type xattr struct {
	name, value string
	line, col   int32
}

// xdoc is a parsed XML document.
type xdoc struct {
	src   string
	nodes []xnode
	attrs []xattr
	root  int32 // -1 when no root element was read

	// line tracking for position lookups, which happen in increasing offset order.
	lnOff, lnLine, lnStart int
	// lineStarts indexes every line start, built on first use by posAny for the rare
	// lookups out of order (diagnostics about character data).
	lineStarts []int
}

// posAny converts any byte offset to a line and column.
func (d *xdoc) posAny(off int) (int, int) {
	if d.lineStarts == nil {
		d.lineStarts = append(d.lineStarts, 0)
		for i := 0; i < len(d.src); i++ {
			if d.src[i] == '\n' {
				d.lineStarts = append(d.lineStarts, i+1)
			}
		}
	}
	k := sort.SearchInts(d.lineStarts, off+1) - 1
	if k < 0 {
		k = 0
	}
	return k + 1, off - d.lineStarts[k] + 1
}

// xmlError is a well-formedness error at a byte offset.
type xmlError struct {
	off  int
	code string
	msg  string
}

// pos converts a byte offset to a 1-based line and byte column. Offsets must not decrease
// between calls except to restart from the beginning.
func (d *xdoc) pos(off int) (int32, int32) {
	if off < d.lnOff {
		d.lnOff, d.lnLine, d.lnStart = 0, 1, 0
	}
	if off > len(d.src) {
		off = len(d.src)
	}
	seg := d.src[d.lnOff:off]
	if n := strings.Count(seg, "\n"); n > 0 {
		d.lnLine += n
		d.lnStart = d.lnOff + strings.LastIndexByte(seg, '\n') + 1
	}
	d.lnOff = off
	return int32(d.lnLine), int32(off - d.lnStart + 1)
}

// parseXML reads src into a flat tree. On a well-formedness error it returns the tree read
// so far (open elements closed at the error) and the error.
func parseXML(src string) (*xdoc, *xmlError) {
	d := &xdoc{src: src, root: -1, lnLine: 1}
	// A rough estimate keeps slice growth from copying the node array many times.
	d.nodes = make([]xnode, 0, len(src)/64+8)
	d.attrs = make([]xattr, 0, 16)
	err := d.scan()
	return d, err
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isNameStart(c byte) bool {
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isNameChar(c byte) bool {
	return isNameStart(c) || c == '-' || c == '.' || (c >= '0' && c <= '9')
}

func (d *xdoc) scan() *xmlError {
	s := d.src
	i := 0
	if strings.HasPrefix(s, "\xef\xbb\xbf") {
		i = 3
	}
	stack := make([]int32, 0, 32)
	closed := false // root element ended
	fail := func(off int, code, msg string) *xmlError {
		// Close every open element at the error so the partial tree is consistent.
		for _, n := range stack {
			d.nodes[n].end = off
		}
		return &xmlError{off: off, code: code, msg: msg}
	}
	for i < len(s) {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s)
			} else {
				j += i
			}
			raw := s[i:j]
			if len(stack) == 0 {
				if strings.TrimLeft(raw, " \t\r\n") != "" {
					k := i + len(raw) - len(strings.TrimLeft(raw, " \t\r\n"))
					if closed {
						return fail(k, CodeXML, "text after the root element")
					}
					return fail(k, CodeXML, "text before the root element")
				}
			} else {
				if err := d.addText(stack[len(stack)-1], raw, i); err != nil {
					return fail(err.off, err.code, err.msg)
				}
			}
			i = j
			continue
		}
		// s[i] == '<'
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<?"):
			j := strings.Index(rest, "?>")
			if j < 0 {
				return fail(i, CodeXML, "unterminated processing instruction (file truncated?)")
			}
			i += j + 2
		case strings.HasPrefix(rest, "<!--"):
			j := strings.Index(rest[4:], "-->")
			if j < 0 {
				return fail(i, CodeXML, "unterminated comment (file truncated?)")
			}
			i += 4 + j + 3
		case strings.HasPrefix(rest, "<![CDATA["):
			if len(stack) == 0 {
				return fail(i, CodeXML, "CDATA outside the root element")
			}
			j := strings.Index(rest[9:], "]]>")
			if j < 0 {
				return fail(i, CodeXML, "unterminated CDATA section (file truncated?)")
			}
			d.addRawText(stack[len(stack)-1], rest[9:9+j], i+9)
			i += 9 + j + 3
		case strings.HasPrefix(rest, "<!DOCTYPE"):
			if d.root >= 0 {
				return fail(i, CodeXML, "DOCTYPE after the root element")
			}
			// Skip to the matching '>', allowing an internal subset in brackets.
			depth, j := 0, 9
			for ; j < len(rest); j++ {
				c := rest[j]
				if c == '[' {
					depth++
				} else if c == ']' {
					depth--
				} else if c == '>' && depth <= 0 {
					break
				}
			}
			if j >= len(rest) {
				return fail(i, CodeXML, "unterminated DOCTYPE (file truncated?)")
			}
			i += j + 1
		case strings.HasPrefix(rest, "</"):
			j := i + 2
			k := j
			for k < len(s) && isNameChar(s[k]) {
				k++
			}
			name := s[j:k]
			for k < len(s) && isSpace(s[k]) {
				k++
			}
			if k >= len(s) {
				return fail(i, CodeXML, "unterminated end tag </"+name+"> (file truncated?)")
			}
			if s[k] != '>' || name == "" {
				return fail(k, CodeXML, "malformed end tag")
			}
			if len(stack) == 0 {
				return fail(i, CodeXML, "end tag </"+name+"> without a start tag")
			}
			top := stack[len(stack)-1]
			if d.nodes[top].name != name {
				n := &d.nodes[top]
				return fail(i, CodeXML, "end tag </"+name+"> does not match <"+n.name+"> opened at line "+
					strconv.Itoa(int(n.line))+" column "+strconv.Itoa(int(n.col)))
			}
			d.nodes[top].end = k + 1
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				closed = true
			}
			i = k + 1
		case strings.HasPrefix(rest, "<!"):
			return fail(i, CodeXML, "unsupported markup declaration")
		default:
			if closed {
				return fail(i, CodeXML, "second root element (only one <device> per file)")
			}
			if len(stack) >= maxDepth {
				return fail(i, CodeXML, "elements nested more than "+strconv.Itoa(maxDepth)+" deep")
			}
			j := i + 1
			if j >= len(s) || !isNameStart(s[j]) {
				return fail(i, CodeXML, "'<' not followed by an element name (escape it as &lt;)")
			}
			k := j
			for k < len(s) && isNameChar(s[k]) {
				k++
			}
			line, col := d.pos(i)
			idx := int32(len(d.nodes))
			d.nodes = append(d.nodes, xnode{name: s[j:k], off: i, line: line, col: col,
				first: -1, last: -1, next: -1, textOff: -1, attr0: int32(len(d.attrs))})
			// Attributes.
			selfClose := false
			for {
				k0 := k
				for k < len(s) && isSpace(s[k]) {
					k++
				}
				if k >= len(s) {
					d.nodes[idx].attr1 = int32(len(d.attrs))
					d.nodes[idx].end = len(s)
					return fail(i, CodeXML, "unterminated start tag <"+d.nodes[idx].name+"> (file truncated?)")
				}
				if s[k] == '>' {
					k++
					break
				}
				if s[k] == '/' {
					if k+1 < len(s) && s[k+1] == '>' {
						selfClose = true
						k += 2
						break
					}
					return fail(k, CodeXML, "malformed start tag <"+d.nodes[idx].name+">")
				}
				if k == k0 || !isNameStart(s[k]) {
					return fail(k, CodeXML, "malformed attribute in <"+d.nodes[idx].name+">")
				}
				a := k
				for k < len(s) && isNameChar(s[k]) {
					k++
				}
				aname := s[a:k]
				for k < len(s) && isSpace(s[k]) {
					k++
				}
				if k >= len(s) || s[k] != '=' {
					return fail(k, CodeXML, "attribute "+aname+" without a value")
				}
				k++
				for k < len(s) && isSpace(s[k]) {
					k++
				}
				if k >= len(s) || (s[k] != '"' && s[k] != '\'') {
					return fail(k, CodeXML, "attribute "+aname+" value not quoted")
				}
				q := s[k]
				e := strings.IndexByte(s[k+1:], q)
				if e < 0 {
					return fail(k, CodeXML, "unterminated attribute value (file truncated?)")
				}
				val := s[k+1 : k+1+e]
				if strings.IndexByte(val, '<') >= 0 {
					return fail(k+1+strings.IndexByte(val, '<'), CodeXML, "'<' in attribute value")
				}
				if strings.IndexByte(val, '&') >= 0 {
					v, err := unescape(val, k+1)
					if err != nil {
						return fail(err.off, err.code, err.msg)
					}
					val = v
				}
				for _, prev := range d.attrs[d.nodes[idx].attr0:] {
					if prev.name == aname {
						return fail(a, CodeXML, "duplicate attribute "+aname)
					}
				}
				al, ac := d.pos(a)
				d.attrs = append(d.attrs, xattr{name: aname, value: val, line: al, col: ac})
				k += 1 + e + 1
			}
			d.nodes[idx].attr1 = int32(len(d.attrs))
			if len(stack) > 0 {
				p := &d.nodes[stack[len(stack)-1]]
				if p.last >= 0 {
					d.nodes[p.last].next = idx
				} else {
					p.first = idx
				}
				p.last = idx
			} else {
				d.root = idx
			}
			if selfClose {
				d.nodes[idx].end = k
				if len(stack) == 0 {
					closed = true
				}
			} else {
				stack = append(stack, idx)
			}
			i = k
		}
	}
	if len(stack) > 0 {
		n := &d.nodes[stack[len(stack)-1]]
		return fail(len(s), CodeXML, "unexpected end of file: <"+n.name+"> opened at line "+
			strconv.Itoa(int(n.line))+" column "+strconv.Itoa(int(n.col))+" is not closed (file truncated?)")
	}
	if d.root < 0 {
		return fail(len(s), CodeXML, "no root element (empty or not an XML file)")
	}
	return nil
}

// addText appends character data (entities not yet decoded) to element n.
func (d *xdoc) addText(n int32, raw string, off int) *xmlError {
	if strings.IndexByte(raw, '&') >= 0 {
		v, err := unescape(raw, off)
		if err != nil {
			return err
		}
		raw = v
	}
	if strings.Contains(raw, "]]>") {
		return &xmlError{off: off + strings.Index(raw, "]]>"), code: CodeXML, msg: "']]>' in character data"}
	}
	d.addRawText(n, raw, off)
	return nil
}

func (d *xdoc) addRawText(n int32, t string, off int) {
	x := &d.nodes[n]
	if x.textOff < 0 {
		if k := strings.IndexFunc(t, func(r rune) bool { return !unicode.IsSpace(r) }); k >= 0 {
			x.textOff = int32(off + k)
		}
	}
	x.textParts++
	if x.textParts == 1 {
		x.text = t
	} else {
		x.text += t
	}
}

// unescape decodes entity and character references in s, which starts at byte offset off.
func unescape(s string, off int) (string, *xmlError) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '&' {
			b.WriteByte(c)
			i++
			continue
		}
		j := strings.IndexByte(s[i:], ';')
		if j < 0 || j > 12 {
			return "", &xmlError{off: off + i, code: CodeXML, msg: "'&' not starting an entity (escape it as &amp;)"}
		}
		ent := s[i+1 : i+j]
		switch ent {
		case "lt":
			b.WriteByte('<')
		case "gt":
			b.WriteByte('>')
		case "amp":
			b.WriteByte('&')
		case "quot":
			b.WriteByte('"')
		case "apos":
			b.WriteByte('\'')
		default:
			if len(ent) < 2 || ent[0] != '#' {
				return "", &xmlError{off: off + i, code: CodeXML, msg: "unknown entity &" + ent + ";"}
			}
			var v uint64
			var err error
			if ent[1] == 'x' {
				v, err = strconv.ParseUint(ent[2:], 16, 32)
			} else {
				v, err = strconv.ParseUint(ent[1:], 10, 32)
			}
			if err != nil || v == 0 || v > utf8.MaxRune || (v < 0x20 && v != 9 && v != 10 && v != 13) {
				return "", &xmlError{off: off + i, code: CodeXML, msg: "invalid character reference &" + ent + ";"}
			}
			b.WriteRune(rune(v))
		}
		i += j + 1
	}
	return b.String(), nil
}

// checkText reports the offset of the first byte that cannot occur in an XML document (a
// control character: the mark of a binary file), or -1.
func checkText(b []byte) int {
	for i, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return i
		}
	}
	return -1
}

// latin1ToUTF8 re-encodes ISO-8859-1 bytes as UTF-8. SVD files that are not UTF-8 in the wild
// are Latin-1 or Windows-1252 text; decoding them as Latin-1 keeps every byte readable.
func latin1ToUTF8(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/16)
	for _, c := range b {
		if c < 0x80 {
			out = append(out, c)
		} else {
			out = utf8.AppendRune(out, rune(c))
		}
	}
	return out
}

// declaredEncoding returns the encoding named in the XML declaration, lower-cased, or "".
func declaredEncoding(b []byte) string {
	if !bytes.HasPrefix(b, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(b, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(b[:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n=")
	if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	j := strings.IndexByte(rest[1:], q)
	if j < 0 {
		return ""
	}
	return strings.ToLower(rest[1 : 1+j])
}

// attr returns the value of attribute name of n.
func (d *xdoc) attr(n *xnode, name string) (string, bool) {
	for _, a := range d.attrs[n.attr0:n.attr1] {
		if a.name == name {
			return a.value, true
		}
	}
	return "", false
}
