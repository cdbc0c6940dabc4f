package svd

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strconv"
)

// Validate checks a resolved device (the output of Resolve) against the semantic rules in
// the code table of codes.go: overlaps, fields and values that do not fit, duplicate
// interrupts, registers outside their address blocks, and so on. Resolve already calls it;
// it is exported for tools that build or edit a Device in memory. With opt.Strict every
// warning is returned as an error.
func Validate(d *Device, opt Options) Diagnostics {
	if d == nil {
		return nil
	}
	v := &validator{dev: d}
	v.device()
	if opt.Strict {
		return v.r.diags.Strict()
	}
	return v.r.diags
}

type validator struct {
	dev    *Device
	r      reporter
	budget int // register and cluster instances still to lay out in this peripheral
	work   int // comparisons of large arrays still to make in this peripheral
}

func (v *validator) device() {
	d := v.dev
	names := make(map[string]*Peripheral, len(d.Peripherals))
	type irq struct {
		name string
		pos  Pos
	}
	byValue := map[int64]irq{}
	byName := map[string]int64{}
	for _, p := range d.Peripherals {
		path := "peripheral " + pathName(p.Name)
		if q, dup := names[p.Name]; dup && p.Name != "" {
			v.r.add(p.Pos, CodeDupName, path, "peripheral name %q already used at line %d", p.Name, q.Pos.Line)
		} else {
			names[p.Name] = p
		}
		for _, in := range p.Interrupts {
			if o, ok := byValue[in.Value]; ok && o.name != in.Name {
				v.r.add(in.Pos, CodeIRQDup, path+" / interrupt "+in.Name,
					"interrupt %d is also named %s (line %d)", in.Value, o.name, o.pos.Line)
			} else if !ok {
				byValue[in.Value] = irq{in.Name, in.Pos}
			}
			if val, ok := byName[in.Name]; ok && val != in.Value {
				v.r.add(in.Pos, CodeIRQName, path+" / interrupt "+in.Name,
					"interrupt %s has number %d here and %d elsewhere", in.Name, in.Value, val)
			} else if !ok {
				byName[in.Name] = in.Value
			}
		}
		v.peripheral(p)
	}
}

// span is one register instance laid out in a peripheral's address space, or a whole
// array of more than maxDim copies (a memory window), which is laid out as one span with a
// stride instead of one span per copy.
type span struct {
	off, size uint64   // bytes; off is the first copy's
	stride    uint64   // bytes from one copy to the next
	count     uint64   // copies: 1 for one instance
	elem      *Element // the register, or the cluster of a large cluster array
	cluster   bool     // elem is a cluster
	alt       bool     // declared as an alternate (register, group or enclosing cluster)
	path      string
}

// end is the address just past the last copy.
func (s *span) end() uint64 {
	return satAdd64(satAdd64(s.off, satMul64(s.count-1, s.stride)), s.size)
}

// hits reports whether some copy of s overlaps [lo, hi).
func (s *span) hits(lo, hi uint64) bool {
	if hi <= lo || s.size == 0 || s.end() <= lo || hi <= s.off {
		return false
	}
	if s.count == 1 || s.stride == 0 {
		return true
	}
	// The first copy that ends after lo.
	var i uint64
	if first := satAdd64(s.off, s.size); lo >= first {
		i = (lo-first)/s.stride + 1
	}
	return i < s.count && satAdd64(s.off, satMul64(i, s.stride)) < hi
}

// kind names what a span lays out, for messages.
func (s *span) kind() string {
	k := "register"
	if s.cluster {
		k = "cluster"
	}
	if s.count > 1 {
		k += " array"
	}
	return k
}

func (v *validator) peripheral(p *Peripheral) {
	path := "peripheral " + pathName(p.Name)
	// Address blocks must not overlap each other.
	blocks := append([]AddressBlock(nil), p.AddressBlocks...)
	sort.SliceStable(blocks, func(i, j int) bool { return blocks[i].Offset < blocks[j].Offset })
	for i := 1; i < len(blocks); i++ {
		a, b := blocks[i-1], blocks[i]
		if a.Offset+a.Size > b.Offset && a.Size > 0 && b.Size > 0 {
			v.r.add(b.Pos, CodeBlockOverlap, path, "addressBlock at offset %#x overlaps the one at %#x", b.Offset, a.Offset)
		}
	}
	var spans []span
	v.budget, v.work = maxSpans, 4*maxSpans
	v.nodes(path, p.Registers, 0, false, &spans)
	if len(spans) == 0 {
		return
	}
	slices.SortStableFunc(spans, func(a, b span) int { return cmp.Compare(a.off, b.off) })
	v.overlaps(spans)
	// Registers must lie inside the address blocks.
	if len(blocks) > 0 {
		// Merge touching blocks so that a register may straddle two adjacent ones.
		type ival struct{ lo, hi uint64 }
		var merged []ival
		for _, b := range blocks {
			lo, hi := b.Offset, b.Offset+b.Size
			if n := len(merged); n > 0 && lo <= merged[n-1].hi {
				if hi > merged[n-1].hi {
					merged[n-1].hi = hi
				}
				continue
			}
			merged = append(merged, ival{lo, hi})
		}
		reportedOut := map[*Element]bool{}
		for i := range spans {
			s := &spans[i]
			if reportedOut[s.elem] {
				continue
			}
			if s.count == 1 {
				k := sort.Search(len(merged), func(i int) bool { return merged[i].hi > s.off })
				if k < len(merged) && merged[k].lo <= s.off && s.off+s.size <= merged[k].hi {
					continue
				}
				reportedOut[s.elem] = true
				v.r.add(s.elem.Pos, CodeRegOutside, s.path, "%s at offset %#x (%d bytes) is outside every addressBlock", s.kind(), s.off, s.size)
				continue
			}
			// An array: does a copy meet one of the gaps between the blocks?
			out, lo := false, uint64(0)
			for _, m := range merged {
				if s.hits(lo, m.lo) {
					out = true
					break
				}
				lo = m.hi
			}
			if !out && !s.hits(lo, math.MaxUint64) {
				continue
			}
			reportedOut[s.elem] = true
			v.r.add(s.elem.Pos, CodeRegOutside, s.path, "%s at offset %#x (%d copies of %d bytes every %#x) has copies outside every addressBlock",
				s.kind(), s.off, s.count, s.size, s.stride)
		}
	}
}

// overlaps reports registers that overlap (W305). spans is sorted by offset. Single
// instances are compared with the furthest-reaching instance before them; each large
// array is compared with every span that meets its range, a copy at a time only where
// both have gaps between their copies, within the peripheral's bounded amount of work.
func (v *validator) overlaps(spans []span) {
	reported := map[*Element]bool{}
	report := func(a, b *span) {
		reported[b.elem] = true
		v.r.add(b.elem.Pos, CodeRegOverlap, b.path, "%s at offset %#x overlaps %s at %#x and neither is declared an alternate",
			b.kind(), b.off, a.elem.Name, a.off)
	}
	far := -1
	for i := range spans {
		b := &spans[i]
		if b.count != 1 {
			continue
		}
		if far >= 0 {
			a := &spans[far]
			if a.off+a.size > b.off && !a.alt && !b.alt && a.elem != b.elem && !reported[b.elem] {
				report(a, b)
			}
		}
		if far < 0 || b.off+b.size > spans[far].off+spans[far].size {
			far = i
		}
	}
	for i := range spans {
		w := &spans[i]
		if w.count == 1 || w.alt {
			continue
		}
		wend := w.end()
		for j := range spans {
			x := &spans[j]
			if x.off >= wend || v.work <= 0 {
				break
			}
			v.work--
			if i == j || x.alt || x.elem == w.elem || x.end() <= w.off {
				continue
			}
			// The later of the two (in offset order) is reported, as for single registers.
			a, b := w, x
			if j < i {
				a, b = x, w
			}
			if reported[b.elem] || !meets(w, x, &v.work) {
				continue
			}
			report(a, b)
		}
	}
}

// meets reports whether some copy of w overlaps some copy of x (w is an array of more than
// one copy). Copies are compared one by one only when both arrays have gaps between them,
// as long as work lasts.
func meets(w, x *span, work *int) bool {
	covers := func(s *span) bool { return s.count == 1 || s.stride <= s.size }
	switch {
	case covers(x):
		return w.hits(x.off, x.end())
	case covers(w):
		return x.hits(w.off, w.end())
	}
	if x.count > w.count {
		w, x = x, w
	}
	// x has fewer copies: try those within w's range.
	lo, hi := max(w.off, x.off), min(w.end(), x.end())
	var i uint64
	if first := satAdd64(x.off, x.size); lo >= first {
		i = (lo-first)/x.stride + 1
	}
	for ; i < x.count && *work > 0; i++ {
		*work--
		off := satAdd64(x.off, satMul64(i, x.stride))
		if off >= hi {
			break
		}
		if w.hits(off, satAdd64(off, x.size)) {
			return true
		}
	}
	return false
}

// maxSpans bounds the register and cluster instances laid out per peripheral for the overlap
// checks: nested arrays multiply, and a hostile file must not make validation run for ever.
const maxSpans = 1 << 20

// arrayOf returns how many copies a resolved element stands for and their stride.
func arrayOf(e *Element) (count, inc uint64) {
	if n := e.Dim.Len(); e.Dim.Dim.Set && n > 0 {
		return uint64(n), e.Dim.DimIncrement.Val
	}
	return 1, 0
}

// nodes walks registers and clusters, checking each and laying out register instances at
// base (bytes from the peripheral's base address).
func (v *validator) nodes(path string, list []RegisterNode, base uint64, alt bool, spans *[]span) {
	seen := make(map[string]RegisterNode, len(list))
	for _, n := range list {
		e := n.Elem()
		kind := kindOf(n)
		npath := path + " / " + kind + " " + pathName(e.Name)
		if o, dup := seen[e.Name]; dup && e.Name != "" {
			v.r.add(e.Pos, CodeDupName, npath, "%s name %q already used at line %d", kind, e.Name, o.Elem().Pos.Line)
		} else {
			seen[e.Name] = n
		}
		count, inc := arrayOf(e)
		switch n := n.(type) {
		case *Register:
			v.register(npath, n)
			size := regBytes(n)
			if count > 1 && inc < size {
				v.r.add(e.Pos, CodeDimStride, npath, "dimIncrement %d is smaller than the register's %d bytes: copies overlap", inc, size)
			}
			v.layoutRegister(npath, n, base, alt, count, inc, spans)
		case *Cluster:
			ext := clusterExtent(n.Children)
			if count > 1 && ext > inc {
				v.r.add(e.Pos, CodeClusterSize, npath, "cluster spans %d bytes but dimIncrement is %d: copies overlap", ext, inc)
			}
			isAlt := alt || n.AlternateCluster != ""
			if count > maxDim {
				// A window of clusters: its contents are checked once, at the first copy,
				// and the array is laid out as one span.
				var inner []span
				v.nodes(npath, n.Children, satAdd64(base, e.AddressOffset), isAlt, &inner)
				slices.SortStableFunc(inner, func(a, b span) int { return cmp.Compare(a.off, b.off) })
				v.overlaps(inner)
				v.layoutWindow(npath, n, base, isAlt, count, inc, ext, spans)
				continue
			}
			for i := uint64(0); i < count && v.budget > 0; i++ {
				v.budget--
				if i == 0 {
					v.nodes(npath, n.Children, base+e.AddressOffset, isAlt, spans)
				} else {
					// Later copies are laid out without re-checking their contents.
					v.layout(npath, n.Children, base+e.AddressOffset+i*inc, isAlt, spans)
				}
			}
		}
	}
}

// regBytes is the size of a register in bytes (at least 1).
func regBytes(r *Register) uint64 {
	if size := uint64(r.Props.Size.Val / 8); size > 0 {
		return size
	}
	return 1
}

// layoutRegister adds the instances of a register (count copies inc apart) at base: one span
// per copy, or one span for all of a large array.
func (v *validator) layoutRegister(path string, r *Register, base uint64, alt bool, count, inc uint64, spans *[]span) {
	e := &r.Element
	// A register whose offset could not be read (already an error) is not laid out: its
	// offset of 0 would only produce overlaps that are not there.
	if !e.offsetSet {
		return
	}
	isAlt := alt || r.AlternateRegister != "" || r.AlternateGroup != ""
	size := regBytes(r)
	if count > maxDim {
		if v.budget > 0 {
			v.budget--
			*spans = append(*spans, span{off: satAdd64(base, e.AddressOffset), size: size, stride: inc, count: count, elem: e, alt: isAlt, path: path})
		}
		return
	}
	for i := uint64(0); i < count && v.budget > 0; i++ {
		v.budget--
		*spans = append(*spans, span{off: base + e.AddressOffset + i*inc, size: size, count: 1, elem: e, alt: isAlt, path: path})
	}
}

// layoutWindow adds a large cluster array as one span of its extent.
func (v *validator) layoutWindow(path string, c *Cluster, base uint64, alt bool, count, inc, ext uint64, spans *[]span) {
	if v.budget <= 0 || ext == 0 {
		return
	}
	v.budget--
	*spans = append(*spans, span{off: satAdd64(base, c.AddressOffset), size: ext, stride: inc, count: count, elem: &c.Element, cluster: true, alt: alt, path: path})
}

// layout adds the register instances of list at base without checking them again.
func (v *validator) layout(path string, list []RegisterNode, base uint64, alt bool, spans *[]span) {
	for _, n := range list {
		e := n.Elem()
		count, inc := arrayOf(e)
		npath := path + " / " + kindOf(n) + " " + e.Name
		switch n := n.(type) {
		case *Register:
			v.layoutRegister(npath, n, base, alt, count, inc, spans)
		case *Cluster:
			isAlt := alt || n.AlternateCluster != ""
			if count > maxDim {
				v.layoutWindow(npath, n, base, isAlt, count, inc, clusterExtent(n.Children), spans)
				continue
			}
			for i := uint64(0); i < count && v.budget > 0; i++ {
				v.budget--
				v.layout(npath, n.Children, base+e.AddressOffset+i*inc, isAlt, spans)
			}
		}
	}
}

// clusterExtent is the number of bytes from a cluster's start to the end of its last
// register.
func clusterExtent(list []RegisterNode) uint64 {
	var ext uint64
	for _, n := range list {
		e := n.Elem()
		count, inc := arrayOf(e)
		var one uint64
		switch n := n.(type) {
		case *Register:
			one = uint64(n.Props.Size.Val / 8)
		case *Cluster:
			one = clusterExtent(n.Children)
		}
		if end := satAdd64(satAdd64(e.AddressOffset, satMul64(count-1, inc)), one); end > ext {
			ext = end
		}
	}
	return ext
}

func (v *validator) register(path string, r *Register) {
	p := r.Props
	size := p.Size.Val
	m := ones(size)
	if p.ResetValue.Val&^m != 0 {
		v.r.add(r.Pos, CodeResetFit, path, "resetValue %#x does not fit in %d bits", p.ResetValue.Val, size)
	}
	if p.ResetValue.Val&^p.ResetMask.Val&m != 0 {
		v.r.add(r.Pos, CodeResetMask, path, "resetValue %#x has bits outside resetMask %#x", p.ResetValue.Val, p.ResetMask.Val)
	}
	seen := make(map[string]*Field, len(r.Fields))
	for _, f := range r.Fields {
		fpath := path + " / field " + pathName(f.Name)
		if o, dup := seen[f.Name]; dup && f.Name != "" {
			v.r.add(f.Pos, CodeDupName, fpath, "field name %q already used at line %d", f.Name, o.Pos.Line)
		} else {
			seen[f.Name] = f
		}
		v.field(fpath, r, f)
	}
	// Overlapping fields: sort by offset and compare neighbours.
	fs := append([]*Field(nil), r.Fields...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].BitOffset < fs[j].BitOffset })
	far := -1
	for i, f := range fs {
		if f.BitWidth == 0 {
			continue
		}
		if far >= 0 {
			a := fs[far]
			end := uint64(a.BitOffset) + uint64(a.BitWidth)
			if end > uint64(f.BitOffset) && !splitAccess(a.Access.Val, f.Access.Val) {
				v.r.add(f.Pos, CodeFieldOverlap, path+" / field "+f.Name, "bits %s overlap field %s (%s)",
					bitsText(f), a.Name, bitsText(a))
			}
		}
		if far < 0 || uint64(f.BitOffset)+uint64(f.BitWidth) > uint64(fs[far].BitOffset)+uint64(fs[far].BitWidth) {
			far = i
		}
	}
}

// splitAccess reports whether two overlapping fields are a read view and a write view of the
// same bits, which is a legitimate way to describe them.
func splitAccess(a, b Access) bool {
	ro := func(x Access) bool { return x == ReadOnly }
	wo := func(x Access) bool { return x == WriteOnly || x == WriteOnce }
	return (ro(a) && wo(b)) || (wo(a) && ro(b))
}

func bitsText(f *Field) string {
	if f.BitWidth <= 1 {
		return "[" + strconv.FormatUint(uint64(f.BitOffset), 10) + "]"
	}
	return "[" + strconv.FormatUint(uint64(f.BitOffset)+uint64(f.BitWidth)-1, 10) + ":" +
		strconv.FormatUint(uint64(f.BitOffset), 10) + "]"
}

func (v *validator) field(path string, r *Register, f *Field) {
	size := r.Props.Size.Val
	if f.BitWidth == 0 {
		v.r.add(f.Pos, CodeZeroWidth, path, "field has width 0")
	} else if uint64(f.BitOffset)+uint64(f.BitWidth) > uint64(size) {
		v.r.add(f.Pos, CodeFieldOutside, path, "bits %s are outside the %d-bit register", bitsText(f), size)
	}
	ra, fa := r.Props.Access.Val, f.Access.Val
	if (ra == ReadOnly && fa.CanWrite() && fa != AccessUnspecified) || (ra == WriteOnly && fa == ReadOnly) {
		v.r.add(f.Pos, CodeAccess, path, "field access %s conflicts with register access %s", fa, ra)
	}
	m := ones(f.BitWidth)
	if wc := f.WriteConstraint; wc != nil && wc.Range != nil {
		if wc.Range.Min > wc.Range.Max || wc.Range.Max > m {
			v.r.add(wc.Pos, CodeConstraint, path, "writeConstraint range %d..%d does not fit the %d-bit field",
				wc.Range.Min, wc.Range.Max, f.BitWidth)
		}
	}
	var usages [4]*EnumeratedValues
	for _, e := range f.EnumeratedValues {
		epath := path + " / " + enumPath(e)
		if len(e.Values) == 0 && e.DerivedFrom == "" {
			v.r.add(e.Pos, CodeEnumEmpty, epath, "enumeratedValues has no values")
		}
		u := e.Usage
		if u == UsageUnspecified {
			u = UsageReadWrite
		}
		clash := usages[u] != nil || (u == UsageReadWrite && (usages[UsageRead] != nil || usages[UsageWrite] != nil)) ||
			(u != UsageReadWrite && usages[UsageReadWrite] != nil)
		if clash {
			v.r.add(e.Pos, CodeEnumUsage, epath, "field already has enumeratedValues for this usage")
		} else {
			usages[u] = e
		}
		type entry struct {
			name string
			line int
		}
		values := make(map[[2]uint64]entry, len(e.Values))
		for _, ev := range e.Values {
			if !ev.HasValue {
				continue
			}
			if ev.Value&^m != 0 {
				v.r.add(ev.Pos, CodeEnumFit, epath+" / enumeratedValue "+ev.Name,
					"value %#x does not fit the %d-bit field", ev.Value, f.BitWidth)
				continue
			}
			k := [2]uint64{ev.Value, ev.Mask}
			if o, dup := values[k]; dup && o.name != ev.Name {
				v.r.add(ev.Pos, CodeEnumDup, epath+" / enumeratedValue "+ev.Name,
					"value %#x is also %s (line %d)", ev.Value, o.name, o.line)
			} else if !dup {
				values[k] = entry{ev.Name, ev.Pos.Line}
			}
		}
	}
}

// pathName is how an element's name appears in a diagnostic path: "?" when it has none.
func pathName(s string) string {
	if s == "" {
		return "?"
	}
	return s
}
