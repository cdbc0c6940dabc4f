package codegen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gohal/gohal/svd"
)

// typeBuilder builds one peripheral package.
type typeBuilder struct {
	*builder
	t       *PeriphType
	pkg     *scope // package-level identifiers
	pending []*pendingEnum
	order   int
}

type pendingEnum struct {
	ev        *svd.EnumeratedValues
	bits      int
	width     uint32
	preferred string // the name it wants
	fallback  string // REG_FIELD, when the preferred name is wanted by different enums
	key       string
	assign    func(*Enum)
}

func (b *builder) buildType(t *PeriphType, p *svd.Peripheral) {
	tb := &typeBuilder{builder: b, t: t, pkg: newScope()}
	src := p
	if len(p.Registers) == 0 && p.Derived != nil {
		src = p.Derived
	}
	t.Doc = docText(src.Description)
	blockName := tb.pkg.claim(exported(strings.ToUpper(t.Pkg)))
	t.ResetsVar = t.Pkg + "Resets" // unexported, in the chip package
	t.Block = tb.buildStruct(blockName, src.Name, "", src.Registers)
	t.Block.Doc = t.Doc
	tb.resolveEnums()
}

// sameClusterShape reports whether cluster b can use cluster a's struct type: the same
// register map, and the same array stride (or neither an array).
func sameClusterShape(a, b *svd.Cluster) bool {
	if a.Dim.Dim.Set != b.Dim.Dim.Set || (a.Dim.Dim.Set && a.Dim.DimIncrement.Val != b.Dim.DimIncrement.Val) {
		return false
	}
	return nodesKey(a.Children) == nodesKey(b.Children)
}

// buildStruct builds a register block or cluster body. prefix is prepended to the names of
// the register and cluster types inside it, so types in different clusters never collide.
func (tb *typeBuilder) buildStruct(name, svdName, prefix string, nodes []svd.RegisterNode) *Struct {
	s := &Struct{Name: name, SVDName: svdName}
	tb.t.Structs = append(tb.t.Structs, s)
	fieldScope := newScope()
	// A register derived from a sibling with the same shape shares its type, so a value read
	// from one can be written to the other (CONF1 derivedFrom CONF0 → both *CONF0).
	siblings := map[string]*svd.Register{}
	regOf := map[*svd.Register]*Reg{}
	clusterSiblings := map[string]*svd.Cluster{}
	structOf := map[*svd.Cluster]*Struct{}
	// Names are claimed before anything is built: first the registers and clusters the SVD
	// names, then the arrays merged from spelt-out copies, then the inferred clusters, so an
	// inferred name never pushes an SVD name aside when they collide.
	orig := map[svd.RegisterNode]bool{}
	for _, n := range nodes {
		orig[n] = true
	}
	clustered := inferClusters(nodes)
	all := mergeRuns(clustered)
	prio := func(n svd.RegisterNode) int {
		if orig[n] {
			return 0
		}
		if _, ok := n.(*svd.Cluster); ok {
			return 2
		}
		return 1
	}
	memberNames := map[svd.RegisterNode][]string{}
	for p := 0; p < 3; p++ {
		for _, n := range all {
			if prio(n) != p {
				continue
			}
			e := n.Elem()
			if idx, ok := listIndices(e); ok {
				for _, i := range idx {
					memberNames[n] = append(memberNames[n], fieldScope.claim(exported(strings.ReplaceAll(e.Name, "%s", i))))
				}
				continue
			}
			memberNames[n] = []string{fieldScope.claim(exported(e.Name))}
		}
	}
	for _, n := range all {
		e := n.Elem()
		var reg *Reg
		var cl *Struct
		isAlt := false
		switch n := n.(type) {
		case *svd.Register:
			if src := siblings[n.DerivedFrom]; src != nil && !src.Dim.Dim.Set && !n.Dim.Dim.Set && regShapeKey(src) == regShapeKey(n) {
				reg = regOf[src]
			} else {
				reg = tb.buildReg(prefix+typeBase(n, memberNames[n]), n)
			}
			siblings[n.Name] = n
			regOf[n] = reg
			isAlt = n.AlternateRegister != "" || n.AlternateGroup != ""
		case *svd.Cluster:
			// Likewise a cluster derived from a sibling with the same register map shares its
			// struct type, so code written for one unit works for the other. Both must be
			// single clusters, or arrays of the same stride: an array pads its element type to
			// the stride, and a padded type could overlap whatever follows the other cluster.
			if src := clusterSiblings[n.DerivedFrom]; src != nil && sameClusterShape(src, n) {
				cl = structOf[src]
			} else {
				cname := tb.pkg.claim(prefix + typeBase(n, memberNames[n]))
				cl = tb.buildStruct(cname, n.Name, cname+"_", n.Children)
				cl.Doc = docText(n.Description)
			}
			clusterSiblings[n.Name] = n
			structOf[n] = cl
			isAlt = n.AlternateCluster != ""
		default:
			continue
		}
		doc := docText(e.Description)
		dim := e.Dim
		count := int(dim.Dim.Val)
		if !dim.Dim.Set || count < 1 {
			tb.order++
			s.Members = append(s.Members, &Member{Name: memberNames[n][0], SVDName: e.Name, Doc: doc, Offset: e.AddressOffset, Reg: reg, Cluster: cl, order: tb.order, alt: isAlt})
			continue
		}
		// nil: numbered 0 … count-1. Never one string per copy: a memory window has millions.
		indices := dim.Indices
		if len(indices) != count {
			indices = nil
		}
		stride := dim.DimIncrement.Val
		if _, list := listIndices(e); !list {
			// An array: one Go array (or an indexed accessor when the stride does not fit).
			m := &Member{Name: memberNames[n][0], SVDName: e.Name, Doc: doc, Offset: e.AddressOffset, Count: count, Stride: stride, Indices: indices, Reg: reg, Cluster: cl, alt: isAlt}
			tb.order++
			m.order = tb.order
			if reg != nil && stride > reg.Bytes() && stride%reg.Bytes() == 0 {
				reg.Pad = stride - reg.Bytes()
			}
			if cl != nil {
				layout(cl)
				if stride >= cl.Size && stride%cl.Align == 0 {
					if stride > cl.Size {
						cl.Fields = append(cl.Fields, Slot{Pad: stride - cl.Size})
					}
					cl.Size = stride
				}
			}
			s.Members = append(s.Members, m)
			continue
		}
		// A list ("GPIO_%s_CFG" with A,B,C): one member per copy, all of one type.
		for i, idx := range indices {
			nm := strings.ReplaceAll(e.Name, "%s", idx)
			tb.order++
			s.Members = append(s.Members, &Member{Name: memberNames[n][i], SVDName: nm, Doc: doc, Offset: e.AddressOffset + uint64(i)*stride, Reg: reg, Cluster: cl, order: tb.order, alt: isAlt})
		}
	}
	for _, m := range s.Members {
		if m.Cluster != nil && m.Cluster.Size == 0 && len(m.Cluster.Members) > 0 {
			layout(m.Cluster)
		}
	}
	layout(s)
	return s
}

// typeBase is the name a member's type is built from: the member's own name, so field and
// type read alike (UNIT_LOAD_1 UNIT_LOAD_1), or for a list the name without its index.
func typeBase(n svd.RegisterNode, names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return exported(n.Elem().Name)
}

// listIndices returns the indices of a dim element that is a list ("GPIO_%s_CFG" with A,B,C:
// one member per copy) rather than an array ("FIFO[%s]", or %s counting 0, 1, …).
func listIndices(e *svd.Element) ([]string, bool) {
	count := int(e.Dim.Dim.Val)
	if !e.Dim.Dim.Set || count < 1 {
		return nil, false
	}
	indices := e.Dim.Indices
	if len(indices) != count {
		return nil, false // counted as an array below
	}
	if strings.Contains(e.Name, "[%s]") || isCounting(indices) {
		return nil, false
	}
	return indices, true
}

// isCounting reports whether indices are "0", "1", … in order, so a %s list reads best as an
// array. nil, an array's indices when the SVD lists none, counts.
func isCounting(indices []string) bool {
	for i, s := range indices {
		if s != strconv.Itoa(i) {
			return false
		}
	}
	return true
}

// layout places members as struct fields at their exact offsets. A member becomes an
// accessor method instead when it overlaps the field before it (an alternate register),
// is misaligned for its cell, or is an array whose stride differs from its element size.
func layout(s *Struct) {
	sort.SliceStable(s.Members, func(i, j int) bool {
		a, b := s.Members[i], s.Members[j]
		if a.Offset != b.Offset {
			return a.Offset < b.Offset
		}
		if a.alt != b.alt {
			return !a.alt
		}
		return a.order < b.order
	})
	s.Fields, s.Accessors = nil, nil
	var cursor, end uint64
	align := uint64(1)
	for _, m := range s.Members {
		a := m.align()
		if a > align {
			align = a
		}
		// A zero-size field at the end of a Go struct would pad the struct, so an empty
		// cluster is never a field.
		ok := m.Offset >= cursor && m.Offset%a == 0 && (m.Count == 0 || m.Stride == m.ElemSize()) && m.span() > 0
		last := m.Offset + m.ElemSize()
		if m.Count > 0 {
			last = m.Offset + uint64(m.Count-1)*m.Stride + m.ElemSize()
		}
		if ok {
			if m.Offset > cursor {
				s.Fields = append(s.Fields, Slot{Pad: m.Offset - cursor})
			}
			s.Fields = append(s.Fields, Slot{Member: m})
			cursor = m.Offset + m.span()
			last = cursor
		} else {
			s.Accessors = append(s.Accessors, m)
		}
		if last > end {
			end = last
		}
	}
	if r := end % align; r != 0 {
		end += align - r
	}
	if end > cursor {
		s.Fields = append(s.Fields, Slot{Pad: end - cursor})
	}
	s.Size, s.Align = end, align
}

// buildReg builds the type of register r, named base (with the Value and Reset suffixes).
func (tb *typeBuilder) buildReg(base string, r *svd.Register) *Reg {
	names := tb.pkg.claimSet(base, "%s", "%sValue", "%sReset")
	reg := &Reg{Name: names[0], Value: names[1], Reset: names[2], SVDName: r.Name, ReadAction: r.ReadAction}
	tb.t.Regs = append(tb.t.Regs, reg)
	size := r.Props.Size.Or(32)
	switch {
	case size <= 8:
		reg.Bits = 8
	case size <= 16:
		reg.Bits = 16
	case size <= 32:
		reg.Bits = 32
	case size <= 64:
		reg.Bits = 64
	default:
		tb.warnf(r.Pos, "register %s is %d bits wide; generated as 64 bits", r.Name, size)
		reg.Bits = 64
	}
	if size != 8 && size != 16 && size != 32 && size != 64 && size <= 64 {
		tb.warnf(r.Pos, "register %s is %d bits wide; generated as a %d-bit cell", r.Name, size, reg.Bits)
	}
	reg.Access = r.Props.Access.Val
	if reg.Access == svd.AccessUnspecified {
		reg.Access = svd.ReadWrite
	}
	full := widthMask(uint32(reg.Bits))
	reg.ResetValue = r.Props.ResetValue.Val & r.Props.ResetMask.Or(full) & full
	reg.Doc = docText(r.Description)
	if reg.Doc == "" {
		reg.Doc = docText(r.DisplayName)
	}

	mwvMask := func(m svd.ModifiedWriteValues, mask uint64) {
		switch m {
		case svd.OneToClear, svd.OneToToggle:
			reg.ZeroMask |= mask
		case svd.ZeroToClear, svd.ZeroToToggle:
			reg.OneMask |= mask
		}
	}
	if len(r.Fields) == 0 {
		mwvMask(r.ModifiedWriteValues, full)
	}
	methods := newScope()
	for _, f := range r.Fields {
		if f.BitWidth == 0 || uint64(f.BitOffset)+uint64(f.BitWidth) > uint64(reg.Bits) {
			tb.warnf(f.Pos, "field %s.%s [%d+%d] does not fit the %d-bit register; left out", r.Name, f.Name, f.BitOffset, f.BitWidth, reg.Bits)
			continue
		}
		fn := methods.claimSet(exported(f.Name), "%s", "With%s")
		fa := f.Access.Val
		if fa == svd.AccessUnspecified {
			fa = reg.Access
		}
		fld := &Field{Getter: fn[0], Setter: fn[1], SVDName: f.Name, Doc: docText(f.Description), Offset: f.BitOffset, Width: f.BitWidth,
			Read: reg.Readable() && readable(fa), Write: reg.Writable() && writable(fa)}
		m := f.ModifiedWriteValues
		if m == svd.MWVUnspecified {
			m = r.ModifiedWriteValues
		}
		mwvMask(m, fld.Mask())
		for _, ev := range f.EnumeratedValues {
			tb.addEnum(reg, fld, ev)
		}
		reg.Fields = append(reg.Fields, fld)
	}
	if !reg.Readable() || !reg.Writable() {
		reg.ZeroMask, reg.OneMask = 0, 0
	}
	return reg
}

func (tb *typeBuilder) addEnum(reg *Reg, fld *Field, ev *svd.EnumeratedValues) {
	hasValues := false
	for _, v := range ev.Values {
		if v.HasValue || v.IsDefault {
			hasValues = true
		}
	}
	if !hasValues {
		return
	}
	pe := &pendingEnum{ev: ev, bits: reg.Bits, width: fld.Width}
	pe.preferred = exported(ev.Name)
	if ev.Name == "" {
		pe.preferred = exported(fld.SVDName)
	}
	pe.fallback = reg.Name + "_" + exported(fld.SVDName)
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d|%d|", pe.bits, pe.width)
	for _, v := range ev.Values {
		fmt.Fprintf(&sb, "%s|%d|%d|%t|%t;", v.Name, v.Value, v.Mask, v.HasValue, v.IsDefault)
	}
	pe.key = sb.String()
	switch ev.Usage {
	case svd.UsageRead:
		pe.assign = func(e *Enum) { fld.ReadEnum = e }
	case svd.UsageWrite:
		pe.assign = func(e *Enum) { fld.WriteEnum = e }
	default:
		pe.assign = func(e *Enum) {
			if fld.ReadEnum == nil {
				fld.ReadEnum = e
			}
			if fld.WriteEnum == nil {
				fld.WriteEnum = e
			}
		}
	}
	tb.pending = append(tb.pending, pe)
}

// resolveEnums names the package's enums once every register has its name. Enums with the
// same values and preferred name are one type; a preferred name that several different enums
// want is given up by all of them for REGISTER_FIELD.
func (tb *typeBuilder) resolveEnums() {
	keysByName := map[string]map[string]bool{}
	for _, pe := range tb.pending {
		if keysByName[pe.preferred] == nil {
			keysByName[pe.preferred] = map[string]bool{}
		}
		keysByName[pe.preferred][pe.key] = true
	}
	made := map[string]*Enum{}
	for _, pe := range tb.pending {
		name := pe.preferred
		if len(keysByName[name]) > 1 {
			name = pe.fallback
		}
		id := name + "\x00" + pe.key
		e := made[id]
		if e == nil {
			e = tb.makeEnum(name, pe)
			made[id] = e
			tb.t.Enums = append(tb.t.Enums, e)
		}
		pe.assign(e)
	}
}

func (tb *typeBuilder) makeEnum(name string, pe *pendingEnum) *Enum {
	e := &Enum{Name: tb.pkg.claim(name), Bits: pe.bits, Width: pe.width, Doc: docText(pe.ev.Name), key: pe.key}
	methods := newScope("String")
	full := widthMask(pe.width)
	for _, v := range pe.ev.Values {
		ev := &EnumValue{SVDName: v.Name, Doc: docText(v.Description), Value: v.Value & full, Mask: v.Mask & full}
		if !v.HasValue && !v.IsDefault {
			continue
		}
		ev.Is = methods.claim("Is" + tail(v.Name))
		if v.IsDefault {
			e.Default = ev
			continue
		}
		if ev.Mask == 0 && v.Mask == 0 {
			ev.Mask = full
		}
		ev.Pattern = ev.Mask != full
		ev.Const = tb.pkg.claim(e.Name + "_" + tail(v.Name))
		e.Values = append(e.Values, ev)
	}
	return e
}
