package svd

// Deep copies. Resolve works on a copy so that the parsed model stays as written, and a
// derived element gets its own copy of what it takes from its source so that later passes
// (dim expansion, inheritance) may change one without touching the other.

func copyDevice(d *Device) *Device {
	n := *d
	if d.CPU != nil {
		c := *d.CPU
		if c.SAURegionsConfig != nil {
			s := *c.SAURegionsConfig
			s.Regions = append([]SAURegion(nil), s.Regions...)
			c.SAURegionsConfig = &s
		}
		n.CPU = &c
	}
	if d.VendorExtensions != nil {
		v := *d.VendorExtensions
		n.VendorExtensions = &v
	}
	n.Peripherals = make([]*Peripheral, len(d.Peripherals))
	for i, p := range d.Peripherals {
		n.Peripherals[i] = copyPeripheral(p)
	}
	return &n
}

func copyPeripheral(p *Peripheral) *Peripheral {
	n := *p
	n.Dim = copyDim(p.Dim)
	n.AddressBlocks = append([]AddressBlock(nil), p.AddressBlocks...)
	n.Interrupts = append([]Interrupt(nil), p.Interrupts...)
	n.Registers = copyNodes(p.Registers)
	n.Derived = nil
	n.rstate = 0
	return &n
}

func copyDim(d Dim) Dim {
	if d.DimArrayIndex != nil {
		a := *d.DimArrayIndex
		a.Values = copyValues(a.Values)
		d.DimArrayIndex = &a
	}
	d.Indices = append([]string(nil), d.Indices...)
	return d
}

func copyNodes(list []RegisterNode) []RegisterNode {
	if list == nil {
		return nil
	}
	out := make([]RegisterNode, len(list))
	for i, c := range list {
		out[i] = copyNode(c)
	}
	return out
}

func copyNode(c RegisterNode) RegisterNode {
	switch c := c.(type) {
	case *Register:
		return copyRegister(c)
	case *Cluster:
		return copyCluster(c)
	}
	return c
}

func copyCluster(c *Cluster) *Cluster {
	n := *c
	n.Dim = copyDim(c.Dim)
	n.Children = copyNodes(c.Children)
	return &n
}

func copyRegister(r *Register) *Register {
	n := *r
	n.Dim = copyDim(r.Dim)
	n.WriteConstraint = copyWC(r.WriteConstraint)
	if r.Fields != nil {
		n.Fields = make([]*Field, len(r.Fields))
		for i, f := range r.Fields {
			n.Fields[i] = copyField(f)
		}
	}
	return &n
}

func copyWC(w *WriteConstraint) *WriteConstraint {
	if w == nil {
		return nil
	}
	n := *w
	if w.Range != nil {
		r := *w.Range
		n.Range = &r
	}
	return &n
}

func copyField(f *Field) *Field {
	n := *f
	n.Dim = copyDim(f.Dim)
	n.WriteConstraint = copyWC(f.WriteConstraint)
	if f.EnumeratedValues != nil {
		n.EnumeratedValues = make([]*EnumeratedValues, len(f.EnumeratedValues))
		for i, e := range f.EnumeratedValues {
			n.EnumeratedValues[i] = copyEnums(e)
		}
	}
	return &n
}

func copyEnums(e *EnumeratedValues) *EnumeratedValues {
	n := *e
	n.Values = copyValues(e.Values)
	return &n
}

func copyValues(vs []*EnumeratedValue) []*EnumeratedValue {
	if vs == nil {
		return nil
	}
	out := make([]*EnumeratedValue, len(vs))
	for i, v := range vs {
		c := *v
		out[i] = &c
	}
	return out
}
