package svd

import (
	"math"
	"strings"
)

// The last resolution pass: register and cluster array indices, field array expansion,
// register property inheritance with defaults, field access and enumeration masks.

// defaultSize is the register size when neither the register nor anything around it, nor the
// device width, says.
const defaultSize = 32

func (rs *resolver) finishPeripheral(p *Peripheral) {
	inheritProps(&p.Props, &rs.dev.Props)
	rs.finishNodes(scope{periph: p}, p.Registers, p.Props, p.BaseAddress, addrLimit(p))
}

// finishNodes completes the registers and clusters of list, whose offsets count from the
// address base; limit is the end of the address space.
func (rs *resolver) finishNodes(sc scope, list []RegisterNode, inh RegisterProperties, base, limit uint64) {
	for _, n := range list {
		e := n.Elem()
		own := e.Props
		inheritProps(&e.Props, &inh)
		path := nodePath(sc, n)
		array := false
		if e.Dim.Dim.Set {
			if rs.dimUsable(e.Pos, path, &e.Dim) {
				_, array = rs.indices(e.Pos, path, &e.Dim, true)
			}
			if array && !strings.Contains(e.Name, "%s") {
				rs.r.add(e.Pos, CodeNoPlacehold, path, "%s array %q has no %%s in its name; the index is appended", kindOf(n), e.Name)
			}
		} else if strings.Contains(e.Name, "%s") {
			rs.r.add(e.Pos, CodeNoDim, path, "name %q has %%s but no <dim>; the placeholder is removed", e.Name)
			e.Name = dropPlaceholder(e.Name)
		}
		start := satAdd64(base, e.AddressOffset)
		var size uint64
		switch n := n.(type) {
		case *Cluster:
			rs.finishNodes(sc.withCluster(n), n.Children, e.Props, start, limit)
			size = clusterExtent(n.Children)
		case *Register:
			rsc := sc
			rsc.reg = n
			rs.finishRegister(rsc, n, own)
			size = uint64(n.Props.Size.Val / 8)
		}
		// An array is bounded by the address space its copies cover, not by their number:
		// a memory window of 16,777,216 words is one node, with no index strings.
		if array && !rs.spanFits(e.Pos, path, kindOf(n), start, limit, &e.Dim, uint64(e.Dim.Len()), size) {
			e.Dim.Indices, e.Dim.counted = nil, 0
		}
	}
}

// finishRegister completes a register; own holds the properties it gave itself, before
// inheritance.
func (rs *resolver) finishRegister(sc scope, r *Register, own RegisterProperties) {
	path := sc.path()
	p := &r.Props
	if !p.Size.Set {
		size := uint32(defaultSize)
		if rs.dev.Width.Set && rs.dev.Width.Val > 0 && rs.dev.Width.Val <= 64 {
			size = rs.dev.Width.Val
		}
		if !rs.warnedSize {
			rs.warnedSize = true
			rs.r.add(r.Pos, CodeNoSize, path, "register has no <size> and none is inherited; %d bits (the device width or 32) is used here and for every other such register", size)
		}
		p.Size = Some(size)
	}
	switch s := p.Size.Val; {
	case s == 8 || s == 16 || s == 32 || s == 64:
	case s == 0 || s > 64:
		rs.r.add(r.Pos, CodeRange, path, "register size %d is not possible; 32 is used", s)
		p.Size.Val = 32
	default:
		up := uint32(8)
		for up < s {
			up *= 2
		}
		rs.r.add(r.Pos, CodeOddSize, path, "register size %d is not 8, 16, 32 or 64; %d is used", s, up)
		p.Size.Val = up
	}
	if !p.Access.Set {
		p.Access = Some(ReadWrite)
	}
	if !p.ResetValue.Set {
		p.ResetValue = Some(uint64(0))
	}
	if !p.ResetMask.Set {
		p.ResetMask = Some(ones(p.Size.Val))
	}
	// Reset values inherited from a wider level are cut to the register: a device-wide
	// resetMask of 0xFFFFFFFF says nothing about bits an 8-bit register does not have. A
	// register's own value that does not fit is a vendor error, reported and cut the same way.
	m := ones(p.Size.Val)
	if p.ResetValue.Val&^m != 0 {
		if own.ResetValue.Set {
			rs.r.add(r.Pos, CodeResetFit, path, "resetValue %#x does not fit in %d bits; cut to %#x", p.ResetValue.Val, p.Size.Val, p.ResetValue.Val&m)
		}
		p.ResetValue.Val &= m
	}
	p.ResetMask.Val &= m
	// Field arrays become one field per copy.
	expand := false
	for _, f := range r.Fields {
		if f.Dim.Dim.Set {
			expand = true
			break
		}
	}
	if expand {
		out := make([]*Field, 0, len(r.Fields))
		for _, f := range r.Fields {
			if !f.Dim.Dim.Set {
				out = append(out, f)
				continue
			}
			fpath := path + " / field " + pathName(f.Name)
			// Copies are bounded by the bits they cover (no register has more than 64) and,
			// as each becomes a field of its own, by the expansion budget.
			cost := uint64(countFields([]*Field{f}))
			ok := rs.dimUsable(f.Pos, fpath, &f.Dim) &&
				rs.spanFits(f.Pos, fpath, "field", uint64(f.BitOffset), 64, &f.Dim, uint64(f.Dim.Dim.Val), uint64(f.BitWidth)) &&
				(rs.affords(uint64(f.Dim.Dim.Val), cost) || rs.charge(f.Pos, fpath, satMul64(uint64(f.Dim.Dim.Val), cost)))
			var idx []string
			if ok {
				idx, ok = rs.indices(f.Pos, fpath, &f.Dim, false)
			}
			if ok && !rs.charge(f.Pos, fpath, uint64(len(idx))*cost) {
				ok = false
			}
			if !ok {
				out = append(out, f)
				continue
			}
			if !strings.Contains(f.Name, "%s") {
				rs.r.add(f.Pos, CodeNoPlacehold, fpath, "field array %q has no %%s in its name; the index is appended", f.Name)
			}
			dim := f.Dim
			f.Dim = Dim{} // the copies do not carry the array's dim
			for i, ix := range idx {
				c := copyField(f)
				c.Name = substitute(f.Name, ix, true)
				c.Description = substitute(f.Description, ix, false)
				off := uint64(f.BitOffset) + uint64(i)*dim.DimIncrement.Val
				if off > math.MaxUint32 || dim.DimIncrement.Val > math.MaxUint32 {
					off = math.MaxUint32
				}
				c.BitOffset = uint32(off)
				out = append(out, c)
			}
			f.Dim = dim
		}
		r.Fields = out
	}
	// Repairs: fields that cannot exist in the register are clipped or dropped, values that
	// cannot occur in their field are dropped. Each repair is reported.
	kept := r.Fields[:0]
	size := p.Size.Val
	for _, f := range r.Fields {
		fpath := path + " / field " + pathName(f.Name)
		if !f.Dim.Dim.Set && strings.Contains(f.Name, "%s") {
			rs.r.add(f.Pos, CodeNoDim, fpath, "name %q has %%s but no <dim>; the placeholder is removed", f.Name)
			f.Name = dropPlaceholder(f.Name)
		}
		if f.BitWidth == 0 {
			if f.rangeSet {
				rs.r.add(f.Pos, CodeZeroWidth, fpath, "field has width 0; dropped")
			}
			continue
		}
		if end := uint64(f.BitOffset) + uint64(f.BitWidth); end > uint64(size) {
			if f.BitOffset >= size {
				rs.r.add(f.Pos, CodeFieldOutside, fpath, "bits %s are outside the %d-bit register; dropped", bitsText(f), size)
				continue
			}
			was := bitsText(f)
			f.BitWidth = size - f.BitOffset
			rs.r.add(f.Pos, CodeFieldOutside, fpath, "bits %s reach beyond the %d-bit register; clipped to %s", was, size, bitsText(f))
		}
		if !f.Access.Set {
			f.Access = p.Access
		}
		m := ones(f.BitWidth)
		for _, e := range f.EnumeratedValues {
			vals := e.Values[:0]
			for _, v := range e.Values {
				if v.HasValue && v.Value&^m != 0 {
					rs.r.add(v.Pos, CodeEnumFit, fpath+" / "+enumPath(e)+" / enumeratedValue "+pathName(v.Name),
						"value %#x does not fit the %d-bit field; dropped", v.Value, f.BitWidth)
					continue
				}
				v.Mask &= m
				vals = append(vals, v)
			}
			e.Values = vals
		}
		kept = append(kept, f)
	}
	r.Fields = kept
}

// dropPlaceholder removes "[%s]" and "%s" from a name that is not an array.
func dropPlaceholder(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "[%s]", ""), "%s", "")
}

// enumPath names an enumeratedValues container in a diagnostic path.
func enumPath(e *EnumeratedValues) string {
	if e.Name == "" {
		return "enumeratedValues"
	}
	return "enumeratedValues " + e.Name
}

// ones returns a mask of the low n bits.
func ones(n uint32) uint64 {
	if n >= 64 {
		return math.MaxUint64
	}
	return 1<<n - 1
}
