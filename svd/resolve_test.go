package svd

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// TestResolveFeatures checks the resolved tree the package documentation promises.
func TestResolveFeatures(t *testing.T) {
	parsed, d, diags := loadFixture(t, "features.svd")
	if len(diags) != 0 {
		t.Fatalf("features.svd should be clean, got:\n%s", diagText(diags))
	}
	// The input is untouched.
	if len(parsed.Peripherals) != 3 || parsed.Peripherals[1].Registers != nil || len(parsed.Peripherals[0].Registers[0].(*Register).Fields) != 4 {
		t.Fatal("Resolve modified its input")
	}
	// Peripheral array expanded in place, in document order.
	var names []string
	for _, p := range d.Peripherals {
		names = append(names, p.Name)
	}
	if !reflect.DeepEqual(names, []string{"TIMER0", "TIMER1", "UART0", "UART1"}) {
		t.Fatalf("peripherals: %v", names)
	}
	t0, t1 := findPeriph(t, d, "TIMER0"), findPeriph(t, d, "TIMER1")
	u0, u1 := findPeriph(t, d, "UART0"), findPeriph(t, d, "UART1")

	// derivedFrom on a peripheral: registers copied, Derived set, own members kept.
	eq(t, "TIMER1.Derived", t1.Derived, t0)
	eq(t, "TIMER0.Derived", t0.Derived, (*Peripheral)(nil))
	eq(t, "TIMER1 base", t1.BaseAddress, 0x40001000)
	eq(t, "TIMER1 groupName inherited", t1.GroupName, "TIMER")
	eq(t, "TIMER1 description inherited", t1.Description, "Timer %s")
	eq(t, "TIMER1 interrupts are its own", len(t1.Interrupts), 1)
	eq(t, "TIMER1 interrupt", t1.Interrupts[0].Name, "TIMER1")
	eq(t, "TIMER1 addressBlocks inherited", len(t1.AddressBlocks), 1)
	eq(t, "TIMER1 registers", len(t1.Registers), 3)
	if t1.Registers[0] == t0.Registers[0] {
		t.Error("derived peripheral shares register nodes with its source; it must own a copy")
	}

	// Peripheral array copies: names, addresses, descriptions, Derived to the first copy.
	eq(t, "UART1 base", u1.BaseAddress, 0x40002100)
	eq(t, "UART0 description", u0.Description, "UART 0")
	eq(t, "UART1.Derived", u1.Derived, u0)
	eq(t, "UART0.Derived", u0.Derived, (*Peripheral)(nil))
	eq(t, "UART dim cleared", u1.Dim.Dim.Set, false)

	// Property inheritance: device size 32, peripheral size 16 and reset 0xFF.
	ctrl := findReg(t, t0.Registers, "CTRL")
	stat := findReg(t, t0.Registers, "STAT")
	eq(t, "CTRL size (own)", ctrl.Props.Size, Some(uint32(32)))
	eq(t, "CTRL reset (own)", ctrl.Props.ResetValue, Some(uint64(0x10)))
	eq(t, "CTRL mask (own)", ctrl.Props.ResetMask, Some(uint64(0xFFFF)))
	eq(t, "STAT size (peripheral)", stat.Props.Size, Some(uint32(16)))
	eq(t, "STAT reset (peripheral)", stat.Props.ResetValue, Some(uint64(0xFF)))
	eq(t, "STAT mask (device, cut to 16 bits)", stat.Props.ResetMask, Some(uint64(0xFFFF)))
	eq(t, "STAT access (own)", stat.Props.Access, Some(ReadOnly))
	eq(t, "STAT protection (device)", stat.Props.Protection, Some(Secure))

	// Field array expanded, bit range spellings unified, access inherited.
	var fnames []string
	for _, f := range ctrl.Fields {
		fnames = append(fnames, f.Name)
	}
	if !reflect.DeepEqual(fnames, []string{"EN", "MODE", "PRE", "CHA", "CHB"}) {
		t.Fatalf("fields: %v", fnames)
	}
	cha, chb := fieldOf(t, ctrl, "CHA"), fieldOf(t, ctrl, "CHB")
	eq(t, "CHA offset", cha.BitOffset, 8)
	eq(t, "CHB offset", chb.BitOffset, 10)
	eq(t, "CHB width", chb.BitWidth, 2)
	eq(t, "CHB description", chb.Description, "Channel B")
	eq(t, "CHB access (register)", chb.Access, Some(ReadWrite))
	eq(t, "CHB dim cleared", chb.Dim.Dim.Set, false)
	eq(t, "PRE access (own)", fieldOf(t, ctrl, "PRE").Access, Some(ReadOnly))

	// Enumerated values masked to the field; don't-care bits kept as a mask.
	mode := fieldOf(t, ctrl, "MODE")
	odd := mode.EnumeratedValues[0].Values[1]
	eq(t, "ODD value", odd.Value, 1)
	eq(t, "ODD mask", odd.Mask, 0b001)
	eq(t, "OFF mask", mode.EnumeratedValues[0].Values[0].Mask, 0b111)

	// Register and cluster arrays kept, with indices; children inherit cluster properties.
	ch := findNode(t, t0.Registers, "CH[%s]").(*Cluster)
	eq(t, "cluster dim", ch.Dim.Dim, Some(uint32(4)))
	if !reflect.DeepEqual(ch.Dim.Indices, []string{"0", "1", "2", "3"}) {
		t.Errorf("cluster indices: %v", ch.Dim.Indices)
	}
	cnt := findReg(t, ch.Children, "CNT")
	eq(t, "CNT access (cluster)", cnt.Props.Access, Some(ReadOnly))
	eq(t, "CNT size (peripheral)", cnt.Props.Size, Some(uint32(16)))
	sub := findNode(t, ch.Children, "SUB").(*Cluster)
	cc := findReg(t, sub.Children, "CC%s")
	if !reflect.DeepEqual(cc.Dim.Indices, []string{"0", "1"}) {
		t.Errorf("register indices: %v", cc.Dim.Indices)
	}
	eq(t, "CC access (outer cluster)", cc.Props.Access, Some(ReadOnly))
	want := []Instance{{"CH0", "0", 0x100}, {"CH1", "1", 0x110}, {"CH2", "2", 0x120}, {"CH3", "3", 0x130}}
	if got := Instances(ch); !reflect.DeepEqual(got, want) {
		t.Errorf("Instances(CH) = %v, want %v", got, want)
	}
	if got := Instances(cc); !reflect.DeepEqual(got, []Instance{{"CC0", "0", 0}, {"CC1", "1", 4}}) {
		t.Errorf("Instances(CC) = %v", got)
	}
	if got := Instances(cnt); !reflect.DeepEqual(got, []Instance{{"CNT", "", 0}}) {
		t.Errorf("Instances(CNT) = %v", got)
	}

	// Register derivedFrom: members copied, own offset kept.
	data2 := findReg(t, u1.Registers, "DATA2")
	eq(t, "DATA2 size", data2.Props.Size, Some(uint32(8)))
	eq(t, "DATA2 access", data2.Props.Access, Some(WriteOnce))
	eq(t, "DATA2 offset", data2.AddressOffset, 1)
	eq(t, "DATA2 reset mask of its size", data2.Props.ResetMask, Some(uint64(0xFF)))

	s := d.Count()
	// TIMER0 and TIMER1: CTRL, STAT, 4×(CNT + 2 CC) = 14 each; UART0/1: 2 each.
	eq(t, "stats", s, Stats{Peripherals: 4, Registers: 32, Fields: 10, Enums: 4, Interrupts: 2})
}

// TestDerive follows derivedFrom at every level, with every kind of path.
func TestDerive(t *testing.T) {
	_, d, diags := loadFixture(t, "derive.svd")
	if len(diags) != 0 {
		t.Fatalf("derive.svd should be clean, got:\n%s", diagText(diags))
	}
	a, b, c, dd := findPeriph(t, d, "A"), findPeriph(t, d, "B"), findPeriph(t, d, "C"), findPeriph(t, d, "D")
	// Chains: C → B → A, and C was written before both.
	eq(t, "B.Derived", b.Derived, a)
	eq(t, "C.Derived (first owner)", c.Derived, a)
	eq(t, "C description via B", c.Description, "B's own")
	eq(t, "C groupName via B from A", c.GroupName, "GA")
	eq(t, "C registers", len(c.Registers), len(a.Registers))

	cfg2 := findReg(t, a.Registers, "CFG2")
	eq(t, "CFG2 description", cfg2.Description, "Config")
	eq(t, "CFG2 access", cfg2.Props.Access, Some(ReadOnly))
	eq(t, "CFG2 reset", cfg2.Props.ResetValue, Some(uint64(5)))
	eq(t, "CFG2 offset (own)", cfg2.AddressOffset, 4)
	eq(t, "CFG2 fields", len(cfg2.Fields), 3)

	cfg := findReg(t, a.Registers, "CFG")
	sel2 := fieldOf(t, cfg, "SEL2")
	eq(t, "SEL2 offset (own)", sel2.BitOffset, 2)
	eq(t, "SEL2 width (SEL)", sel2.BitWidth, 2)
	eq(t, "SEL2 enums (SEL)", len(sel2.EnumeratedValues), 1)
	sel3 := fieldOf(t, cfg, "SEL3")
	eq(t, "SEL3 enum values (bare name, sibling field)", len(sel3.EnumeratedValues[0].Values), 2)
	eq(t, "SEL3 enum name copied", sel3.EnumeratedValues[0].Name, "SelE")

	// A copy of an array element: "CH2" names one copy of CH%s; the copy takes its members
	// but not its dim.
	chx := findReg(t, a.Registers, "CHX")
	eq(t, "CHX reset", chx.Props.ResetValue, Some(uint64(7)))
	eq(t, "CHX not an array", chx.Dim.Dim.Set, false)

	blk := findNode(t, a.Registers, "BLK").(*Cluster)
	inner := findReg(t, blk.Children, "INNER")
	eq(t, "INNER from enclosing scope", inner.Props.Access, Some(ReadOnly))
	own := findReg(t, blk.Children, "OWN")
	f := fieldOf(t, own, "F")
	eq(t, "F offset (own)", f.BitOffset, 8)
	eq(t, "F width via REG.FIELD", f.BitWidth, 2)
	g := fieldOf(t, own, "G")
	eq(t, "G enums via REG.FIELD.ENUM", len(g.EnumeratedValues[0].Values), 2)

	blk2 := findNode(t, a.Registers, "BLK2").(*Cluster)
	eq(t, "BLK2 children", len(blk2.Children), 2)
	eq(t, "BLK2 offset (own)", blk2.AddressOffset, 0x80)
	if blk2.Children[0] == blk.Children[0] {
		t.Error("derived cluster shares nodes with its source")
	}

	r := findReg(t, dd.Registers, "R")
	eq(t, "D.R via absolute path", len(r.Fields), 2)
	s := findReg(t, dd.Registers, "S")
	e := fieldOf(t, s, "E").EnumeratedValues[0]
	eq(t, "E enums via PERIPH.REG.FIELD.ENUM", len(e.Values), 2)
	eq(t, "E usage is its own", e.Usage, UsageRead)

	ep := findPeriph(t, d, "E")
	eq(t, "E.Derived (own registers)", ep.Derived, (*Peripheral)(nil))
	eq(t, "E registers are its own", len(ep.Registers), 1)
	eq(t, "E groupName still inherited", ep.GroupName, "GA")
	m := fieldOf(t, findReg(t, ep.Registers, "ONLY"), "M")
	eq(t, "M enums found device-wide", len(m.EnumeratedValues[0].Values), 2)
}

// TestDefaultSize: without size or width registers are 32 bits; with only a width, that.
func TestDefaultSize(t *testing.T) {
	for _, tt := range []struct {
		head string
		size uint32
		warn bool
	}{
		{"", 32, true},
		{"<width>16</width>", 16, true},
		{"<width>32</width><size>8</size>", 8, false},
	} {
		src := "<device><name>T</name>" + tt.head + "<peripherals><peripheral><name>P</name><baseAddress>0</baseAddress>" +
			"<registers><register><name>R</name><addressOffset>0</addressOffset></register></registers></peripheral></peripherals></device>"
		d, _ := Parse("s.svd", []byte(src))
		r, diags := Resolve(d, Options{})
		reg := findReg(t, r.Peripherals[0].Registers, "R")
		eq(t, tt.head+" size", reg.Props.Size.Val, tt.size)
		eq(t, tt.head+" mask", reg.Props.ResetMask.Val, ones(tt.size))
		eq(t, tt.head+" access", reg.Props.Access, Some(ReadWrite))
		eq(t, tt.head+" W301", len(diags) == 1 && diags[0].Code == CodeNoSize, tt.warn)
	}
}

// TestNestedArraysSaturate: arrays nested five deep stand for 2^80 registers; counting them
// saturates instead of wrapping, and validation lays out a bounded number of them.
func TestNestedArraysSaturate(t *testing.T) {
	s := `<device><name>T</name><size>32</size><peripherals><peripheral><name>P</name><baseAddress>0</baseAddress><registers>` +
		strings.Repeat(`<cluster><dim>65536</dim><dimIncrement>4</dimIncrement><name>C%s</name><addressOffset>0</addressOffset>`, 4) +
		`<register><dim>65536</dim><dimIncrement>4</dimIncrement><name>R%s</name><addressOffset>0</addressOffset></register>` +
		strings.Repeat(`</cluster>`, 4) + `</registers></peripheral></peripherals></device>`
	d, diags := Parse("n.svd", []byte(s))
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	r, _ := Resolve(d, Options{})
	eq(t, "registers", r.Count().Registers, math.MaxInt)
}
