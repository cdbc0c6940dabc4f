package svd

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Parse reads an SVD document as written: nothing is derived, expanded or inherited yet
// (see Resolve). filename is used only in positions. The Device is nil only when nothing
// usable could be read (not XML, no <device> root); on a well-formedness error in the middle
// of the file the elements read before the error are returned along with the error.
// Parse never panics, whatever the bytes.
func Parse(filename string, data []byte) (*Device, Diagnostics) {
	var r reporter
	at := func(line, col int) Pos { return Pos{File: filename, Line: line, Col: col} }
	if len(data) > MaxFileSize {
		r.add(at(1, 1), CodeTooLarge, "", "file is %d bytes, more than the %d MiB an SVD may have", len(data), MaxFileSize>>20)
		return nil, r.diags
	}
	if len(data) >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF) {
		// A UTF-16 file (its byte-order mark says so) is re-encoded as UTF-8; line and
		// column then count UTF-8 bytes, as everywhere else.
		data = utf16ToUTF8(data)
	}
	if i := checkText(data); i >= 0 {
		line, col := lineCol(data, i)
		r.add(at(line, col), CodeBinary, "", "byte 0x%02x is not allowed in XML: not a text file", data[i])
		return nil, r.diags
	}
	if !utf8.Valid(data) {
		enc := declaredEncoding(data)
		if enc != "iso-8859-1" && enc != "latin1" && enc != "latin-1" && enc != "windows-1252" && enc != "cp1252" {
			i := firstInvalidUTF8(data)
			line, col := lineCol(data, i)
			r.add(at(line, col), CodeEncoding, "", "not valid UTF-8; the file is read as Latin-1")
		}
		data = latin1ToUTF8(data)
	}
	doc, xerr := parseXML(string(data))
	cut := -1
	if xerr != nil {
		cut = xerr.off
	}
	b := &builder{doc: doc, file: filename, cut: cut}
	var dev *Device
	if doc.root >= 0 {
		root := &doc.nodes[doc.root]
		if localName(root.name) != "device" {
			b.add(root, CodeRoot, "root element is <%s>, not <device>: not an SVD file", root.name)
		} else {
			dev = b.device(root)
		}
	}
	if xerr != nil {
		line, col := doc.pos(xerr.off)
		b.r.diags = append(b.r.diags, Diagnostic{Pos: at(int(line), int(col)), Code: xerr.code,
			Severity: codeSeverity(xerr.code), Message: xerr.msg})
	}
	diags := append(r.diags, b.r.diags...)
	diags.Sort()
	return dev, diags
}

// ParseFile reads and parses the file at path. The error is non-nil only when the file
// cannot be read; problems with its content are diagnostics.
func ParseFile(path string) (*Device, Diagnostics, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st.Size() > MaxFileSize {
		// Do not read a huge file into memory just to reject it.
		return nil, Diagnostics{{Pos: Pos{File: path, Line: 1, Col: 1}, Code: CodeTooLarge, Severity: Error,
			Message: fmt.Sprintf("file is %d bytes, more than the %d MiB an SVD may have", st.Size(), MaxFileSize>>20)}}, nil
	}
	// Read through a limit so that a file growing while we read cannot exceed the bound.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, nil, err
	}
	dev, diags := Parse(path, data)
	return dev, diags, nil
}

func utf16ToUTF8(b []byte) []byte {
	big := b[0] == 0xFE
	u := make([]uint16, 0, len(b)/2)
	for i := 2; i+1 < len(b); i += 2 {
		if big {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			u = append(u, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	return []byte(string(utf16.Decode(u)))
}

func lineCol(b []byte, off int) (int, int) {
	line, start := 1, 0
	for i := 0; i < off && i < len(b); i++ {
		if b[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, off - start + 1
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return 0
}

// localName strips a namespace prefix.
func localName(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// builder turns the XML tree into the model, reporting as it goes.
type builder struct {
	doc  *xdoc
	file string
	cut  int // offset of a well-formedness error, or -1
	r    reporter
	path []string
}

func (b *builder) pos(n *xnode) Pos {
	return Pos{File: b.file, Line: int(n.line), Col: int(n.col)}
}

func (b *builder) pathString() string { return strings.Join(b.path, " / ") }

func (b *builder) push(kind, name string) {
	if name == "" {
		name = "?"
	}
	b.path = append(b.path, kind+" "+name)
}

func (b *builder) pop() { b.path = b.path[:len(b.path)-1] }

func (b *builder) add(n *xnode, code, format string, args ...any) {
	b.r.add(b.pos(n), code, b.pathString(), format, args...)
}

// truncated reports whether n was cut short by a well-formedness error, in which case
// missing children are the error's fault and not reported again.
func (b *builder) truncated(n *xnode) bool { return b.cut >= 0 && n.end >= b.cut }

// children calls f for each child element of n.
func (b *builder) children(n *xnode, f func(c *xnode)) {
	for i := n.first; i >= 0; {
		c := &b.doc.nodes[i]
		f(c)
		i = c.next
	}
}

// svdElements is every element name CMSIS-SVD 1.3 defines. A known name in the wrong place
// is reported differently from a name SVD does not know at all.
var svdElements = map[string]bool{}

func init() {
	for _, s := range strings.Fields(`device vendor vendorID name series version description licenseText cpu
	revision endian mpuPresent fpuPresent fpuDP dspPresent icachePresent dcachePresent itcmPresent
	dtcmPresent vtorPresent nvicPrioBits vendorSystickConfig deviceNumInterrupts sauNumRegions
	sauRegionsConfig region base limit access pmuPresent pmuNumEventCnt headerSystemFilename
	headerDefinitionsPrefix addressUnitBits width size protection resetValue resetMask peripherals
	peripheral dim dimIncrement dimIndex dimName dimArrayIndex alternatePeripheral groupName
	prependToName appendToName headerStructName disableCondition baseAddress addressBlock offset
	usage interrupt value registers cluster alternateCluster addressOffset register displayName
	alternateGroup alternateRegister dataType modifiedWriteValues writeConstraint writeAsRead
	useEnumeratedValues range minimum maximum readAction fields field bitOffset bitWidth lsb msb
	bitRange enumeratedValues headerEnumName enumeratedValue isDefault vendorExtensions`) {
		svdElements[s] = true
	}
}

// structural elements change the shape of the tree: one in the wrong place is an error,
// because ignoring it would silently drop or misplace hardware.
var structural = map[string]bool{"device": true, "peripherals": true, "peripheral": true,
	"registers": true, "register": true, "cluster": true, "fields": true, "enumeratedValue": true,
	"cpu": true, "addressBlock": true, "interrupt": true}

// unexpected reports a child element the parent does not allow.
func (b *builder) unexpected(parent, c *xnode) {
	switch {
	case structural[c.name]:
		b.add(c, CodeMisplaced, "<%s> is not allowed in <%s>", c.name, parent.name)
	case svdElements[c.name]:
		b.add(c, CodeUnknownElem, "<%s> is not allowed in <%s>; ignored", c.name, parent.name)
	default:
		b.add(c, CodeUnknownElem, "unknown element <%s> in <%s>; ignored", c.name, parent.name)
	}
}

// once reports a repeated child element: bit marks it in seen. It returns false for a repeat.
func (b *builder) once(seen *uint64, bit uint, c *xnode) bool {
	if *seen&(1<<bit) != 0 {
		b.add(c, CodeDuplicate, "<%s> given twice; the first is used", c.name)
		return false
	}
	*seen |= 1 << bit
	return true
}

// attrs checks the attributes of n: allowed names are accepted, namespace declarations and
// schema locations ignored, anything else reported.
func (b *builder) attrs(n *xnode, allowed ...string) {
outer:
	for _, a := range b.doc.attrs[n.attr0:n.attr1] {
		for _, ok := range allowed {
			if a.name == ok {
				continue outer
			}
		}
		if strings.HasPrefix(a.name, "xmlns") || strings.Contains(a.name, ":") {
			continue
		}
		b.r.add(Pos{File: b.file, Line: int(a.line), Col: int(a.col)}, CodeUnknownAttr, b.pathString(),
			"unknown attribute %s on <%s>; ignored", a.name, n.name)
	}
}

// text returns the trimmed character data of a leaf element, reporting child elements.
func (b *builder) text(n *xnode) string {
	if n.first >= 0 {
		b.add(&b.doc.nodes[n.first], CodeMisplaced, "<%s> must hold text, not elements", n.name)
	}
	return strings.TrimSpace(n.text)
}

// rawText returns the character data of n untrimmed except for surrounding blank lines, for
// descriptions and license text.
func (b *builder) descr(n *xnode) string {
	if n.first >= 0 {
		b.add(&b.doc.nodes[n.first], CodeMisplaced, "<%s> must hold text, not elements", n.name)
	}
	return strings.TrimSpace(n.text)
}

// noText reports character data inside a container element. It is ignored: stray text
// between elements (a doubled '>' after an end tag, say) changes nothing in the model.
func (b *builder) noText(n *xnode) {
	if n.textOff >= 0 {
		line, col := b.doc.posAny(int(n.textOff))
		t := strings.TrimSpace(n.text)
		if len(t) > 20 {
			t = t[:20] + "…"
		}
		b.r.add(Pos{File: b.file, Line: line, Col: col}, CodeStrayText, b.pathString(),
			"text %q inside <%s>, where only elements are allowed; ignored", t, n.name)
	}
}

// num reads a number that must fit in max.
func (b *builder) num(n *xnode, max uint64) (uint64, bool) {
	s := b.text(n)
	v, _, st := parseNumber(s, false)
	return b.checkNum(n, s, v, st, max)
}

func (b *builder) checkNum(n *xnode, s string, v uint64, st numStatus, max uint64) (uint64, bool) {
	switch st {
	case numBad:
		if s == "" {
			b.add(n, CodeBadNumber, "<%s> is empty; a number is required", n.name)
		} else {
			b.add(n, CodeBadNumber, "<%s> %q is not a number", n.name, s)
		}
		return 0, false
	case numNegative:
		b.add(n, CodeRange, "<%s> %q is negative", n.name, s)
		return 0, false
	case numOverflow:
		b.add(n, CodeRange, "<%s> %q does not fit in 64 bits", n.name, s)
		return 0, false
	case numNonStandard:
		b.add(n, CodeNonStandard, "<%s> %q is not an SVD number spelling (use 0x, # or decimal)", n.name, s)
	}
	if v > max {
		b.add(n, CodeRange, "<%s> %s is out of range (at most %d)", n.name, s, max)
		return 0, false
	}
	return v, true
}

func (b *builder) u32(n *xnode) Opt[uint32] {
	v, ok := b.num(n, math.MaxUint32)
	if !ok {
		return Opt[uint32]{}
	}
	return Some(uint32(v))
}

func (b *builder) u64(n *xnode) Opt[uint64] {
	v, ok := b.num(n, math.MaxUint64)
	if !ok {
		return Opt[uint64]{}
	}
	return Some(v)
}

// resetNum reads a resetValue or resetMask. One that is not a number is dropped with a
// warning (the inherited value applies): reset values change no address or layout, and
// vendor files carry typos such as "0xEX".
func (b *builder) resetNum(n *xnode) Opt[uint64] {
	s := b.text(n)
	v, _, st := parseNumber(s, false)
	if st == numBad {
		b.add(n, CodeBadReset, "<%s> %q is not a number; ignored (the inherited value applies)", n.name, s)
		return Opt[uint64]{}
	}
	if v, ok := b.checkNum(n, s, v, st, math.MaxUint64); ok {
		return Some(v)
	}
	return Opt[uint64]{}
}

func (b *builder) boolean(n *xnode) Opt[bool] {
	s := b.text(n)
	v, st := parseBool(s)
	switch st {
	case numBad:
		b.add(n, CodeBadKeyword, "<%s> %q is not a boolean (true, false, 1, 0); ignored", n.name, s)
		return Opt[bool]{}
	case numNonStandard:
		b.add(n, CodeNonStandard, "<%s> %q is not an SVD boolean; read as %v", n.name, s, v)
	}
	return Some(v)
}

// access reads an accessType, repairing the free-text spellings vendors use.
func (b *builder) access(n *xnode) Opt[Access] {
	s := b.text(n)
	switch s {
	case "read-only":
		return Some(ReadOnly)
	case "write-only":
		return Some(WriteOnly)
	case "read-write":
		return Some(ReadWrite)
	case "writeOnce":
		return Some(WriteOnce)
	case "read-writeOnce":
		return Some(ReadWriteOnce)
	}
	l := strings.ToLower(s)
	var a Access
	switch l {
	case "read-only", "read", "readonly", "ro", "r":
		a = ReadOnly
	case "write-only", "write", "writeonly", "wo", "w":
		a = WriteOnly
	case "read-write", "read/write", "readwrite", "rw", "write-read", "read-write ":
		a = ReadWrite
	case "writeonce", "write-once":
		a = WriteOnce
	case "read-writeonce", "read-write-once":
		a = ReadWriteOnce
	default:
		rd := strings.Contains(l, "read")
		wr := strings.Contains(l, "write") || strings.Contains(l, "clear") || strings.Contains(l, "set")
		switch {
		case rd && wr:
			a = ReadWrite
		case rd:
			a = ReadOnly
		case wr:
			a = WriteOnly
		default:
			b.add(n, CodeBadKeyword, "<access> %q is not an access type; ignored", s)
			return Opt[Access]{}
		}
	}
	b.add(n, CodeNonStandard, "<access> %q is not an SVD access type; read as %s", s, a)
	return Some(a)
}

func (b *builder) protection(n *xnode) Opt[Protection] {
	switch s := b.text(n); s {
	case "s":
		return Some(Secure)
	case "n":
		return Some(NonSecure)
	case "p":
		return Some(Privileged)
	default:
		b.add(n, CodeBadKeyword, "<%s> %q is not s, n or p; ignored", n.name, s)
		return Opt[Protection]{}
	}
}

func (b *builder) mwv(n *xnode) ModifiedWriteValues {
	s := b.text(n)
	for i, name := range mwvNames {
		if s == name && i > 0 {
			return ModifiedWriteValues(i)
		}
	}
	for i, name := range mwvNames {
		if strings.EqualFold(s, name) && i > 0 {
			b.add(n, CodeNonStandard, "<modifiedWriteValues> %q is spelt %q in SVD", s, name)
			return ModifiedWriteValues(i)
		}
	}
	b.add(n, CodeBadKeyword, "<modifiedWriteValues> %q is not a known value; ignored", s)
	return MWVUnspecified
}

func (b *builder) readAction(n *xnode) ReadAction {
	s := b.text(n)
	for i, name := range readActionNames {
		if s == name && i > 0 {
			return ReadAction(i)
		}
	}
	for i, name := range readActionNames {
		if strings.EqualFold(s, name) && i > 0 {
			b.add(n, CodeNonStandard, "<readAction> %q is spelt %q in SVD", s, name)
			return ReadAction(i)
		}
	}
	b.add(n, CodeBadKeyword, "<readAction> %q is not a known value; ignored", s)
	return ReadActionNone
}

// props reads one member of registerPropertiesGroup; it returns false if n is not one.
func (b *builder) props(p *RegisterProperties, seen *uint64, c *xnode) bool {
	var bit uint
	switch c.name {
	case "size":
		bit = 59
	case "access":
		bit = 60
	case "protection":
		bit = 61
	case "resetValue":
		bit = 62
	case "resetMask":
		bit = 63
	default:
		return false
	}
	if !b.once(seen, bit, c) {
		return true
	}
	switch c.name {
	case "size":
		p.Size = b.u32(c)
	case "access":
		p.Access = b.access(c)
	case "protection":
		p.Protection = b.protection(c)
	case "resetValue":
		p.ResetValue = b.resetNum(c)
	case "resetMask":
		p.ResetMask = b.resetNum(c)
	}
	return true
}

// dim reads one member of dimElementGroup; it returns false if n is not one.
func (b *builder) dim(d *Dim, seen *uint64, c *xnode) bool {
	var bit uint
	switch c.name {
	case "dim":
		bit = 54
	case "dimIncrement":
		bit = 55
	case "dimIndex":
		bit = 56
	case "dimName":
		bit = 57
	case "dimArrayIndex":
		bit = 58
	default:
		return false
	}
	if !b.once(seen, bit, c) {
		return true
	}
	switch c.name {
	case "dim":
		d.Dim = b.u32(c)
	case "dimIncrement":
		d.DimIncrement = b.u64(c)
	case "dimIndex":
		d.DimIndex = b.text(c)
	case "dimName":
		d.DimName = b.text(c)
	case "dimArrayIndex":
		d.DimArrayIndex = b.dimArrayIndex(c)
	}
	return true
}

func (b *builder) dimArrayIndex(n *xnode) *DimArrayIndex {
	b.attrs(n)
	b.noText(n)
	a := &DimArrayIndex{Pos: b.pos(n)}
	var seen uint64
	b.children(n, func(c *xnode) {
		switch c.name {
		case "headerEnumName":
			if b.once(&seen, 0, c) {
				a.HeaderEnum = b.text(c)
			}
		case "enumeratedValue":
			if v := b.enumValue(c); v != nil {
				a.Values = append(a.Values, v)
			}
		default:
			b.unexpected(n, c)
		}
	})
	return a
}

func (b *builder) device(n *xnode) *Device {
	d := &Device{Pos: b.pos(n)}
	// noNamespaceSchemaLocation without its xs: prefix is common (Nordic) and harmless.
	b.attrs(n, "schemaVersion", "noNamespaceSchemaLocation")
	d.SchemaVersion, _ = b.doc.attr(n, "schemaVersion")
	b.noText(n)
	var seen uint64
	b.children(n, func(c *xnode) {
		if b.props(&d.Props, &seen, c) {
			return
		}
		switch c.name {
		case "vendor":
			if b.once(&seen, 0, c) {
				d.Vendor = b.text(c)
			}
		case "vendorID":
			if b.once(&seen, 1, c) {
				d.VendorID = b.text(c)
			}
		case "name":
			if b.once(&seen, 2, c) {
				d.Name = b.text(c)
			}
		case "series":
			if b.once(&seen, 3, c) {
				d.Series = b.text(c)
			}
		case "version":
			if b.once(&seen, 4, c) {
				d.Version = b.text(c)
			}
		case "description":
			if b.once(&seen, 5, c) {
				d.Description = b.descr(c)
			}
		case "licenseText":
			if b.once(&seen, 6, c) {
				d.LicenseText = b.descr(c)
			}
		case "cpu":
			if b.once(&seen, 7, c) {
				d.CPU = b.cpu(c)
			}
		case "headerSystemFilename":
			if b.once(&seen, 8, c) {
				d.HeaderSystemFilename = b.text(c)
			}
		case "headerDefinitionsPrefix":
			if b.once(&seen, 9, c) {
				d.HeaderDefinitionsPrefix = b.text(c)
			}
		case "addressUnitBits":
			if b.once(&seen, 10, c) {
				d.AddressUnitBits = b.u32(c)
			}
		case "width":
			if b.once(&seen, 11, c) {
				d.Width = b.u32(c)
			}
		case "peripherals":
			if b.once(&seen, 12, c) {
				b.peripherals(d, c)
			}
		case "vendorExtensions":
			if b.once(&seen, 13, c) {
				d.VendorExtensions = b.raw(c)
			}
		default:
			b.unexpected(n, c)
		}
	})
	b.push("device", d.Name)
	defer b.pop()
	if d.Name == "" && !b.truncated(n) {
		b.add(n, CodeMissing, "<device> has no <name>")
	}
	return d
}

func (b *builder) raw(n *xnode) *RawXML {
	return &RawXML{Pos: b.pos(n), XML: b.doc.src[n.off:n.end]}
}

func (b *builder) cpu(n *xnode) *CPU {
	c := &CPU{Pos: b.pos(n)}
	b.attrs(n)
	b.noText(n)
	b.push("cpu", "")
	defer b.pop()
	var seen uint64
	b.children(n, func(e *xnode) {
		switch e.name {
		case "name":
			if b.once(&seen, 0, e) {
				c.Name = b.text(e)
			}
		case "revision":
			if b.once(&seen, 1, e) {
				c.Revision = b.text(e)
			}
		case "endian":
			if b.once(&seen, 2, e) {
				switch s := b.text(e); s {
				case "little":
					c.Endian = Little
				case "big":
					c.Endian = Big
				case "selectable":
					c.Endian = Selectable
				case "other":
					c.Endian = OtherEndian
				default:
					b.add(e, CodeBadKeyword, "<endian> %q is not little, big, selectable or other; ignored", s)
				}
			}
		case "mpuPresent":
			if b.once(&seen, 3, e) {
				c.MPUPresent = b.boolean(e)
			}
		case "fpuPresent":
			if b.once(&seen, 4, e) {
				c.FPUPresent = b.boolean(e)
			}
		case "fpuDP":
			if b.once(&seen, 5, e) {
				c.FPUDP = b.boolean(e)
			}
		case "dspPresent":
			if b.once(&seen, 6, e) {
				c.DSPPresent = b.boolean(e)
			}
		case "icachePresent":
			if b.once(&seen, 7, e) {
				c.ICachePresent = b.boolean(e)
			}
		case "dcachePresent":
			if b.once(&seen, 8, e) {
				c.DCachePresent = b.boolean(e)
			}
		case "itcmPresent":
			if b.once(&seen, 9, e) {
				c.ITCMPresent = b.boolean(e)
			}
		case "dtcmPresent":
			if b.once(&seen, 10, e) {
				c.DTCMPresent = b.boolean(e)
			}
		case "vtorPresent":
			if b.once(&seen, 11, e) {
				c.VTORPresent = b.boolean(e)
			}
		case "nvicPrioBits":
			if b.once(&seen, 12, e) {
				c.NVICPrioBits = b.u32(e)
			}
		case "vendorSystickConfig":
			if b.once(&seen, 13, e) {
				c.VendorSystickConfig = b.boolean(e)
			}
		case "deviceNumInterrupts":
			if b.once(&seen, 14, e) {
				c.DeviceNumInterrupts = b.u32(e)
			}
		case "sauNumRegions":
			if b.once(&seen, 15, e) {
				c.SAUNumRegions = b.u32(e)
			}
		case "sauRegionsConfig":
			if b.once(&seen, 16, e) {
				c.SAURegionsConfig = b.sau(e)
			}
		case "pmuPresent":
			if b.once(&seen, 17, e) {
				c.PMUPresent = b.boolean(e)
			}
		case "pmuNumEventCnt":
			if b.once(&seen, 18, e) {
				c.PMUNumEventCnt = b.u32(e)
			}
		default:
			b.unexpected(n, e)
		}
	})
	return c
}

func (b *builder) attrBool(n *xnode, name string) Opt[bool] {
	s, ok := b.doc.attr(n, name)
	if !ok {
		return Opt[bool]{}
	}
	v, st := parseBool(s)
	if st == numBad {
		b.add(n, CodeBadKeyword, "attribute %s=%q is not a boolean; ignored", name, s)
		return Opt[bool]{}
	}
	return Some(v)
}

func (b *builder) sau(n *xnode) *SAURegionsConfig {
	s := &SAURegionsConfig{Pos: b.pos(n)}
	b.attrs(n, "enabled", "protectionWhenDisabled")
	b.noText(n)
	s.Enabled = b.attrBool(n, "enabled")
	if v, ok := b.doc.attr(n, "protectionWhenDisabled"); ok {
		switch v {
		case "s":
			s.ProtectionWhenDisabled = Some(Secure)
		case "n":
			s.ProtectionWhenDisabled = Some(NonSecure)
		case "p":
			s.ProtectionWhenDisabled = Some(Privileged)
		default:
			b.add(n, CodeBadKeyword, "protectionWhenDisabled=%q is not s, n or p; ignored", v)
		}
	}
	b.children(n, func(c *xnode) {
		if c.name != "region" {
			b.unexpected(n, c)
			return
		}
		b.attrs(c, "enabled", "name")
		b.noText(c)
		r := SAURegion{Pos: b.pos(c), Enabled: b.attrBool(c, "enabled")}
		r.Name, _ = b.doc.attr(c, "name")
		var seen uint64
		b.children(c, func(e *xnode) {
			switch e.name {
			case "base":
				if b.once(&seen, 0, e) {
					r.Base, _ = b.num(e, math.MaxUint64)
				}
			case "limit":
				if b.once(&seen, 1, e) {
					r.Limit, _ = b.num(e, math.MaxUint64)
				}
			case "access":
				if b.once(&seen, 2, e) {
					r.Access = b.text(e)
					if r.Access != "n" && r.Access != "c" {
						b.add(e, CodeBadKeyword, "region <access> %q is not n or c", r.Access)
					}
				}
			default:
				b.unexpected(c, e)
			}
		})
		s.Regions = append(s.Regions, r)
	})
	return s
}

func (b *builder) peripherals(d *Device, n *xnode) {
	b.attrs(n)
	b.noText(n)
	b.children(n, func(c *xnode) {
		if c.name != "peripheral" {
			b.unexpected(n, c)
			return
		}
		if b.empty(c) {
			return
		}
		if p := b.peripheral(c); p != nil {
			d.Peripherals = append(d.Peripherals, p)
		}
	})
}

// nameOf returns the text of n's <name> child without reporting anything, so that the path
// of diagnostics about earlier children can already name the element.
func (b *builder) nameOf(n *xnode) string {
	for i := n.first; i >= 0; {
		c := &b.doc.nodes[i]
		if c.name == "name" {
			return strings.TrimSpace(c.text)
		}
		i = c.next
	}
	return ""
}

func (b *builder) peripheral(n *xnode) *Peripheral {
	p := &Peripheral{Pos: b.pos(n)}
	b.push("peripheral", b.nameOf(n))
	defer b.pop()
	b.attrs(n, "derivedFrom")
	p.DerivedFrom, _ = b.doc.attr(n, "derivedFrom")
	p.DerivedFrom = strings.TrimSpace(p.DerivedFrom)
	b.noText(n)
	var seen uint64
	b.children(n, func(c *xnode) {
		if b.props(&p.Props, &seen, c) || b.dim(&p.Dim, &seen, c) {
			return
		}
		switch c.name {
		case "name":
			if b.once(&seen, 0, c) {
				p.Name = b.text(c)
			}
		case "version":
			if b.once(&seen, 1, c) {
				p.Version = b.text(c)
			}
		case "description":
			if b.once(&seen, 2, c) {
				p.Description = b.descr(c)
			}
		case "alternatePeripheral":
			if b.once(&seen, 3, c) {
				p.AlternatePeripheral = b.text(c)
			}
		case "groupName":
			if b.once(&seen, 4, c) {
				p.GroupName = b.text(c)
			}
		case "prependToName":
			if b.once(&seen, 5, c) {
				p.PrependToName = b.text(c)
			}
		case "appendToName":
			if b.once(&seen, 6, c) {
				p.AppendToName = b.text(c)
			}
		case "headerStructName":
			if b.once(&seen, 7, c) {
				p.HeaderStructName = b.text(c)
			}
		case "disableCondition":
			if b.once(&seen, 8, c) {
				p.DisableCondition = b.text(c)
			}
		case "baseAddress":
			if b.once(&seen, 9, c) {
				p.BaseAddress, p.baseSet = b.num(c, math.MaxUint64)
			}
		case "addressBlock":
			if a, ok := b.addressBlock(c); ok {
				p.AddressBlocks = append(p.AddressBlocks, a)
			}
		case "interrupt":
			if i, ok := b.interrupt(c); ok {
				p.Interrupts = append(p.Interrupts, i)
			}
		case "registers":
			if b.once(&seen, 10, c) {
				p.HasRegisters = true
				p.Registers = b.registers(c, p.Registers)
			}
		default:
			b.unexpected(n, c)
		}
	})
	if !b.truncated(n) {
		if p.Name == "" {
			b.add(n, CodeMissing, "<peripheral> has no <name>")
		}
		if seen&(1<<9) == 0 {
			b.add(n, CodeMissing, "<peripheral> has no <baseAddress>")
		}
	}
	return p
}

func (b *builder) addressBlock(n *xnode) (AddressBlock, bool) {
	a := AddressBlock{Pos: b.pos(n)}
	b.attrs(n)
	b.noText(n)
	var seen uint64
	b.children(n, func(c *xnode) {
		switch c.name {
		case "offset":
			if b.once(&seen, 0, c) {
				a.Offset, _ = b.num(c, math.MaxUint64)
			}
		case "size":
			if b.once(&seen, 1, c) {
				a.Size, _ = b.num(c, math.MaxUint64)
			}
		case "usage":
			if b.once(&seen, 2, c) {
				a.Usage = b.text(c)
				switch a.Usage {
				case "registers", "buffer", "reserved":
				default:
					b.add(c, CodeBadKeyword, "addressBlock <usage> %q is not registers, buffer or reserved", a.Usage)
				}
			}
		case "protection":
			if b.once(&seen, 3, c) {
				a.Protection = b.protection(c)
			}
		default:
			b.unexpected(n, c)
		}
	})
	if !b.truncated(n) && seen&3 != 3 {
		b.add(n, CodeMissing, "<addressBlock> needs <offset> and <size>")
		return a, false
	}
	return a, true
}

func (b *builder) interrupt(n *xnode) (Interrupt, bool) {
	in := Interrupt{Pos: b.pos(n)}
	b.attrs(n)
	b.noText(n)
	var seen uint64
	ok := true
	b.children(n, func(c *xnode) {
		switch c.name {
		case "name":
			if b.once(&seen, 0, c) {
				in.Name = b.text(c)
			}
		case "description":
			if b.once(&seen, 1, c) {
				in.Description = b.descr(c)
			}
		case "value":
			if b.once(&seen, 2, c) {
				var v uint64
				v, ok = b.num(c, math.MaxInt32)
				in.Value = int64(v)
			}
		default:
			b.unexpected(n, c)
		}
	})
	if !b.truncated(n) && (in.Name == "" || seen&4 == 0) {
		b.add(n, CodeMissing, "<interrupt> needs <name> and <value>")
		return in, false
	}
	return in, ok
}

// registers reads the children of <registers> or <cluster>, appending to list.
func (b *builder) registers(n *xnode, list []RegisterNode) []RegisterNode {
	b.attrs(n)
	b.noText(n)
	b.children(n, func(c *xnode) {
		switch c.name {
		case "register":
			if !b.empty(c) {
				list = append(list, b.register(c))
			}
		case "cluster":
			if !b.empty(c) {
				list = append(list, b.cluster(c))
			}
		default:
			b.unexpected(n, c)
		}
	})
	return list
}

// empty reports (and skips) an element with no child elements at all: there is nothing in
// it to build, and dropping it loses nothing.
func (b *builder) empty(n *xnode) bool {
	if n.first >= 0 || n.attr1 > n.attr0 || b.truncated(n) {
		return false
	}
	b.add(n, CodeEmpty, "empty <%s>; ignored", n.name)
	return true
}

// element reads a member of the part common to registers and clusters.
func (b *builder) element(e *Element, seen *uint64, c *xnode) bool {
	if b.props(&e.Props, seen, c) || b.dim(&e.Dim, seen, c) {
		return true
	}
	switch c.name {
	case "name":
		if b.once(seen, 0, c) {
			e.Name = b.text(c)
		}
	case "description":
		if b.once(seen, 1, c) {
			e.Description = b.descr(c)
		}
	case "addressOffset":
		if b.once(seen, 2, c) {
			e.AddressOffset, e.offsetSet = b.num(c, math.MaxUint64)
		}
	default:
		return false
	}
	return true
}

func (b *builder) cluster(n *xnode) *Cluster {
	cl := &Cluster{Element: Element{Pos: b.pos(n)}}
	b.push("cluster", b.nameOf(n))
	defer b.pop()
	b.attrs(n, "derivedFrom")
	cl.DerivedFrom, _ = b.doc.attr(n, "derivedFrom")
	cl.DerivedFrom = strings.TrimSpace(cl.DerivedFrom)
	b.noText(n)
	var seen uint64
	b.children(n, func(c *xnode) {
		if b.element(&cl.Element, &seen, c) {
			return
		}
		switch c.name {
		case "alternateCluster":
			if b.once(&seen, 10, c) {
				cl.AlternateCluster = b.text(c)
			}
		case "headerStructName":
			if b.once(&seen, 11, c) {
				cl.HeaderStructName = b.text(c)
			}
		case "register":
			if !b.empty(c) {
				cl.Children = append(cl.Children, b.register(c))
			}
		case "cluster":
			if !b.empty(c) {
				cl.Children = append(cl.Children, b.cluster(c))
			}
		default:
			b.unexpected(n, c)
		}
	})
	if !b.truncated(n) {
		b.requireElement(n, &cl.Element, "cluster")
	}
	return cl
}

func (b *builder) requireElement(n *xnode, e *Element, kind string) {
	if e.Name == "" {
		b.add(n, CodeMissing, "<%s> has no <name>", kind)
	}
	if !e.offsetSet && e.DerivedFrom == "" {
		if !b.hasChild(n, "addressOffset") {
			b.add(n, CodeMissing, "<%s> has no <addressOffset>", kind)
		}
	}
}

func (b *builder) hasChild(n *xnode, name string) bool {
	for i := n.first; i >= 0; {
		c := &b.doc.nodes[i]
		if c.name == name {
			return true
		}
		i = c.next
	}
	return false
}

func (b *builder) register(n *xnode) *Register {
	r := &Register{Element: Element{Pos: b.pos(n)}}
	b.push("register", b.nameOf(n))
	defer b.pop()
	b.attrs(n, "derivedFrom")
	r.DerivedFrom, _ = b.doc.attr(n, "derivedFrom")
	r.DerivedFrom = strings.TrimSpace(r.DerivedFrom)
	b.noText(n)
	var seen uint64
	b.children(n, func(c *xnode) {
		if b.element(&r.Element, &seen, c) {
			return
		}
		switch c.name {
		case "displayName":
			if b.once(&seen, 10, c) {
				r.DisplayName = b.text(c)
			}
		case "alternateGroup":
			if b.once(&seen, 11, c) {
				r.AlternateGroup = b.text(c)
			}
		case "alternateRegister":
			if b.once(&seen, 12, c) {
				r.AlternateRegister = b.text(c)
			}
		case "dataType":
			if b.once(&seen, 13, c) {
				r.DataType = b.text(c)
			}
		case "modifiedWriteValues":
			if b.once(&seen, 14, c) {
				r.ModifiedWriteValues = b.mwv(c)
			}
		case "writeConstraint":
			if b.once(&seen, 15, c) {
				r.WriteConstraint = b.writeConstraint(c)
			}
		case "readAction":
			if b.once(&seen, 16, c) {
				r.ReadAction = b.readAction(c)
			}
		case "fields":
			if b.once(&seen, 17, c) {
				r.HasFields = true
				b.attrs(c)
				b.noText(c)
				b.children(c, func(f *xnode) {
					if f.name != "field" {
						b.unexpected(c, f)
						return
					}
					if !b.empty(f) {
						r.Fields = append(r.Fields, b.field(f))
					}
				})
			}
		case "field":
			// A <field> directly in <register> (a few vendor files) is taken as if it
			// were inside <fields>: nothing about it is ambiguous.
			b.add(c, CodeMisplacedField, "<field> outside <fields>; taken as a field of the register")
			r.HasFields = true
			r.Fields = append(r.Fields, b.field(c))
		default:
			b.unexpected(n, c)
		}
	})
	if !b.truncated(n) {
		b.requireElement(n, &r.Element, "register")
	}
	return r
}

func (b *builder) writeConstraint(n *xnode) *WriteConstraint {
	w := &WriteConstraint{Pos: b.pos(n)}
	b.attrs(n)
	b.noText(n)
	var seen uint64
	b.children(n, func(c *xnode) {
		switch c.name {
		case "writeAsRead":
			if b.once(&seen, 0, c) {
				w.WriteAsRead = b.boolean(c).Val
			}
		case "useEnumeratedValues":
			if b.once(&seen, 1, c) {
				w.UseEnumeratedValues = b.boolean(c).Val
			}
		case "range":
			if b.once(&seen, 2, c) {
				b.attrs(c)
				b.noText(c)
				rg := &Range{}
				var rs uint64
				b.children(c, func(e *xnode) {
					switch e.name {
					case "minimum":
						if b.once(&rs, 0, e) {
							rg.Min, _ = b.num(e, math.MaxUint64)
						}
					case "maximum":
						if b.once(&rs, 1, e) {
							rg.Max, _ = b.num(e, math.MaxUint64)
						}
					default:
						b.unexpected(c, e)
					}
				})
				if rs != 3 {
					b.add(c, CodeMissing, "<range> needs <minimum> and <maximum>")
				} else {
					w.Range = rg
				}
			}
		default:
			b.unexpected(n, c)
		}
	})
	if bitsSet := seen & 7; bitsSet != 1 && bitsSet != 2 && bitsSet != 4 && !b.truncated(n) {
		b.add(n, CodeMissing, "<writeConstraint> needs exactly one of <writeAsRead>, <useEnumeratedValues>, <range>")
	}
	return w
}

func (b *builder) field(n *xnode) *Field {
	f := &Field{Pos: b.pos(n)}
	b.push("field", b.nameOf(n))
	defer b.pop()
	b.attrs(n, "derivedFrom")
	f.DerivedFrom, _ = b.doc.attr(n, "derivedFrom")
	f.DerivedFrom = strings.TrimSpace(f.DerivedFrom)
	b.noText(n)
	var seen uint64
	var lsb, msb, off, width Opt[uint32]
	var rangeNode *xnode
	var bitRange string
	b.children(n, func(c *xnode) {
		if b.dim(&f.Dim, &seen, c) {
			return
		}
		switch c.name {
		case "name":
			if b.once(&seen, 0, c) {
				f.Name = b.text(c)
			}
		case "description":
			if b.once(&seen, 1, c) {
				f.Description = b.descr(c)
			}
		case "bitOffset":
			if b.once(&seen, 2, c) {
				off = b.u32(c)
				rangeNode = c
			}
		case "bitWidth":
			if b.once(&seen, 3, c) {
				width = b.u32(c)
			}
		case "lsb":
			if b.once(&seen, 4, c) {
				lsb = b.u32(c)
				rangeNode = c
			}
		case "msb":
			if b.once(&seen, 5, c) {
				msb = b.u32(c)
			}
		case "bitRange":
			if b.once(&seen, 6, c) {
				bitRange = b.text(c)
				rangeNode = c
			}
		case "access":
			if b.once(&seen, 7, c) {
				f.Access = b.access(c)
			}
		case "modifiedWriteValues":
			if b.once(&seen, 8, c) {
				f.ModifiedWriteValues = b.mwv(c)
			}
		case "writeConstraint":
			if b.once(&seen, 9, c) {
				f.WriteConstraint = b.writeConstraint(c)
			}
		case "readAction":
			if b.once(&seen, 10, c) {
				f.ReadAction = b.readAction(c)
			}
		case "enumeratedValues":
			f.EnumeratedValues = append(f.EnumeratedValues, b.enumeratedValues(c))
		default:
			b.unexpected(n, c)
		}
	})
	styles := 0
	if seen&(3<<2) != 0 {
		styles++
		if off.Set && width.Set {
			f.BitOffset, f.BitWidth, f.rangeSet = off.Val, width.Val, true
		} else if seen&(3<<2) != 3<<2 {
			if f.DerivedFrom != "" {
				// A derived field may give its own offset and take the width (or the
				// other way round) from its source.
				f.BitOffset, f.offSet = off.Val, off.Set
				f.BitWidth, f.widthSet = width.Val, width.Set
			} else {
				b.add(rangeNode0(rangeNode, n), CodeBitRange, "<bitOffset> and <bitWidth> must be given together")
			}
		}
	}
	if seen&(3<<4) != 0 {
		styles++
		if lsb.Set && msb.Set {
			if msb.Val < lsb.Val {
				b.add(rangeNode0(rangeNode, n), CodeBitRange, "<msb> %d is below <lsb> %d", msb.Val, lsb.Val)
			} else if !f.rangeSet {
				f.BitOffset, f.BitWidth, f.rangeSet = lsb.Val, msb.Val-lsb.Val+1, true
			}
		} else if seen&(3<<4) != 3<<4 {
			b.add(rangeNode0(rangeNode, n), CodeBitRange, "<lsb> and <msb> must be given together")
		}
	}
	if seen&(1<<6) != 0 {
		styles++
		o, w, single, err := parseBitRange(bitRange)
		if err != "" {
			b.add(rangeNode0(rangeNode, n), CodeBitRange, "<bitRange> %q: %s", bitRange, err)
		} else if single {
			b.add(rangeNode0(rangeNode, n), CodeBitRangeSingle, "<bitRange> %q names one bit without the \":lsb\" SVD requires; read as [%d:%d]", bitRange, o, o)
		}
		if err == "" && !f.rangeSet {
			f.BitOffset, f.BitWidth, f.rangeSet = o, w, true
		}
	}
	if styles > 1 {
		b.add(n, CodeDuplicate, "field bit range given in more than one form; the first is used")
	}
	if !b.truncated(n) {
		if f.Name == "" {
			b.add(n, CodeMissing, "<field> has no <name>")
		}
		if styles == 0 && f.DerivedFrom == "" {
			b.add(n, CodeMissing, "<field> has no bit range (bitOffset/bitWidth, lsb/msb or bitRange)")
		}
	}
	return f
}

func rangeNode0(r, n *xnode) *xnode {
	if r != nil {
		return r
	}
	return n
}

// parseBitRange reads "[msb:lsb]". A single bit written "[n]", which SVD does not allow but
// vendors write, is read as "[n:n]" with single set so that the caller can warn.
func parseBitRange(s string) (off, width uint32, single bool, err string) {
	t := strings.TrimSpace(s)
	if len(t) < 3 || t[0] != '[' || t[len(t)-1] != ']' {
		return 0, 0, false, "not of the form [msb:lsb]"
	}
	parts := strings.Split(t[1:len(t)-1], ":")
	if len(parts) == 1 {
		n, err := strconv.ParseUint(strings.TrimSpace(parts[0]), 10, 32)
		if err != nil {
			return 0, 0, false, "not of the form [msb:lsb]"
		}
		return uint32(n), 1, true, ""
	}
	if len(parts) != 2 {
		return 0, 0, false, "not of the form [msb:lsb]"
	}
	m, err1 := strconv.ParseUint(strings.TrimSpace(parts[0]), 10, 32)
	l, err2 := strconv.ParseUint(strings.TrimSpace(parts[1]), 10, 32)
	if err1 != nil || err2 != nil {
		return 0, 0, false, "bounds are not decimal numbers"
	}
	if m < l {
		return 0, 0, false, "msb is below lsb"
	}
	return uint32(l), uint32(m - l + 1), false, ""
}

func (b *builder) enumeratedValues(n *xnode) *EnumeratedValues {
	e := &EnumeratedValues{Pos: b.pos(n)}
	b.attrs(n, "derivedFrom")
	e.DerivedFrom, _ = b.doc.attr(n, "derivedFrom")
	e.DerivedFrom = strings.TrimSpace(e.DerivedFrom)
	b.noText(n)
	var seen uint64
	b.children(n, func(c *xnode) {
		switch c.name {
		case "name":
			if b.once(&seen, 0, c) {
				e.Name = b.text(c)
			}
		case "headerEnumName":
			if b.once(&seen, 1, c) {
				e.HeaderEnumName = b.text(c)
			}
		case "usage":
			if b.once(&seen, 2, c) {
				switch s := b.text(c); s {
				case "read":
					e.Usage = UsageRead
				case "write":
					e.Usage = UsageWrite
				case "read-write":
					e.Usage = UsageReadWrite
				default:
					b.add(c, CodeBadKeyword, "<usage> %q is not read, write or read-write; read-write is used", s)
					e.Usage = UsageReadWrite
				}
			}
		case "enumeratedValue":
			if v := b.enumValue(c); v != nil {
				e.Values = append(e.Values, v)
			}
		default:
			b.unexpected(n, c)
		}
	})
	return e
}

func (b *builder) enumValue(n *xnode) *EnumeratedValue {
	v := &EnumeratedValue{Pos: b.pos(n), Mask: ^uint64(0)}
	b.attrs(n)
	b.noText(n)
	var seen uint64
	var badValue *xnode
	var badText string
	b.children(n, func(c *xnode) {
		switch c.name {
		case "name":
			if b.once(&seen, 0, c) {
				v.Name = b.text(c)
			}
		case "description":
			if b.once(&seen, 1, c) {
				v.Description = b.descr(c)
			}
		case "value":
			if b.once(&seen, 2, c) {
				s := b.text(c)
				x, m, st := parseNumber(s, true)
				switch st {
				case numOK, numNonStandard:
					if st == numNonStandard {
						b.add(c, CodeNonStandard, "<value> %q is not an SVD number spelling (use 0x, # or decimal)", s)
					}
					v.Value, v.Mask, v.HasValue = x, m, true
				case numOverflow:
					badValue, badText = c, "does not fit in 64 bits"
				case numNegative:
					badValue, badText = c, "is negative"
				default:
					badValue, badText = c, "is not a number"
				}
				if badValue != nil {
					badText = strconv.Quote(s) + " " + badText
				}
			}
		case "isDefault":
			if b.once(&seen, 3, c) {
				v.IsDefault = b.boolean(c).Val
			}
		default:
			b.unexpected(n, c)
		}
	})
	if b.truncated(n) {
		return v
	}
	// An enumerated value that cannot be used is dropped with a warning rather than failing
	// the file: it documents one value of one field, and losing it changes no layout.
	switch {
	case badValue != nil:
		b.add(badValue, CodeBadEnumValue, "<value> %s (enumeratedValue %s); the value is dropped", badText, pathName(v.Name))
		return nil
	case v.Name == "":
		b.add(n, CodeBadEnumValue, "<enumeratedValue> has no <name>; dropped")
		return nil
	case !v.HasValue && !v.IsDefault:
		b.add(n, CodeBadEnumValue, "<enumeratedValue> %s has neither <value> nor <isDefault>true; dropped", v.Name)
		return nil
	}
	return v
}

// String returns the SVD spelling of a.
func (a Access) String() string {
	switch a {
	case ReadOnly:
		return "read-only"
	case WriteOnly:
		return "write-only"
	case ReadWrite:
		return "read-write"
	case WriteOnce:
		return "writeOnce"
	case ReadWriteOnce:
		return "read-writeOnce"
	}
	return "unspecified"
}

// CanRead reports whether a register or field with access a may be read.
func (a Access) CanRead() bool {
	return a == ReadOnly || a == ReadWrite || a == ReadWriteOnce || a == AccessUnspecified
}

// CanWrite reports whether a register or field with access a may be written.
func (a Access) CanWrite() bool { return a != ReadOnly }

var mwvNames = [...]string{"", "oneToClear", "oneToSet", "oneToToggle", "zeroToClear", "zeroToSet",
	"zeroToToggle", "clear", "set", "modify"}

// String returns the SVD spelling of m ("" when unspecified).
func (m ModifiedWriteValues) String() string {
	if int(m) < len(mwvNames) {
		return mwvNames[m]
	}
	return ""
}

var readActionNames = [...]string{"", "clear", "set", "modify", "modifyExternal"}

// String returns the SVD spelling of r ("" for none).
func (r ReadAction) String() string {
	if int(r) < len(readActionNames) {
		return readActionNames[r]
	}
	return ""
}
