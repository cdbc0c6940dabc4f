package codegen

import (
	"testing"

	"github.com/gohal/gohal/svd"
)

func loadDemo(t *testing.T) *Chip {
	t.Helper()
	dev, _, err := svd.Load("../../golden/testdata/demo.svd", svd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Build(dev, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func findReg(t *testing.T, pt *PeriphType, name string) *Reg {
	t.Helper()
	for _, r := range pt.Regs {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no register type %s", name)
	return nil
}

func TestBuildDemo(t *testing.T) {
	c := loadDemo(t)
	if c.Pkg != "demo1" {
		t.Errorf("package %q", c.Pkg)
	}
	if len(c.Types) != 3 || c.Types[0].Pkg != "uart" || c.Types[1].Pkg != "timer" || c.Types[2].Pkg != "dma" {
		t.Fatalf("types: %v", c.Types)
	}
	uart := c.Types[0]
	// UART1 is derivedFrom UART0, TIMER0/1 come from a dim peripheral: each pair shares a type,
	// and SYSCON, without registers, has none.
	byName := map[string]*Instance{}
	for _, in := range c.Instances {
		byName[in.SVDName] = in
	}
	if byName["UART1"].Type != uart || byName["UART0"].Type != uart || byName["TIMER0"].Type != byName["TIMER1"].Type || byName["SYSCON"].Type != nil {
		t.Errorf("instance types wrong")
	}

	// Write semantics: EVENTS has ERR (W1C), ERRCNT (3-bit W1C), TOGGLE (W1T), ACK (4-bit W0C).
	ev := findReg(t, uart, "EVENTS")
	if ev.ZeroMask != 0x172 || ev.OneMask != 0xf00000 {
		t.Errorf("EVENTS masks: zero %#x one %#x, want 0x172, 0xf00000", ev.ZeroMask, ev.OneMask)
	}
	// INT_CLR is write-only: no Modify, so no masks either.
	if r := findReg(t, uart, "INT_CLR"); r.ZeroMask != 0 || r.Readable() || !r.Writable() {
		t.Errorf("INT_CLR: %+v", r)
	}
	if r := findReg(t, uart, "KEY"); r.Readable() || !r.Writable() || r.Bits != 16 {
		t.Errorf("KEY (writeOnce, 16-bit): %+v", r)
	}
	if r := findReg(t, uart, "COMPARE"); r.Bits != 64 || r.ResetValue != ^uint64(0) {
		t.Errorf("COMPARE: bits %d reset %#x", r.Bits, r.ResetValue)
	}
	if r := findReg(t, uart, "TIMESTAMP"); r.ResetValue != 0 {
		t.Errorf("TIMESTAMP reset under a zero resetMask: %#x", r.ResetValue)
	}
	if r := findReg(t, uart, "MATCH"); r.Pad != 4 {
		t.Errorf("MATCH stride 8 for a 4-byte register: pad %d", r.Pad)
	}

	// Layout: CONF0_ALT overlaps CONF0 and ID is misaligned: both accessors, at their offsets.
	var acc []string
	for _, m := range uart.Block.Accessors {
		acc = append(acc, m.Name)
	}
	if len(acc) != 2 || acc[0] != "CONF0_ALT" || acc[1] != "ID" {
		t.Errorf("accessors %v", acc)
	}
	var off uint64
	for _, f := range uart.Block.Fields {
		if f.Member == nil {
			off += f.Pad
			continue
		}
		if f.Member.Offset != off {
			t.Errorf("%s placed at %#x, SVD says %#x", f.Member.Name, off, f.Member.Offset)
		}
		off += f.Member.span()
	}
	if off != uart.Block.Size {
		t.Errorf("fields add up to %#x, block is %#x", off, uart.Block.Size)
	}
	for _, m := range uart.Block.Members {
		if m.Name == "CH" && (m.Count != 2 || m.Cluster.Size != 0x20) {
			t.Errorf("CH: count %d size %#x", m.Count, m.Cluster.Size)
		}
		if m.Name == "CONF1" && m.Reg != findReg(t, uart, "CONF0") {
			t.Error("CONF1 (derivedFrom CONF0) does not share CONF0's type")
		}
	}
	if len(c.Interrupts) != 3 || c.Interrupts[0].Name != "IRQ_UART0" || c.Interrupts[0].Value != 5 {
		t.Errorf("interrupts %+v", c.Interrupts)
	}
}

func reg(name string, off uint64, fields ...string) *svd.Register {
	r := &svd.Register{Element: svd.Element{Name: name, AddressOffset: off, Props: svd.RegisterProperties{Size: svd.Some[uint32](32)}}}
	for i, f := range fields {
		r.Fields = append(r.Fields, &svd.Field{Name: f, BitOffset: uint32(i), BitWidth: 1})
	}
	return r
}

func names(nodes []svd.RegisterNode) []string {
	var out []string
	for _, n := range nodes {
		e := n.Elem()
		s := e.Name
		if e.Dim.Dim.Set {
			s += "×" + string(rune('0'+e.Dim.Dim.Val))
		}
		out = append(out, s)
	}
	return out
}

func TestMergeRuns(t *testing.T) {
	for _, c := range []struct {
		name  string
		nodes []svd.RegisterNode
		want  []string
	}{
		{"spelt-out array", []svd.RegisterNode{reg("CTRL", 0), reg("PIN0", 4, "EN"), reg("PIN1", 8, "EN"), reg("PIN2", 12, "EN"), reg("END", 16)},
			[]string{"CTRL", "PIN%s×3", "END"}},
		{"index inside the field names", []svd.RegisterNode{reg("FUNC0_CFG", 0, "FUNC0_SEL", "SIG0"), reg("FUNC1_CFG", 4, "FUNC1_SEL", "SIG1")},
			[]string{"FUNC%s_CFG×2"}},
		{"digits in field names that are not the index", []svd.RegisterNode{reg("PIN0", 0, "SYNC2", "SYNC1"), reg("PIN1", 4, "SYNC2", "SYNC1"), reg("PIN2", 8, "SYNC2", "SYNC1")},
			[]string{"PIN%s×3"}},
		{"gap between copies", []svd.RegisterNode{reg("PIN0", 0, "EN"), reg("PIN1", 8, "EN")}, []string{"PIN0", "PIN1"}},
		{"different fields", []svd.RegisterNode{reg("PIN0", 0, "EN"), reg("PIN1", 4, "ON")}, []string{"PIN0", "PIN1"}},
		{"does not start at 0", []svd.RegisterNode{reg("PIN1", 0, "EN"), reg("PIN2", 4, "EN")}, []string{"PIN1", "PIN2"}},
		{"alone", []svd.RegisterNode{reg("PIN0", 0, "EN"), reg("X", 4)}, []string{"PIN0", "X"}},
		{"leading zeros are names, not indices", []svd.RegisterNode{reg("R00", 0), reg("R01", 4)}, []string{"R00", "R01"}},
	} {
		if got := names(mergeRuns(c.nodes)); len(got) != len(c.want) || func() bool {
			for i := range got {
				if got[i] != c.want[i] {
					return true
				}
			}
			return false
		}() {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestInferredArraysAndClusters(t *testing.T) {
	c := loadDemo(t)
	var dma *PeriphType
	for _, pt := range c.Types {
		if pt.Pkg == "dma" {
			dma = pt
		}
	}
	if dma == nil {
		t.Fatal("no dma package")
	}
	got := map[string]string{}
	for _, m := range dma.Block.Members {
		kind := "reg"
		if m.Cluster != nil {
			kind = "cluster"
		}
		got[m.Name] = kind + "×" + string(rune('0'+m.Count))
	}
	want := map[string]string{
		"INT_CH": "cluster×2", // INT_RAW_CH0, INT_CLR_CH0, INT_RAW_CH1, INT_CLR_CH1
		"CH":     "cluster×2", // CONF_CHn, BUF0_CHn, BUF1_CHn
		"T":      "cluster×2", // dim arrays T%sCONFIG and T%sLO, interleaved
		"PIN":    "reg×3",     // PIN0..PIN2, back to back
		"ODD0":   "reg×0",     // different fields: not an array
		"ODD1":   "reg×0",
	}
	if len(got) != len(want) {
		t.Errorf("members %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	for _, m := range dma.Block.Members {
		if m.Name == "CH" {
			if m.Offset != 0x20 || m.Stride != 0x10 || m.Cluster.Size != 0x10 || len(m.Cluster.Members) != 2 || m.Cluster.Members[1].Count != 2 {
				t.Errorf("CH cluster: offset %#x stride %#x size %#x members %d", m.Offset, m.Stride, m.Cluster.Size, len(m.Cluster.Members))
			}
		}
	}
}
