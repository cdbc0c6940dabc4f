package codegen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
	"strconv"
	"strings"

	"github.com/gohal/gohal/svd"
)

// The intermediate representation: a resolved svd.Device turned into Go-shaped things with
// their final names, offsets and masks. Every decision (names, layout, masks, sharing) is
// made here, so the emitters only print.

// Chip is one device: the chip package and the peripheral packages it imports.
type Chip struct {
	Pkg        string // chip package name
	SVDName    string
	Doc        string
	Facts      []Fact
	Types      []*PeriphType // one package each, in document order of their first instance
	Instances  []*Instance   // in document order
	Interrupts []*Interrupt  // sorted by number, then name
	Warnings   []string      // things the generator had to work around, with positions
}

// Fact is a device or CPU property emitted as a constant.
type Fact struct {
	Name, Type, Value, Doc string
}

// Instance is one peripheral at its base address.
type Instance struct {
	Name     string // Go identifier of the instance variable
	BaseName string // Go identifier of the base-address constant
	SVDName  string
	Doc      string
	Base     uint64
	Type     *PeriphType // nil when the peripheral has no registers
	Group    string
}

// Interrupt is one interrupt line of the device.
type Interrupt struct {
	Name    string // Go constant name
	SVDName string
	Doc     string
	Value   int64
	Periphs []string // SVD names of the peripherals that raise it
}

// PeriphType is one peripheral package: a register block type shared by every instance with
// the same register map.
type PeriphType struct {
	Pkg       string // package name and directory
	Block     *Struct
	Structs   []*Struct // clusters, in the order they were first met
	Regs      []*Reg    // in the order they were first met
	Enums     []*Enum
	Doc       string
	Instances []string // SVD names
	ResetsVar string   // name of its host-only reset table in the chip package
	key       string
}

// Struct is a register block or a cluster: a Go struct whose fields sit at the SVD offsets.
type Struct struct {
	Name      string
	SVDName   string
	Doc       string
	Size      uint64 // bytes, including trailing padding
	Align     uint64
	Members   []*Member // every register and cluster, sorted by offset
	Fields    []Slot    // the members placed as struct fields, with padding between them
	Accessors []*Member // members that overlap a field or cannot be a field: methods instead
}

// Slot is one struct field: a member, or padding when Member is nil.
type Slot struct {
	Member *Member
	Pad    uint64
}

// Member is a register or cluster (possibly an array) inside a Struct.
type Member struct {
	Name    string
	SVDName string
	Doc     string
	Offset  uint64
	Count   int      // 0 for a single element, else the array length
	Stride  uint64   // bytes between array elements
	Indices []string // the SVD's dimIndex list; nil for 0 … Count-1
	Reg     *Reg
	Cluster *Struct
	order   int
	alt     bool
}

// ElemSize is the size in bytes of one element of the member's type.
func (m *Member) ElemSize() uint64 {
	if m.Reg != nil {
		return m.Reg.Bytes() + m.Reg.Pad
	}
	return m.Cluster.Size
}

func (m *Member) align() uint64 {
	if m.Reg != nil {
		return m.Reg.Bytes()
	}
	return m.Cluster.Align
}

// span is how many bytes a member occupies as a struct field.
func (m *Member) span() uint64 {
	if m.Count == 0 {
		return m.ElemSize()
	}
	return uint64(m.Count) * m.Stride
}

// Reg is one register type with its value type and reset constant.
type Reg struct {
	Name, Value, Reset string // Go identifiers
	SVDName            string
	Doc                string
	Bits               int    // 8, 16, 32 or 64: the cell width
	Pad                uint64 // trailing bytes when an array's stride is wider than the cell
	Access             svd.Access
	ResetValue         uint64
	ZeroMask, OneMask  uint64 // bits Modify forces to 0 / 1 so untouched W1C / W0C flags are no-ops
	ReadAction         svd.ReadAction
	Fields             []*Field
}

// Bytes is the register width in bytes.
func (r *Reg) Bytes() uint64 { return uint64(r.Bits / 8) }

// Readable reports whether the register has Read.
func (r *Reg) Readable() bool { return readable(r.Access) }

// Writable reports whether the register has Write.
func (r *Reg) Writable() bool { return writable(r.Access) }

// UInt is the Go unsigned type of the register's width.
func (r *Reg) UInt() string { return "uint" + strconv.Itoa(r.Bits) }

// Field is one bit field of a register value.
type Field struct {
	Getter, Setter string
	SVDName        string
	Doc            string
	Offset, Width  uint32
	Read, Write    bool
	ReadEnum       *Enum
	WriteEnum      *Enum
}

// Mask is the field's mask in the register, shifted into place.
func (f *Field) Mask() uint64 { return widthMask(f.Width) << f.Offset }

// Enum is a typed enumeration of a field's values.
type Enum struct {
	Name    string
	Doc     string
	Bits    int // the underlying uint width (the register's)
	Width   uint32
	Values  []*EnumValue
	Default *EnumValue
	key     string
}

// EnumValue is one named value. A pattern with don't-care bits has Mask narrower than the
// field; its constant has the don't-care bits clear.
type EnumValue struct {
	Const, Is string
	SVDName   string
	Doc       string
	Value     uint64
	Mask      uint64
	Pattern   bool
}

func widthMask(w uint32) uint64 {
	if w >= 64 {
		return ^uint64(0)
	}
	return 1<<w - 1
}

func readable(a svd.Access) bool {
	switch a {
	case svd.WriteOnly, svd.WriteOnce:
		return false
	}
	return true
}

func writable(a svd.Access) bool { return a != svd.ReadOnly }

func accessName(a svd.Access) string {
	switch a {
	case svd.ReadOnly:
		return "read-only"
	case svd.WriteOnly:
		return "write-only"
	case svd.WriteOnce:
		return "write-once"
	case svd.ReadWriteOnce:
		return "read-write-once"
	}
	return "read-write"
}

// Options control how a device is turned into packages.
type Options struct {
	Pkg string // chip package name; empty: from the device name
}

// Build turns a resolved device into the IR.
func Build(dev *svd.Device, opt Options) (*Chip, error) {
	b := &builder{dev: dev, chip: &Chip{SVDName: dev.Name}}
	return b.build(opt)
}

type builder struct {
	dev       *svd.Device
	chip      *Chip
	instScope *scope
}

func (b *builder) warnf(pos svd.Pos, format string, args ...any) {
	b.chip.Warnings = append(b.chip.Warnings, fmt.Sprintf("%s:%d:%d: %s", pos.File, pos.Line, pos.Col, fmt.Sprintf(format, args...)))
}

func (b *builder) build(opt Options) (*Chip, error) {
	c := b.chip
	c.Pkg = opt.Pkg
	if c.Pkg == "" {
		c.Pkg = packageName(strings.ReplaceAll(b.dev.Name, "-", ""))
	}
	c.Doc = docText(b.dev.Description)
	b.facts()

	// Group peripherals by register map: identical maps share one package, whether the SVD
	// said derivedFrom or not, and a derived peripheral whose registers differ (an overridden
	// reset value, say) gets its own.
	var types []*PeriphType
	byKey := map[string]*PeriphType{}
	typeOf := map[*svd.Peripheral]*PeriphType{}
	for _, p := range b.dev.Peripherals {
		regs := b.registersOf(p)
		if len(regs) == 0 {
			continue
		}
		k := nodesKey(regs)
		t := byKey[k]
		if t == nil {
			t = &PeriphType{key: k}
			byKey[k] = t
			types = append(types, t)
		}
		t.Instances = append(t.Instances, p.Name)
		typeOf[p] = t
	}
	// Package names: the instance stem ("UART0" → uart) when no other type wants it, else
	// the full name of the first instance.
	first := map[*PeriphType]*svd.Peripheral{}
	for _, p := range b.dev.Peripherals {
		if t := typeOf[p]; t != nil && first[t] == nil {
			first[t] = p
		}
	}
	stems := map[string]int{}
	for _, t := range types {
		stems[packageName(b.stemOf(first[t]))]++
	}
	pkgs := newScope(c.Pkg)
	for _, t := range types {
		p := first[t]
		name := packageName(b.stemOf(p))
		if stems[name] > 1 {
			name = packageName(p.Name)
		}
		t.Pkg = pkgs.claim(name)
		b.buildType(t, p)
	}
	c.Types = types

	b.instances(typeOf)
	b.interrupts()
	return c, nil
}

// stemOf picks the name a peripheral type is known by: the name of the peripheral its
// registers come from, without the instance number (UART1 derivedFrom UART0 → UART). The
// groupName is deliberately not used: vendors give one group to different register maps
// (TinyGo's PACs type peripherals by group and get them wrong).
func (b *builder) stemOf(p *svd.Peripheral) string {
	src := p
	for src.Derived != nil && src.Derived != src {
		src = src.Derived
	}
	return stem(src.Name)
}

func (b *builder) registersOf(p *svd.Peripheral) []svd.RegisterNode {
	if len(p.Registers) == 0 && p.Derived != nil {
		return p.Derived.Registers
	}
	return p.Registers
}

func (b *builder) facts() {
	d := b.dev
	c := b.chip
	str := func(name, val, doc string) {
		if val != "" {
			c.Facts = append(c.Facts, Fact{name, "", strconv.Quote(val), doc})
		}
	}
	num := func(name string, o svd.Opt[uint32], doc string) {
		if o.Set {
			c.Facts = append(c.Facts, Fact{name, "", strconv.FormatUint(uint64(o.Val), 10), doc})
		}
	}
	flag := func(name string, o svd.Opt[bool], doc string) {
		if o.Set {
			c.Facts = append(c.Facts, Fact{name, "", strconv.FormatBool(o.Val), doc})
		}
	}
	str("DeviceName", d.Name, "is the device name from the SVD.")
	str("Vendor", d.Vendor, "is the device vendor.")
	str("Series", d.Series, "is the device series.")
	str("DeviceVersion", d.Version, "is the version of the device description.")
	num("AddressUnitBits", d.AddressUnitBits, "is the number of bits in one address unit.")
	num("Width", d.Width, "is the bus width in bits.")
	if cpu := d.CPU; cpu != nil {
		str("CPUName", cpu.Name, "is the processor core.")
		str("CPURevision", cpu.Revision, "is the core revision.")
		endian := map[svd.Endian]string{svd.Little: "little", svd.Big: "big", svd.Selectable: "selectable", svd.OtherEndian: "other"}[cpu.Endian]
		str("Endian", endian, "is the byte order of the core.")
		flag("MPUPresent", cpu.MPUPresent, "reports whether the core has a memory protection unit.")
		flag("FPUPresent", cpu.FPUPresent, "reports whether the core has a floating-point unit.")
		flag("FPUDoublePrecision", cpu.FPUDP, "reports whether the FPU handles double precision.")
		flag("DSPPresent", cpu.DSPPresent, "reports whether the core has DSP extensions.")
		flag("ICachePresent", cpu.ICachePresent, "reports whether the core has an instruction cache.")
		flag("DCachePresent", cpu.DCachePresent, "reports whether the core has a data cache.")
		flag("VTORPresent", cpu.VTORPresent, "reports whether the core has a vector table offset register.")
		num("NVICPrioBits", cpu.NVICPrioBits, "is the number of interrupt priority bits.")
		flag("VendorSystickConfig", cpu.VendorSystickConfig, "reports whether the vendor supplies its own SysTick configuration.")
		num("DeviceNumInterrupts", cpu.DeviceNumInterrupts, "is the number of device interrupts the SVD declares.")
	}
}

func (b *builder) instances(typeOf map[*svd.Peripheral]*PeriphType) {
	s := newScope("Interrupt", "InterruptInfo", "Interrupts", "String")
	for _, f := range b.chip.Facts {
		s.used[f.Name] = true
	}
	for _, p := range b.dev.Peripherals {
		in := &Instance{SVDName: p.Name, Base: p.BaseAddress, Type: typeOf[p], Group: p.GroupName}
		names := s.claimSet(exported(p.Name), "%s", "%sBase")
		in.Name, in.BaseName = names[0], names[1]
		in.Doc = docText(p.Description)
		b.chip.Instances = append(b.chip.Instances, in)
	}
	b.instScope = s
}

func (b *builder) interrupts() {
	byName := map[string]*Interrupt{}
	var all []*Interrupt
	for _, p := range b.dev.Peripherals {
		for _, irq := range p.Interrupts {
			if prev := byName[irq.Name]; prev != nil {
				if prev.Value != irq.Value {
					b.warnf(irq.Pos, "interrupt %s = %d already declared as %d; kept the first", irq.Name, irq.Value, prev.Value)
					continue
				}
				prev.Periphs = append(prev.Periphs, p.Name)
				continue
			}
			it := &Interrupt{SVDName: irq.Name, Doc: docText(irq.Description), Value: irq.Value, Periphs: []string{p.Name}}
			byName[irq.Name] = it
			all = append(all, it)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Value < all[j].Value })
	for _, it := range all {
		it.Name = b.instScope.claim("IRQ_" + tail(it.SVDName))
	}
	b.chip.Interrupts = all
}

// ---- keys: what makes two register maps the same type ----

// nodesKey hashes everything about a register map that shows in generated code except
// descriptions: names, offsets, dims, sizes, access, resets, write semantics, fields, enums.
func nodesKey(nodes []svd.RegisterNode) string {
	h := sha256.New()
	for _, n := range nodes {
		keyNode(h, n)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func keyNode(h hash.Hash, n svd.RegisterNode) {
	var k keyBuf
	k.node(n)
	h.Write(k.b)
}

// keyBuf serialises the parts of a register map that shape generated code. It appends with
// strconv rather than fmt: the corpus run hashes every register several times.
type keyBuf struct{ b []byte }

func (k *keyBuf) s(v string) { k.b = append(append(k.b, v...), '|') }
func (k *keyBuf) u(v uint64) { k.b = append(strconv.AppendUint(k.b, v, 16), '|') }
func (k *keyBuf) t(v bool)   { k.b = append(strconv.AppendBool(k.b, v), '|') }

func (k *keyBuf) node(n svd.RegisterNode) {
	e := n.Elem()
	k.s(e.Name)
	k.u(e.AddressOffset)
	k.u(uint64(e.Dim.Dim.Val))
	k.u(e.Dim.DimIncrement.Val)
	for _, i := range e.Dim.Indices {
		k.s(i)
	}
	k.u(uint64(e.Props.Size.Val))
	k.u(uint64(e.Props.Access.Val))
	k.u(e.Props.ResetValue.Val)
	k.u(e.Props.ResetMask.Or(^uint64(0)))
	switch n := n.(type) {
	case *svd.Register:
		k.s("R" + n.AlternateRegister + "/" + n.AlternateGroup)
		k.u(uint64(n.ModifiedWriteValues))
		k.u(uint64(n.ReadAction))
		k.b = append(k.b, '{')
		for _, f := range n.Fields {
			k.s(f.Name)
			k.u(uint64(f.BitOffset))
			k.u(uint64(f.BitWidth))
			k.u(uint64(f.Access.Val))
			k.u(uint64(f.ModifiedWriteValues))
			k.u(uint64(f.ReadAction))
			for _, ev := range f.EnumeratedValues {
				k.b = append(k.b, '[')
				k.s(ev.Name)
				k.u(uint64(ev.Usage))
				for _, v := range ev.Values {
					k.s(v.Name)
					k.u(v.Value)
					k.u(v.Mask)
					k.t(v.HasValue)
					k.t(v.IsDefault)
				}
				k.b = append(k.b, ']')
			}
		}
		k.b = append(k.b, '}')
	case *svd.Cluster:
		k.s("C" + n.AlternateCluster)
		k.b = append(k.b, '{')
		for _, c := range n.Children {
			k.node(c)
		}
		k.b = append(k.b, '}')
	}
}
