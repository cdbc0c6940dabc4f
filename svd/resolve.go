package svd

import (
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Options controls Resolve and Load.
type Options struct {
	// Strict turns every warning into an error: for vendors checking their own files.
	Strict bool
}

// Resolve returns a new Device in which derivedFrom is applied at every level, peripheral
// and field arrays are expanded, register and cluster arrays have their indices, and every
// register has its properties and every field its bit range and access. The input is not
// modified. The diagnostics cover what resolution found (missing targets, cycles, bad dim
// specifications) and the validation rules of Validate. The resolved tree is described in
// the package documentation.
func Resolve(d *Device, opt Options) (*Device, Diagnostics) {
	if d == nil {
		return nil, nil
	}
	rs := &resolver{dev: copyDevice(d), budget: maxExpanded}
	rs.run()
	diags := rs.r.diags
	diags = append(diags, Validate(rs.dev, Options{})...)
	diags = dedup(diags)
	if opt.Strict {
		diags = diags.Strict()
	}
	diags.Sort()
	return rs.dev, diags
}

// dedup drops repeats of a diagnostic: the registers a derived peripheral copies from its
// source carry the source's positions, so one mistake would otherwise be reported once per
// copy. The first report (in the source, or the first copy) is kept.
func dedup(ds Diagnostics) Diagnostics {
	type key struct {
		pos  Pos
		code string
		msg  string
	}
	seen := make(map[key]bool, len(ds))
	out := ds[:0]
	for _, d := range ds {
		k := key{d.Pos, d.Code, d.Message}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}

// resolver holds the state of one Resolve.
type resolver struct {
	dev    *Device
	r      reporter
	byName map[string]*Peripheral
	chain  []string // derivation chain being followed, for cycle messages

	warnedSize bool   // W301 is reported once per device
	budget     uint64 // elements copying may still create, see maxExpanded
	overBudget bool   // E211 was reported
}

// scope is where an element sits: its peripheral, the clusters around it (outermost first),
// and for fields and enumerations the register and field.
type scope struct {
	periph   *Peripheral
	clusters []*Cluster
	reg      *Register
	field    *Field
}

func (s scope) path() string {
	var b strings.Builder
	if s.periph != nil {
		b.WriteString("peripheral ")
		b.WriteString(pathName(s.periph.Name))
	}
	for _, c := range s.clusters {
		b.WriteString(" / cluster ")
		b.WriteString(pathName(c.Name))
	}
	if s.reg != nil {
		b.WriteString(" / register ")
		b.WriteString(pathName(s.reg.Name))
	}
	if s.field != nil {
		b.WriteString(" / field ")
		b.WriteString(pathName(s.field.Name))
	}
	return b.String()
}

func (s scope) withCluster(c *Cluster) scope {
	n := s
	n.clusters = append(append(make([]*Cluster, 0, len(s.clusters)+1), s.clusters...), c)
	return n
}

func nodePath(s scope, n RegisterNode) string {
	kind := "register"
	if _, ok := n.(*Cluster); ok {
		kind = "cluster"
	}
	p := s.path()
	if p != "" {
		p += " / "
	}
	return p + kind + " " + pathName(n.Elem().Name)
}

func (rs *resolver) run() {
	d := rs.dev
	rs.expandPeripherals()
	rs.byName = make(map[string]*Peripheral, len(d.Peripherals))
	for _, p := range d.Peripherals {
		if _, dup := rs.byName[p.Name]; !dup {
			rs.byName[p.Name] = p
		}
	}
	for _, p := range d.Peripherals {
		rs.resolvePeripheral(p)
	}
	// Copies of an expanded peripheral array share their first copy's registers.
	for _, p := range d.Peripherals {
		if p.Derived == nil && p.arrayHead != nil && p.arrayHead != p {
			p.Derived = p.arrayHead
			if p.arrayHead.Derived != nil {
				p.Derived = p.arrayHead.Derived
			}
		}
	}
	for _, p := range d.Peripherals {
		rs.finishPeripheral(p)
	}
}

// expandPeripherals replaces every peripheral array with its copies.
func (rs *resolver) expandPeripherals() {
	d := rs.dev
	var out []*Peripheral
	for _, p := range d.Peripherals {
		if !p.Dim.Dim.Set {
			if strings.Contains(p.Name, "%s") {
				rs.r.add(p.Pos, CodeNoDim, "peripheral "+pathName(p.Name), "name %q has %%s but no <dim>; the placeholder is removed", p.Name)
				p.Name = dropPlaceholder(p.Name)
			}
			out = append(out, p)
			continue
		}
		path := "peripheral " + pathName(p.Name)
		// Every copy becomes a peripheral of its own, so unlike a register array the array
		// is bounded by its number of copies as well as by the address space they cover and
		// the expansion budget, all checked before anything is allocated for the copies.
		cost := uint64(1 + countNodes(p.Registers))
		if !rs.dimUsable(p.Pos, path, &p.Dim) ||
			!rs.spanFits(p.Pos, path, "peripheral", p.BaseAddress, addrLimit(p), &p.Dim, uint64(p.Dim.Dim.Val), blocksExtent(p.AddressBlocks)) ||
			!rs.fewPeripherals(p.Pos, path, p.Dim.Dim.Val) ||
			(!rs.affords(uint64(p.Dim.Dim.Val), cost) && !rs.charge(p.Pos, path, satMul64(uint64(p.Dim.Dim.Val), cost))) {
			out = append(out, p)
			continue
		}
		idx, ok := rs.indices(p.Pos, path, &p.Dim, false)
		if !ok {
			out = append(out, p)
			continue
		}
		if !strings.Contains(p.Name, "%s") {
			rs.r.add(p.Pos, CodeNoPlacehold, path, "peripheral array %q has no %%s in its name; the index is appended", p.Name)
		}
		if !rs.charge(p.Pos, path, uint64(len(idx))*cost) {
			out = append(out, p)
			continue
		}
		inc := p.Dim.DimIncrement.Val
		var head *Peripheral
		// The copies do not carry the array's dim (copying its index list into each of
		// them would cost the square of the array size).
		dim := p.Dim
		p.Dim = Dim{}
		for i, ix := range idx {
			c := copyPeripheral(p)
			c.Name = substitute(p.Name, ix, true)
			c.Description = substitute(p.Description, ix, false)
			c.BaseAddress = p.BaseAddress + uint64(i)*inc
			c.Dim = Dim{}
			if head == nil {
				head = c
			}
			c.arrayHead = head
			out = append(out, c)
		}
		p.Dim = dim
	}
	d.Peripherals = out
}

// maxExpanded bounds the elements Resolve creates by copying (peripheral arrays, derived
// peripherals and clusters, field arrays). Real devices stay far below it (the most in the
// test corpus is 55,103, nrf54l15); a small hostile file (an array of 65536 copies of a
// large peripheral) must not exhaust memory.
const maxExpanded = 1 << 20

// fewPeripherals reports E211 for a peripheral array of more than maxDim copies: each copy
// would be a Peripheral of its own.
func (rs *resolver) fewPeripherals(pos Pos, path string, n uint32) bool {
	if n <= maxDim {
		return true
	}
	rs.r.add(pos, CodeTooMany, path, "peripheral array of %d copies: more than %d peripherals are not expanded", n, maxDim)
	return false
}

// affords reports whether the budget still holds n copies of cost elements each.
func (rs *resolver) affords(n, cost uint64) bool {
	hi, lo := bits.Mul64(n, cost)
	return hi == 0 && lo <= rs.budget
}

// charge takes n elements from the expansion budget, reporting E211 once when it runs out.
func (rs *resolver) charge(pos Pos, path string, n uint64) bool {
	if n <= rs.budget {
		rs.budget -= n
		return true
	}
	if !rs.overBudget {
		rs.overBudget = true
		rs.r.add(pos, CodeTooMany, path, "expanding this would create more than %d elements; not expanded", maxExpanded)
	}
	return false
}

// countNodes counts the registers, clusters, fields and enumerated values under list.
func countNodes(list []RegisterNode) int {
	n := 0
	for _, c := range list {
		n++
		switch c := c.(type) {
		case *Cluster:
			n += countNodes(c.Children)
		case *Register:
			for _, f := range c.Fields {
				n++
				for _, e := range f.EnumeratedValues {
					n += 1 + len(e.Values)
				}
			}
		}
	}
	return n
}

// substitute replaces the %s placeholder of a name with an index. For names, "[%s]" becomes
// the bare index ("CH[%s]" → "CH0") so that the copy's name is an identifier; a name without
// any placeholder gets the index appended.
func substitute(s, idx string, isName bool) string {
	if strings.Contains(s, "[%s]") {
		return strings.ReplaceAll(s, "[%s]", idx)
	}
	if strings.Contains(s, "%s") {
		return strings.ReplaceAll(s, "%s", idx)
	}
	if isName {
		return s + idx
	}
	return s
}

// maxDim is the most copies an array has index strings for in Dim.Indices, the longest
// dimIndex range ("0-65535") and the most copies of a peripheral array. A register or
// cluster array numbered from 0 may have more copies (a memory window): it is bounded by
// the address space it covers (see spanFits), and nothing is allocated per copy. Peripheral
// and field arrays are expanded into one element per copy: a peripheral array is bounded
// by maxDim and the expansion budget (maxExpanded) as well, a field array by the 64 bits
// its copies must stay in.
const maxDim = 1 << 16

// dimUsable reports the errors every array shares: a dim of 0 and a missing dimIncrement.
func (rs *resolver) dimUsable(pos Pos, path string, d *Dim) bool {
	if d.Dim.Val == 0 {
		rs.r.add(pos, CodeRange, path, "dim is 0")
		return false
	}
	if !d.DimIncrement.Set {
		rs.r.add(pos, CodeNoIncrement, path, "<dim> without <dimIncrement>")
		return false
	}
	return true
}

// indices computes the index strings of a dim element (dimUsable already passed) and stores
// them in d.Indices. keep says the array stays one node (a register or cluster array): if it
// has more than maxDim copies numbered from 0, no strings are made and Dim.Len answers
// instead. An expanded array (keep false) has had its size checked against the budget.
func (rs *resolver) indices(pos Pos, path string, d *Dim, keep bool) ([]string, bool) {
	n := d.Dim.Val
	d.Indices, d.counted = nil, 0
	counting := d.DimIndex == "" || countingRange(d.DimIndex, n)
	if counting && keep && n > maxDim {
		d.counted = n
		return nil, true
	}
	var idx []string
	if counting {
		idx = make([]string, n)
		for i := range idx {
			idx[i] = itoa(i)
		}
	} else {
		var err string
		idx, err = parseDimIndex(d.DimIndex)
		if err != "" {
			rs.r.add(pos, CodeDimIndex, path, "<dimIndex> %q: %s", d.DimIndex, err)
			return nil, false
		}
		if len(idx) != int(n) {
			rs.r.add(pos, CodeDimCount, path, "<dimIndex> %q has %d entries but <dim> is %d", d.DimIndex, len(idx), n)
			if len(idx) > int(n) {
				idx = idx[:n]
			}
		}
	}
	d.Indices = idx
	return idx, true
}

// countingRange reports whether s is the range "0-(n-1)": the indices an array without
// dimIndex has.
func countingRange(s string, n uint32) bool {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok || strings.TrimSpace(a) != "0" {
		return false
	}
	y, err := strconv.ParseUint(strings.TrimSpace(b), 10, 32)
	return err == nil && y+1 == uint64(n)
}

// addrLimit is the end of the address space p's arrays must stay in: the 32-bit space, or
// the 64-bit one for a peripheral whose base address is already beyond 32 bits.
func addrLimit(p *Peripheral) uint64 {
	if p.BaseAddress>>32 != 0 {
		return math.MaxUint64
	}
	return 1 << 32
}

// blocksExtent is the number of bytes from a peripheral's base to the end of its last
// addressBlock: what one copy of a peripheral array occupies.
func blocksExtent(bs []AddressBlock) uint64 {
	var ext uint64
	for _, b := range bs {
		if end := satAdd64(b.Offset, b.Size); end > ext {
			ext = end
		}
	}
	return ext
}

// arrayEnd is the address just past the last of n copies of size bytes, the first at start
// and each at least one address unit after the one before (dimIncrement 0 does not make a
// million copies free). It saturates at math.MaxUint64.
func arrayEnd(start, n, inc, size uint64) uint64 {
	if n == 0 {
		return start
	}
	return satAdd64(satAdd64(start, satMul64(n-1, max(inc, 1))), size)
}

// spanFits reports E210 when the n copies of an array starting at start (an address, or for
// a field a bit number) reach beyond limit.
func (rs *resolver) spanFits(pos Pos, path, kind string, start, limit uint64, d *Dim, n, size uint64) bool {
	end := arrayEnd(start, n, d.DimIncrement.Val, size)
	if n < 2 || end <= limit && end != math.MaxUint64 {
		return true
	}
	inc := d.DimIncrement.Val
	if kind == "field" {
		every := "every " + strconv.FormatUint(inc, 10) + " bits"
		switch inc {
		case 0:
			every = "with dimIncrement 0 (counted as 1 bit apart)"
		case 1:
			every = "every bit"
		}
		rs.r.add(pos, CodeDimTooLarge, path, "field array of %d copies %s from bit %d reaches beyond bit %d: no register is that wide",
			n, every, start, limit)
		return false
	}
	every := "every " + strconv.FormatUint(inc, 10) + " bytes"
	if inc == 0 {
		every = "with dimIncrement 0 (counted as 1 byte apart)"
	}
	rs.r.add(pos, CodeDimTooLarge, path, "%s array of %d copies %s from address %#x reaches beyond the %s address space",
		kind, n, every, start, spaceName(limit))
	return false
}

func spaceName(limit uint64) string {
	if limit == 1<<32 {
		return "32-bit"
	}
	return "64-bit"
}

func satAdd64(a, b uint64) uint64 {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return math.MaxUint64
	}
	return s
}

func satMul64(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	var b [20]byte
	p := len(b)
	for i > 0 {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
	}
	return string(b[p:])
}

// parseDimIndex reads "0-3", "A-D" or "a,b,c".
func parseDimIndex(s string) ([]string, string) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, ",") {
		parts := strings.Split(s, ",")
		for i, p := range parts {
			p = strings.TrimSpace(p)
			if p == "" {
				return nil, "empty entry in list"
			}
			parts[i] = p
		}
		return parts, ""
	}
	if i := strings.IndexByte(s, '-'); i > 0 {
		a, b := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
		if x, ok := atoiSmall(a); ok {
			y, ok := atoiSmall(b)
			if !ok {
				return nil, "range bounds differ in kind"
			}
			if y < x {
				return nil, "range runs backwards"
			}
			if y-x >= maxDim {
				return nil, "range of more than 65536 entries (a longer array must be numbered from 0)"
			}
			out := make([]string, 0, y-x+1)
			for k := x; k <= y; k++ {
				out = append(out, itoa(k))
			}
			return out, ""
		}
		if len(a) == 1 && len(b) == 1 && isLetter(a[0]) && isLetter(b[0]) {
			if b[0] < a[0] || (a[0] <= 'Z') != (b[0] <= 'Z') {
				return nil, "letter range runs backwards or mixes cases"
			}
			out := make([]string, 0, b[0]-a[0]+1)
			for c := a[0]; c <= b[0]; c++ {
				out = append(out, string(rune(c)))
			}
			return out, ""
		}
		return nil, "not a range of numbers or letters"
	}
	if s == "" {
		return nil, "empty"
	}
	return []string{s}, ""
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func atoiSmall(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// Peripheral resolution states (Peripheral.rstate).
const (
	pUntouched = iota
	pDeriving  // its own derivedFrom is being applied
	pDerived   // its registers are in place and may be searched
	pResolving // derivedFrom inside it is being applied
	pDone
)

// resolvePeripheral applies the peripheral's derivedFrom and then every derivedFrom inside it.
func (rs *resolver) resolvePeripheral(p *Peripheral) bool {
	if !rs.derivePeripheral(p) {
		return false
	}
	switch p.rstate {
	case pResolving:
		return false
	case pDone:
		return true
	}
	p.rstate = pResolving
	rs.resolveNodes(scope{periph: p}, p.Registers)
	p.rstate = pDone
	return true
}

// derivePeripheral applies p's own derivedFrom: after it, p's registers are in place and
// may be searched. It returns false if p is in the middle of being derived (a cycle).
func (rs *resolver) derivePeripheral(p *Peripheral) bool {
	switch p.rstate {
	case pDeriving:
		return false
	case pUntouched:
	default:
		return true
	}
	if p.DerivedFrom == "" {
		p.rstate = pDerived
		return true
	}
	p.rstate = pDeriving
	defer func() { p.rstate = pDerived }()
	path := "peripheral " + pathName(p.Name)
	src := rs.byName[p.DerivedFrom]
	if src == nil {
		rs.r.add(p.Pos, CodeNotFound, path, "derivedFrom %q: no peripheral of that name", p.DerivedFrom)
		return true
	}
	if src == p {
		rs.r.add(p.Pos, CodeCycle, path, "peripheral derives from itself")
		return true
	}
	rs.chain = append(rs.chain, p.Name)
	// The source must be complete (its own inner derivations applied) before it is copied.
	ok := rs.resolvePeripheral(src)
	if !ok {
		rs.r.add(p.Pos, CodeCycle, path, "derivedFrom cycle: %s", rs.cycleText(src.Name))
	}
	rs.chain = rs.chain[:len(rs.chain)-1]
	if !ok {
		return true
	}
	if p.Version == "" {
		p.Version = src.Version
	}
	if p.Description == "" {
		p.Description = src.Description
	}
	if p.GroupName == "" {
		p.GroupName = src.GroupName
	}
	if p.PrependToName == "" {
		p.PrependToName = src.PrependToName
	}
	if p.AppendToName == "" {
		p.AppendToName = src.AppendToName
	}
	if p.HeaderStructName == "" {
		p.HeaderStructName = src.HeaderStructName
	}
	if p.DisableCondition == "" {
		p.DisableCondition = src.DisableCondition
	}
	inheritProps(&p.Props, &src.Props)
	if len(p.AddressBlocks) == 0 {
		p.AddressBlocks = append([]AddressBlock(nil), src.AddressBlocks...)
	}
	if !p.HasRegisters && rs.charge(p.Pos, path, uint64(countNodes(src.Registers))) {
		p.Registers = copyNodes(src.Registers)
		p.Derived = src
		if src.Derived != nil {
			p.Derived = src.Derived
		}
	}
	return true
}

// cycleText renders the chain from name back to where it started.
func (rs *resolver) cycleText(name string) string {
	for i, n := range rs.chain {
		if n == name {
			return strings.Join(append(append([]string(nil), rs.chain[i:]...), name), " → ")
		}
	}
	return name
}

// inheritProps fills the members of p that are not set from q.
func inheritProps(p, q *RegisterProperties) {
	if !p.Size.Set {
		p.Size = q.Size
	}
	if !p.Access.Set {
		p.Access = q.Access
	}
	if !p.Protection.Set {
		p.Protection = q.Protection
	}
	if !p.ResetValue.Set {
		p.ResetValue = q.ResetValue
	}
	if !p.ResetMask.Set {
		p.ResetMask = q.ResetMask
	}
}

// resolveNodes applies derivedFrom to every register and cluster in list and below.
func (rs *resolver) resolveNodes(sc scope, list []RegisterNode) {
	for _, n := range list {
		rs.resolveNode(sc, n)
	}
}

func (rs *resolver) resolveNode(sc scope, n RegisterNode) {
	e := n.Elem()
	if e.rstate == 1 {
		return
	}
	if e.rstate == 2 {
		return
	}
	e.rstate = 1
	if e.DerivedFrom != "" {
		rs.deriveNode(sc, n)
	}
	switch n := n.(type) {
	case *Cluster:
		rs.resolveNodes(sc.withCluster(n), n.Children)
	case *Register:
		rsc := sc
		rsc.reg = n
		for _, f := range n.Fields {
			rs.resolveField(rsc, f)
		}
	}
	e.rstate = 2
}

// nameMatches reports whether an element called name (maybe with %s) is what ref names: the
// same text, or one copy of the array ("CH2" for "CH%s" with index 2).
func nameMatches(name string, d *Dim, ref string) bool {
	if name == ref {
		return true
	}
	if !strings.Contains(name, "%s") || !d.Dim.Set {
		return false
	}
	// Compare without the placeholder first: the common case is a plain miss.
	i := strings.Index(name, "%s")
	pre, post := name[:i], name[i+2:]
	if strings.HasSuffix(pre, "[") && strings.HasPrefix(post, "]") {
		if ref == pre[:len(pre)-1]+post[1:] { // "CH[%s]" is referred to as "CH"
			return true
		}
	}
	if !strings.HasPrefix(ref, strings.TrimSuffix(pre, "[")) {
		return false
	}
	idx := d.Indices
	if idx == nil {
		switch {
		case d.DimIndex != "" && !countingRange(d.DimIndex, d.Dim.Val):
			idx, _ = parseDimIndex(d.DimIndex)
		case d.Dim.Val <= maxDim:
			for k := 0; k < int(d.Dim.Val); k++ {
				idx = append(idx, itoa(k))
			}
		default:
			// A large array numbered from 0: read the number instead of listing them all.
			return countedCopy(name, ref, d.Dim.Val)
		}
	}
	for _, x := range idx {
		if substitute(name, x, true) == ref || strings.ReplaceAll(name, "%s", x) == ref {
			return true
		}
	}
	return false
}

// countedCopy reports whether ref names copy k < n of the array called name, its index
// written in decimal without leading zeros ("MEM12" or "MEM[12]" for "MEM[%s]").
func countedCopy(name, ref string, n uint32) bool {
	if strings.Count(name, "%s") != 1 {
		return false
	}
	try := func(pre, post string) bool {
		if len(ref) <= len(pre)+len(post) || !strings.HasPrefix(ref, pre) || !strings.HasSuffix(ref, post) {
			return false
		}
		num := ref[len(pre) : len(ref)-len(post)]
		if len(num) > 1 && num[0] == '0' {
			return false
		}
		k, err := strconv.ParseUint(num, 10, 32)
		return err == nil && k < uint64(n)
	}
	i := strings.Index(name, "%s")
	pre, post := name[:i], name[i+2:]
	if strings.HasSuffix(pre, "[") && strings.HasPrefix(post, "]") && try(pre[:len(pre)-1], post[1:]) {
		return true
	}
	return try(pre, post)
}

// findChild finds a register or cluster called name in list.
func findChild(list []RegisterNode, name string) RegisterNode {
	for _, c := range list {
		e := c.Elem()
		if nameMatches(e.Name, &e.Dim, name) {
			return c
		}
	}
	return nil
}

// descend follows path from a container's children. It returns the node and the clusters
// passed on the way.
func descend(list []RegisterNode, path []string) (RegisterNode, []*Cluster) {
	var passed []*Cluster
	for i, name := range path {
		n := findChild(list, name)
		if n == nil {
			return nil, nil
		}
		if i == len(path)-1 {
			return n, passed
		}
		c, ok := n.(*Cluster)
		if !ok {
			return nil, nil
		}
		passed = append(passed, c)
		list = c.Children
	}
	return nil, nil
}

// lookupNode finds the register or cluster a derivedFrom path names, seen from sc: first
// relative to the innermost enclosing cluster, then each outer one, then the peripheral,
// then as an absolute path starting with a peripheral name.
func (rs *resolver) lookupNode(sc scope, ref string) (RegisterNode, scope, bool) {
	parts := strings.Split(ref, ".")
	for k := len(sc.clusters); k >= 0; k-- {
		var list []RegisterNode
		if k == 0 {
			list = sc.periph.Registers
		} else {
			list = sc.clusters[k-1].Children
		}
		if n, passed := descend(list, parts); n != nil {
			ts := scope{periph: sc.periph, clusters: append(append([]*Cluster(nil), sc.clusters[:k]...), passed...)}
			return n, ts, true
		}
	}
	if len(parts) > 1 {
		if p := rs.byName[parts[0]]; p != nil {
			if p != sc.periph && !rs.derivePeripheral(p) {
				return nil, scope{}, false
			}
			if n, passed := descend(p.Registers, parts[1:]); n != nil {
				return n, scope{periph: p, clusters: passed}, true
			}
		}
	}
	return nil, scope{}, false
}

func (rs *resolver) deriveNode(sc scope, n RegisterNode) {
	e := n.Elem()
	path := nodePath(sc, n)
	t, tsc, ok := rs.lookupNode(sc, e.DerivedFrom)
	if !ok {
		rs.r.add(e.Pos, CodeNotFound, path, "derivedFrom %q not found", e.DerivedFrom)
		return
	}
	if t == n {
		rs.r.add(e.Pos, CodeCycle, path, "%s derives from itself", kindOf(n))
		return
	}
	te := t.Elem()
	if te.rstate == 1 {
		rs.r.add(e.Pos, CodeCycle, path, "derivedFrom cycle through %q", e.DerivedFrom)
		return
	}
	switch n := n.(type) {
	case *Register:
		src, ok := t.(*Register)
		if !ok {
			rs.r.add(e.Pos, CodeWrongKind, path, "derivedFrom %q names a cluster, not a register", e.DerivedFrom)
			return
		}
		rs.resolveNode(tsc, src)
		rs.deriveRegister(n, src, path)
	case *Cluster:
		src, ok := t.(*Cluster)
		if !ok {
			rs.r.add(e.Pos, CodeWrongKind, path, "derivedFrom %q names a register, not a cluster", e.DerivedFrom)
			return
		}
		rs.resolveNode(tsc, src)
		rs.deriveCluster(n, src, path)
	}
}

func kindOf(n RegisterNode) string {
	if _, ok := n.(*Cluster); ok {
		return "cluster"
	}
	return "register"
}

func deriveElement(e, s *Element) {
	if e.Description == "" {
		e.Description = s.Description
	}
	if !e.offsetSet && s.offsetSet {
		e.AddressOffset, e.offsetSet = s.AddressOffset, true
	}
	inheritProps(&e.Props, &s.Props)
}

func (rs *resolver) deriveRegister(r, s *Register, path string) {
	deriveElement(&r.Element, &s.Element)
	if r.DisplayName == "" && !strings.Contains(s.DisplayName, "%s") {
		r.DisplayName = s.DisplayName
	}
	if r.DataType == "" {
		r.DataType = s.DataType
	}
	if r.ModifiedWriteValues == MWVUnspecified {
		r.ModifiedWriteValues = s.ModifiedWriteValues
	}
	if r.WriteConstraint == nil {
		r.WriteConstraint = copyWC(s.WriteConstraint)
	}
	if r.ReadAction == ReadActionNone {
		r.ReadAction = s.ReadAction
	}
	if !r.HasFields && s.HasFields && rs.charge(r.Pos, path, uint64(countFields(s.Fields))) {
		r.HasFields = true
		r.Fields = make([]*Field, len(s.Fields))
		for i, f := range s.Fields {
			r.Fields[i] = copyField(f)
		}
	}
}

func (rs *resolver) deriveCluster(c, s *Cluster, path string) {
	deriveElement(&c.Element, &s.Element)
	if c.HeaderStructName == "" {
		c.HeaderStructName = s.HeaderStructName
	}
	if len(c.Children) == 0 && rs.charge(c.Pos, path, uint64(countNodes(s.Children))) {
		c.Children = copyNodes(s.Children)
	}
}

// resolveField applies a field's derivedFrom and then its enumerations'.
func (rs *resolver) resolveField(sc scope, f *Field) {
	if f.rstate != 0 {
		return
	}
	f.rstate = 1
	if f.DerivedFrom != "" {
		rs.deriveField(sc, f)
	}
	fsc := sc
	fsc.field = f
	for _, e := range f.EnumeratedValues {
		rs.resolveEnums(fsc, e)
	}
	f.rstate = 2
}

func findField(r *Register, name string) *Field {
	for _, f := range r.Fields {
		if nameMatches(f.Name, &f.Dim, name) {
			return f
		}
	}
	return nil
}

// lookupField finds the field a path names: "F" in the same register, "R.F" or a longer path
// through clusters and peripherals.
func (rs *resolver) lookupField(sc scope, parts []string) (*Field, scope, bool) {
	if len(parts) == 1 {
		if f := findField(sc.reg, parts[0]); f != nil {
			return f, sc, true
		}
		return nil, scope{}, false
	}
	n, tsc, ok := rs.lookupNode(sc, strings.Join(parts[:len(parts)-1], "."))
	if !ok {
		return nil, scope{}, false
	}
	r, isReg := n.(*Register)
	if !isReg {
		return nil, scope{}, false
	}
	rs.resolveNode(tsc, r) // the register's own derivedFrom may bring its fields
	f := findField(r, parts[len(parts)-1])
	if f == nil {
		return nil, scope{}, false
	}
	tsc.reg = r
	return f, tsc, true
}

func (rs *resolver) deriveField(sc scope, f *Field) {
	path := sc.path() + " / field " + pathName(f.Name)
	t, tsc, ok := rs.lookupField(sc, strings.Split(f.DerivedFrom, "."))
	if !ok {
		rs.r.add(f.Pos, CodeNotFound, path, "derivedFrom %q not found", f.DerivedFrom)
		return
	}
	if t == f {
		rs.r.add(f.Pos, CodeCycle, path, "field derives from itself")
		return
	}
	if t.rstate == 1 {
		rs.r.add(f.Pos, CodeCycle, path, "derivedFrom cycle through %q", f.DerivedFrom)
		return
	}
	rs.resolveField(tsc, t)
	if f.Description == "" {
		f.Description = t.Description
	}
	if !f.rangeSet && t.rangeSet {
		if !f.offSet {
			f.BitOffset = t.BitOffset
		}
		if !f.widthSet {
			f.BitWidth = t.BitWidth
		}
		f.rangeSet = true
	}
	if !f.Access.Set {
		f.Access = t.Access
	}
	if f.ModifiedWriteValues == MWVUnspecified {
		f.ModifiedWriteValues = t.ModifiedWriteValues
	}
	if f.WriteConstraint == nil {
		f.WriteConstraint = copyWC(t.WriteConstraint)
	}
	if f.ReadAction == ReadActionNone {
		f.ReadAction = t.ReadAction
	}
	if len(f.EnumeratedValues) == 0 {
		for _, e := range t.EnumeratedValues {
			f.EnumeratedValues = append(f.EnumeratedValues, copyEnums(e))
		}
	}
}

func (rs *resolver) resolveEnums(sc scope, e *EnumeratedValues) {
	if e.rstate != 0 {
		return
	}
	e.rstate = 1
	defer func() { e.rstate = 2 }()
	if e.DerivedFrom == "" {
		return
	}
	path := sc.path() + " / " + enumPath(e)
	t, tsc, ok := rs.lookupEnums(sc, e.DerivedFrom)
	if !ok {
		rs.r.add(e.Pos, CodeNotFound, path, "derivedFrom %q not found", e.DerivedFrom)
		return
	}
	if t == e {
		rs.r.add(e.Pos, CodeCycle, path, "enumeratedValues derives from itself")
		return
	}
	if t.rstate == 1 {
		rs.r.add(e.Pos, CodeCycle, path, "derivedFrom cycle through %q", e.DerivedFrom)
		return
	}
	rs.resolveEnums(tsc, t)
	if e.Name == "" {
		e.Name = t.Name
	}
	if e.HeaderEnumName == "" {
		e.HeaderEnumName = t.HeaderEnumName
	}
	if e.Usage == UsageUnspecified {
		e.Usage = t.Usage
	}
	if len(e.Values) == 0 {
		e.Values = copyValues(t.Values)
	}
}

// countFields counts fields and their enumerated values.
func countFields(fs []*Field) int {
	n := 0
	for _, f := range fs {
		n++
		for _, e := range f.EnumeratedValues {
			n += 1 + len(e.Values)
		}
	}
	return n
}

func findEnums(f *Field, name string) *EnumeratedValues {
	for _, e := range f.EnumeratedValues {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// lookupEnums finds the enumeratedValues a path names. A bare name is searched in widening
// circles: the field, its register, the enclosing clusters, the peripheral, then the device,
// nearest first, so that the common vendor habit of naming an enumeration defined in a
// neighbouring field or register works. A dotted path is FIELD.ENUM, REG.FIELD.ENUM or longer.
func (rs *resolver) lookupEnums(sc scope, ref string) (*EnumeratedValues, scope, bool) {
	parts := strings.Split(ref, ".")
	if len(parts) > 1 {
		f, fsc, ok := rs.lookupField(sc, parts[:len(parts)-1])
		if !ok {
			return nil, scope{}, false
		}
		e := findEnums(f, parts[len(parts)-1])
		if e == nil {
			return nil, scope{}, false
		}
		fsc.field = f
		return e, fsc, true
	}
	name := parts[0]
	if e := findEnums(sc.field, name); e != nil {
		return e, sc, true
	}
	if e, fsc, ok := searchRegister(sc, sc.reg, name); ok {
		return e, fsc, true
	}
	for k := len(sc.clusters); k >= 0; k-- {
		s := scope{periph: sc.periph, clusters: sc.clusters[:k]}
		var list []RegisterNode
		if k == 0 {
			list = sc.periph.Registers
		} else {
			list = sc.clusters[k-1].Children
		}
		if e, esc, ok := searchNodes(s, list, name); ok {
			return e, esc, true
		}
	}
	for _, p := range rs.dev.Peripherals {
		if p == sc.periph || p.rstate < 2 {
			continue
		}
		if e, esc, ok := searchNodes(scope{periph: p}, p.Registers, name); ok {
			return e, esc, true
		}
	}
	return nil, scope{}, false
}

func searchRegister(sc scope, r *Register, name string) (*EnumeratedValues, scope, bool) {
	for _, f := range r.Fields {
		if e := findEnums(f, name); e != nil {
			s := sc
			s.reg, s.field = r, f
			return e, s, true
		}
	}
	return nil, scope{}, false
}

func searchNodes(sc scope, list []RegisterNode, name string) (*EnumeratedValues, scope, bool) {
	for _, n := range list {
		switch n := n.(type) {
		case *Register:
			if e, s, ok := searchRegister(sc, n, name); ok {
				return e, s, true
			}
		case *Cluster:
			if e, s, ok := searchNodes(sc.withCluster(n), n.Children, name); ok {
				return e, s, true
			}
		}
	}
	return nil, scope{}, false
}
