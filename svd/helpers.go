package svd

import "math"

// Instance is one copy of a register or cluster array (or the element itself when it is not
// an array): its name with the index substituted and its address offset.
type Instance struct {
	Name   string // "CH[%s]" and "CH%s" with index "2" both give "CH2"
	Index  string // the dimIndex entry; "" when the element is not an array
	Offset uint64 // bytes from the enclosing peripheral or cluster
}

// Instances expands a register or cluster of a resolved device into its copies. An element
// without dim gives one Instance with its own name and offset. It allocates one Instance per
// copy, 16,777,216 of them for a 64 MiB window of words: generators should use Count (or
// Dim.Len) and Dim.Index to work with an array as a whole.
func Instances(n RegisterNode) []Instance {
	e := n.Elem()
	count := e.Dim.Len()
	if !e.Dim.Dim.Set || count == 0 {
		return []Instance{{Name: e.Name, Offset: e.AddressOffset}}
	}
	out := make([]Instance, count)
	for i := range out {
		ix := e.Dim.Index(i)
		out[i] = Instance{Name: substitute(e.Name, ix, true), Index: ix,
			Offset: e.AddressOffset + uint64(i)*e.Dim.DimIncrement.Val}
	}
	return out
}

// Count returns how many copies n stands for: Dim.Len() for an array, else 1.
func Count(n RegisterNode) int {
	e := n.Elem()
	if c := e.Dim.Len(); e.Dim.Dim.Set && c > 0 {
		return c
	}
	return 1
}

// Walk calls f for every register of p in document order, with the clusters that enclose
// it (outermost first). The slice is reused between calls.
func Walk(p *Peripheral, f func(clusters []*Cluster, r *Register)) {
	var stack []*Cluster
	var walk func(list []RegisterNode)
	walk = func(list []RegisterNode) {
		for _, n := range list {
			switch n := n.(type) {
			case *Register:
				f(stack, n)
			case *Cluster:
				stack = append(stack, n)
				walk(n.Children)
				stack = stack[:len(stack)-1]
			}
		}
	}
	walk(p.Registers)
}

// Stats counts what a resolved device holds, with every array unrolled: registers and
// fields count once per copy, as they exist in the hardware.
type Stats struct {
	Peripherals int
	Registers   int
	Fields      int
	Enums       int // enumeratedValues containers
	Interrupts  int // distinct (name, number) pairs
}

// Count returns the Stats of d.
func (d *Device) Count() Stats {
	var s Stats
	if d == nil {
		return s
	}
	type irq struct {
		name string
		v    int64
	}
	seen := map[irq]bool{}
	for _, p := range d.Peripherals {
		s.Peripherals++
		for _, in := range p.Interrupts {
			k := irq{in.Name, in.Value}
			if !seen[k] {
				seen[k] = true
				s.Interrupts++
			}
		}
		var walk func(list []RegisterNode, mult int)
		walk = func(list []RegisterNode, mult int) {
			for _, n := range list {
				m := satMul(mult, Count(n))
				switch n := n.(type) {
				case *Register:
					s.Registers = satAdd(s.Registers, m)
					s.Fields = satAdd(s.Fields, satMul(m, len(n.Fields)))
					for _, f := range n.Fields {
						s.Enums = satAdd(s.Enums, satMul(m, len(f.EnumeratedValues)))
					}
				case *Cluster:
					walk(n.Children, m)
				}
			}
		}
		walk(p.Registers, 1)
	}
	return s
}

// satMul and satAdd saturate at math.MaxInt: nested arrays of a hostile file could
// otherwise overflow the counts.
func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt/b {
		return math.MaxInt
	}
	return a * b
}

func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}
