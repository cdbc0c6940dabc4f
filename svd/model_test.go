package svd

import (
	"os"
	"strings"
	"testing"
)

// loadFixture parses and resolves a file under testdata, failing on any diagnostic unless
// allowDiags.
func loadFixture(t *testing.T, name string) (parsed, resolved *Device, diags Diagnostics) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	parsed, pd := Parse(name, data)
	if parsed == nil {
		t.Fatalf("no device: %v", pd)
	}
	resolved, rd := Resolve(parsed, Options{})
	return parsed, resolved, append(pd, rd...)
}

func findPeriph(t *testing.T, d *Device, name string) *Peripheral {
	t.Helper()
	for _, p := range d.Peripherals {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no peripheral %s", name)
	return nil
}

func findNode(t *testing.T, list []RegisterNode, name string) RegisterNode {
	t.Helper()
	for _, n := range list {
		if n.Elem().Name == name {
			return n
		}
	}
	t.Fatalf("no register or cluster %s", name)
	return nil
}

func findReg(t *testing.T, list []RegisterNode, name string) *Register {
	t.Helper()
	r, ok := findNode(t, list, name).(*Register)
	if !ok {
		t.Fatalf("%s is not a register", name)
	}
	return r
}

func fieldOf(t *testing.T, r *Register, name string) *Field {
	t.Helper()
	for _, f := range r.Fields {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no field %s in %s", name, r.Name)
	return nil
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// TestParseFeatures reads every element of the model from one fixture, as written.
func TestParseFeatures(t *testing.T) {
	d, _, diags := loadFixture(t, "features.svd")
	if len(diags) != 0 {
		t.Fatalf("features.svd should be clean, got:\n%s", diagText(diags))
	}
	eq(t, "schemaVersion", d.SchemaVersion, "1.3")
	eq(t, "vendor", d.Vendor, "Example & Co")
	eq(t, "vendorID", d.VendorID, "EXCO")
	eq(t, "name", d.Name, "FEAT1")
	eq(t, "series", d.Series, "FEAT")
	eq(t, "version", d.Version, "1.2")
	eq(t, "description", d.Description, "Feature device <test>")
	eq(t, "licenseText", d.LicenseText, "Free <for> tests")
	eq(t, "headerSystemFilename", d.HeaderSystemFilename, "system_feat")
	eq(t, "headerDefinitionsPrefix", d.HeaderDefinitionsPrefix, "FT_")
	eq(t, "addressUnitBits", d.AddressUnitBits, Some(uint32(8)))
	eq(t, "width", d.Width, Some(uint32(32)))
	eq(t, "device size", d.Props.Size, Some(uint32(32)))
	eq(t, "device access", d.Props.Access, Some(ReadWrite))
	eq(t, "device protection", d.Props.Protection, Some(Secure))
	eq(t, "device resetValue", d.Props.ResetValue, Some(uint64(0)))
	eq(t, "device resetMask", d.Props.ResetMask, Some(uint64(0xFFFFFFFF)))
	eq(t, "device pos", d.Pos, Pos{"features.svd", 4, 1})

	c := d.CPU
	eq(t, "cpu name", c.Name, "CM33")
	eq(t, "cpu revision", c.Revision, "r1p0")
	eq(t, "endian", c.Endian, Little)
	eq(t, "mpu", c.MPUPresent, Some(true))
	eq(t, "fpu", c.FPUPresent, Some(true))
	eq(t, "fpuDP", c.FPUDP, Some(false))
	eq(t, "dsp", c.DSPPresent, Some(true))
	eq(t, "icache", c.ICachePresent, Some(true))
	eq(t, "dcache", c.DCachePresent, Some(false))
	eq(t, "itcm", c.ITCMPresent, Some(false))
	eq(t, "dtcm", c.DTCMPresent, Some(true))
	eq(t, "vtor", c.VTORPresent, Some(true))
	eq(t, "nvicPrioBits", c.NVICPrioBits, Some(uint32(3)))
	eq(t, "vendorSystickConfig", c.VendorSystickConfig, Some(false))
	eq(t, "deviceNumInterrupts", c.DeviceNumInterrupts, Some(uint32(40)))
	eq(t, "sauNumRegions", c.SAUNumRegions, Some(uint32(2)))
	eq(t, "pmuPresent", c.PMUPresent, Some(true))
	eq(t, "pmuNumEventCnt", c.PMUNumEventCnt, Some(uint32(8)))
	s := c.SAURegionsConfig
	eq(t, "sau enabled", s.Enabled, Some(true))
	eq(t, "sau protectionWhenDisabled", s.ProtectionWhenDisabled, Some(Secure))
	if len(s.Regions) != 1 {
		t.Fatalf("sau regions: %d", len(s.Regions))
	}
	eq(t, "region", s.Regions[0].Name, "R0")
	eq(t, "region enabled", s.Regions[0].Enabled, Some(true))
	eq(t, "region base", s.Regions[0].Base, 0x10000000)
	eq(t, "region limit", s.Regions[0].Limit, 0x1000FFE0)
	eq(t, "region access", s.Regions[0].Access, "n")

	// As written: three peripherals, the array not yet expanded.
	if len(d.Peripherals) != 3 {
		t.Fatalf("peripherals: %d", len(d.Peripherals))
	}
	p := d.Peripherals[0]
	eq(t, "periph name", p.Name, "TIMER0")
	eq(t, "periph pos", p.Pos, Pos{"features.svd", 49, 5})
	eq(t, "version", p.Version, "2")
	eq(t, "groupName", p.GroupName, "TIMER")
	eq(t, "prependToName", p.PrependToName, "T_")
	eq(t, "appendToName", p.AppendToName, "_X")
	eq(t, "headerStructName", p.HeaderStructName, "TimerRegs")
	eq(t, "disableCondition", p.DisableCondition, "SYS->EN == 0")
	eq(t, "baseAddress", p.BaseAddress, 0x40000000)
	eq(t, "periph size", p.Props.Size, Some(uint32(16)))
	eq(t, "periph resetValue", p.Props.ResetValue, Some(uint64(0xFF)))
	eq(t, "periph access as written", p.Props.Access.Set, false)
	if len(p.AddressBlocks) != 1 || p.AddressBlocks[0] != (AddressBlock{Pos: Pos{"features.svd", 61, 7}, Offset: 0, Size: 0x400, Usage: "registers", Protection: Some(NonSecure)}) {
		t.Errorf("addressBlocks: %+v", p.AddressBlocks)
	}
	if len(p.Interrupts) != 1 || p.Interrupts[0] != (Interrupt{Pos: Pos{"features.svd", 67, 7}, Name: "TIMER0", Description: "Timer 0 overflow", Value: 3}) {
		t.Errorf("interrupts: %+v", p.Interrupts)
	}
	if !p.HasRegisters || len(p.Registers) != 3 {
		t.Fatalf("registers: %d", len(p.Registers))
	}
	// Document order: register, register, cluster.
	ctrl := p.Registers[0].(*Register)
	eq(t, "ctrl pos", ctrl.Pos, Pos{"features.svd", 73, 9})
	eq(t, "displayName", ctrl.DisplayName, "Control")
	eq(t, "description", ctrl.Description, "Control register")
	eq(t, "alternateGroup", ctrl.AlternateGroup, "G1")
	eq(t, "ctrl resetMask", ctrl.Props.ResetMask, Some(uint64(0xFFFF)))
	eq(t, "dataType", ctrl.DataType, "uint32_t")
	eq(t, "mwv", ctrl.ModifiedWriteValues, OneToClear)
	eq(t, "readAction", ctrl.ReadAction, ReadClear)
	if ctrl.WriteConstraint == nil || !ctrl.WriteConstraint.WriteAsRead {
		t.Errorf("writeConstraint writeAsRead: %+v", ctrl.WriteConstraint)
	}
	if len(ctrl.Fields) != 4 {
		t.Fatalf("fields as written: %d", len(ctrl.Fields))
	}
	en, mode, pre := ctrl.Fields[0], ctrl.Fields[1], ctrl.Fields[2]
	eq(t, "EN offset", en.BitOffset, 0)
	eq(t, "EN width", en.BitWidth, 1)
	eq(t, "EN mwv", en.ModifiedWriteValues, OneToSet)
	eq(t, "EN readAction", en.ReadAction, ReadSet)
	eq(t, "MODE offset (lsb/msb)", mode.BitOffset, 1)
	eq(t, "MODE width (lsb/msb)", mode.BitWidth, 3)
	if wc := mode.WriteConstraint; wc == nil || wc.Range == nil || *wc.Range != (Range{0, 5}) {
		t.Errorf("MODE range: %+v", wc)
	}
	eq(t, "PRE offset (bitRange)", pre.BitOffset, 4)
	eq(t, "PRE width (bitRange)", pre.BitWidth, 4)
	eq(t, "PRE access", pre.Access, Some(ReadOnly))
	if wc := pre.WriteConstraint; wc == nil || !wc.UseEnumeratedValues {
		t.Errorf("PRE useEnumeratedValues: %+v", wc)
	}
	if len(mode.EnumeratedValues) != 2 {
		t.Fatalf("MODE enums: %d", len(mode.EnumeratedValues))
	}
	er, ew := mode.EnumeratedValues[0], mode.EnumeratedValues[1]
	eq(t, "enum name", er.Name, "ModeR")
	eq(t, "headerEnumName", er.HeaderEnumName, "TimerMode")
	eq(t, "usage read", er.Usage, UsageRead)
	eq(t, "usage write", ew.Usage, UsageWrite)
	eq(t, "OFF", *er.Values[0], EnumeratedValue{Pos: Pos{"features.svd", 113, 17}, Name: "OFF", Description: "Off", Value: 0, Mask: ^uint64(0), HasValue: true})
	eq(t, "ODD as written", *er.Values[1], EnumeratedValue{Pos: Pos{"features.svd", 118, 17}, Name: "ODD", Value: 1, Mask: ^uint64(0b110), HasValue: true})
	eq(t, "OTHER", *er.Values[2], EnumeratedValue{Pos: Pos{"features.svd", 122, 17}, Name: "OTHER", Mask: ^uint64(0), IsDefault: true})
	eq(t, "START 0X4", ew.Values[0].Value, 4)

	chs := ctrl.Fields[3]
	eq(t, "field dim", chs.Dim.Dim, Some(uint32(2)))
	eq(t, "field dimIncrement", chs.Dim.DimIncrement, Some(uint64(2)))
	eq(t, "field dimIndex", chs.Dim.DimIndex, "A,B")

	stat := p.Registers[1].(*Register)
	eq(t, "alternateRegister", stat.AlternateRegister, "CTRL")
	cl := p.Registers[2].(*Cluster)
	eq(t, "cluster dimName", cl.Dim.DimName, "CHAN_T")
	eq(t, "cluster dimIndex", cl.Dim.DimIndex, "0-3")
	if a := cl.Dim.DimArrayIndex; a == nil || a.HeaderEnum != "ChanIdx" || len(a.Values) != 1 || a.Values[0].Name != "FIRST" {
		t.Errorf("dimArrayIndex: %+v", a)
	}
	eq(t, "alternateCluster", cl.AlternateCluster, "NONE")
	eq(t, "cluster headerStructName", cl.HeaderStructName, "ChanRegs")
	eq(t, "cluster offset", cl.AddressOffset, 0x100)
	if len(cl.Children) != 2 {
		t.Fatalf("cluster children: %d", len(cl.Children))
	}
	if _, ok := cl.Children[1].(*Cluster); !ok {
		t.Errorf("nested cluster missing")
	}

	t1 := d.Peripherals[1]
	eq(t, "derivedFrom", t1.DerivedFrom, "TIMER0")
	eq(t, "derived has no registers", t1.HasRegisters, false)
	u := d.Peripherals[2]
	eq(t, "alternatePeripheral", u.AlternatePeripheral, "TIMER1")
	eq(t, "periph dim", u.Dim.Dim, Some(uint32(2)))
	data2 := u.Registers[1].(*Register)
	eq(t, "register derivedFrom", data2.DerivedFrom, "DATA")

	if d.VendorExtensions == nil || !strings.HasPrefix(d.VendorExtensions.XML, "<vendorExtensions>") ||
		!strings.Contains(d.VendorExtensions.XML, "<memory><name>FLASH</name><size>1k</size></memory>") ||
		!strings.HasSuffix(d.VendorExtensions.XML, "</vendorExtensions>") {
		t.Errorf("vendorExtensions: %+v", d.VendorExtensions)
	}
}

func diagText(ds Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}
