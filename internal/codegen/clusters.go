package codegen

import (
	"sort"
	"strconv"
	"strings"

	"github.com/gohal/gohal/svd"
)

// Vendor SVDs often describe per-channel register blocks as interleaved arrays: channel 0's
// INT_RAW, INT_ST, INT_ENA, INT_CLR, then channel 1's, … either spelt out one by one
// (INT_RAW_CH0 … INT_CLR_CH2) or as several dim arrays with the same count and stride
// (T%sCONFIG, T%sLO … with dimIncrement 0x24). As registers, each channel gets types of its
// own and a driver cannot index channels. inferClusters turns each such block into one
// cluster array, DMA.CH[n].INT_RAW, which is what esp-pacs patches the Espressif SVDs into
// by hand. A block becomes a cluster only when it is unambiguous:
//
//   - at least two interleaved runs (n copies each, n ≥ 2, the same n and stride), each
//     run either an SVD dim array or registers whose names differ in one digit group that
//     counts 0 … n-1 and whose shapes (size, access, resets, fields, enumerations; digit
//     groups equal to the index in field names aside) are identical;
//   - the runs' first copies fit in one stride, without overlapping;
//   - nothing else lies in the address range the cluster array covers.
//
// The cluster is named by what the run names share around the index ("INT_RAW_CH%s" and
// "INT_ST_CH%s" → CH), prefixed by the members' common prefix when they have one.
func inferClusters(nodes []svd.RegisterNode) []svd.RegisterNode {
	type run struct {
		first   *svd.Register // the copy that becomes the cluster member (fields normalised)
		pre     string        // name before the index
		post    string        // name after the index
		pos     []int         // positions in nodes
		n       int
		stride  uint64
		base    uint64
		size    uint64
		fromDim bool
	}
	var runs []*run
	byKey := map[string][]cand{}
	var keys []string
	for i, n := range nodes {
		r, ok := n.(*svd.Register)
		if !ok || r.AlternateRegister != "" || r.AlternateGroup != "" {
			continue
		}
		size := uint64(r.Props.Size.Or(32)+7) / 8
		if r.Dim.Dim.Set {
			name := strings.ReplaceAll(r.Name, "[%s]", "%s")
			k := strings.Index(name, "%s")
			cnt := int(r.Dim.Dim.Val)
			if k >= 0 && cnt >= 2 && r.Dim.DimIncrement.Val > size {
				c := *r
				c.Dim = svd.Dim{}
				runs = append(runs, &run{first: &c, pre: name[:k], post: name[k+2:], pos: []int{i}, n: cnt, stride: r.Dim.DimIncrement.Val, base: r.AddressOffset, size: size, fromDim: true})
			}
			continue
		}
		indexReadings(r, func(nr *svd.Register, idx int, k, pattern string) {
			id := pattern + "\x00" + k
			if byKey[id] == nil {
				keys = append(keys, id)
			}
			byKey[id] = append(byKey[id], cand{nr, idx, i, "", pattern})
		})
	}
	// Spelt-out runs, longest first so a register with two digit groups joins the better one.
	sort.SliceStable(keys, func(i, j int) bool { return len(byKey[keys[i]]) > len(byKey[keys[j]]) })
	taken := map[int]bool{}
	for _, id := range keys {
		cs := byKey[id]
		if len(cs) < 2 {
			continue
		}
		sort.Slice(cs, func(i, j int) bool { return cs[i].idx < cs[j].idx })
		size := uint64(cs[0].reg.Props.Size.Or(32)+7) / 8
		if cs[1].reg.AddressOffset <= cs[0].reg.AddressOffset {
			continue
		}
		stride := cs[1].reg.AddressOffset - cs[0].reg.AddressOffset
		ok := stride > size
		for i, c := range cs {
			if c.idx != i || taken[c.pos] || c.reg.AddressOffset != cs[0].reg.AddressOffset+uint64(i)*stride {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		k := strings.Index(cs[0].group, "%s")
		r := &run{first: cs[0].reg, pre: cs[0].group[:k], post: cs[0].group[k+2:], n: len(cs), stride: stride, base: cs[0].reg.AddressOffset, size: size}
		for _, c := range cs {
			r.pos = append(r.pos, c.pos)
			taken[c.pos] = true
		}
		runs = append(runs, r)
	}
	if len(runs) < 2 {
		return nodes
	}

	// Windows: runs with the same count and stride whose first copies share one stride.
	sort.SliceStable(runs, func(i, j int) bool {
		if runs[i].n != runs[j].n {
			return runs[i].n < runs[j].n
		}
		if runs[i].stride != runs[j].stride {
			return runs[i].stride < runs[j].stride
		}
		return runs[i].base < runs[j].base
	})
	used := map[*run]bool{}
	replace := map[int]svd.RegisterNode{}
	drop := map[int]bool{}
	for i, r0 := range runs {
		if used[r0] {
			continue
		}
		win := []*run{r0}
		end := r0.base + r0.stride
		for _, r := range runs[i+1:] {
			if used[r] || r.n != r0.n || r.stride != r0.stride || r.base >= end {
				continue
			}
			overlap := r.base+r.size > end
			for _, w := range win {
				if r.base < w.base+w.size && w.base < r.base+r.size {
					overlap = true
				}
			}
			if !overlap {
				win = append(win, r)
			}
		}
		if len(win) < 2 {
			continue
		}
		// Nothing else may lie in [base, base+n*stride).
		mine := map[int]bool{}
		for _, w := range win {
			for _, p := range w.pos {
				mine[p] = true
			}
		}
		lo, hi := r0.base, r0.base+uint64(r0.n)*r0.stride
		clear := true
		for p, n := range nodes {
			if mine[p] || drop[p] {
				continue
			}
			a, b := extent(n)
			if a < hi && lo < b {
				clear = false
				break
			}
		}
		if !clear {
			continue
		}
		for _, w := range win {
			used[w] = true
		}
		first := -1
		for p := range mine {
			if first < 0 || p < first {
				first = p
			}
		}
		replace[first] = buildCluster(win[0].n, win[0].stride, r0.base, func(yield func(pre, post string, reg *svd.Register, off uint64)) {
			for _, w := range win {
				yield(w.pre, w.post, w.first, w.base-r0.base)
			}
		})
		for p := range mine {
			drop[p] = true
		}
	}
	if len(replace) == 0 {
		return nodes
	}
	out := make([]svd.RegisterNode, 0, len(nodes))
	for i, n := range nodes {
		if c, ok := replace[i]; ok {
			out = append(out, c)
			continue
		}
		if !drop[i] {
			out = append(out, n)
		}
	}
	return out
}

// cand is one register that may be copy idx of a run named group.
type cand struct {
	reg   *svd.Register
	idx   int
	pos   int
	key   string
	group string
}

// extent is the byte range a node occupies, arrays counted whole.
func extent(n svd.RegisterNode) (uint64, uint64) {
	e := n.Elem()
	size := uint64(e.Props.Size.Or(32)+7) / 8
	if c, ok := n.(*svd.Cluster); ok {
		size = 0
		for _, ch := range c.Children {
			_, b := extent(ch)
			if b > size {
				size = b
			}
		}
	}
	if e.Dim.Dim.Set && e.Dim.Dim.Val > 1 {
		return e.AddressOffset, e.AddressOffset + uint64(e.Dim.Dim.Val-1)*e.Dim.DimIncrement.Val + size
	}
	return e.AddressOffset, e.AddressOffset + size
}

// buildCluster makes the cluster array for a window of runs.
func buildCluster(n int, stride, base uint64, members func(yield func(pre, post string, reg *svd.Register, off uint64))) *svd.Cluster {
	var pres, posts []string
	type mem struct {
		pre, post string
		reg       *svd.Register
		off       uint64
	}
	var ms []mem
	members(func(pre, post string, reg *svd.Register, off uint64) {
		pres = append(pres, pre)
		posts = append(posts, post)
		ms = append(ms, mem{pre, post, reg, off})
	})
	suf := commonSuffix(pres)
	pfx := commonPrefix(posts)
	name := strings.Trim(suf, "_")
	if p := strings.Trim(pfx, "_"); p != "" {
		if name != "" {
			name += "_"
		}
		name += p // UNIT%s_VALUE_HI, UNIT%s_VALUE_LO → UNIT_VALUE[n].HI, .LO
	}
	var names []string
	for _, m := range ms {
		nm := strings.Trim(strings.TrimSuffix(m.pre, suf), "_")
		post := strings.Trim(strings.TrimPrefix(m.post, pfx), "_")
		if nm != "" && post != "" {
			nm += "_" + post
		} else {
			nm += post
		}
		if nm == "" {
			nm = "REG"
		}
		names = append(names, nm)
	}
	// INT_RAW, INT_ST, INT_ENA, INT_CLR per channel: the cluster is INT_CH, so that it does
	// not collide with the channel's other registers, clustered as CH.
	if cp := commonPrefix(names); strings.LastIndex(cp, "_") > 0 {
		name = cp[:strings.LastIndex(cp, "_")] + "_" + name
	}
	if name == "" {
		name = "BLOCK"
	}
	c := &svd.Cluster{}
	c.Name = name + "[%s]"
	c.AddressOffset = base
	// No Indices: numbered 0 … n-1, and n can be the count of a memory window.
	c.Dim = svd.Dim{Dim: svd.Some(uint32(n)), DimIncrement: svd.Some(stride)}
	c.Description = "Registers " + strings.Join(clusterSample(ms[0].pre, ms[0].post, n), ", ") + " and the rest of each copy, as one array"
	for i, m := range ms {
		r := *m.reg
		r.Name = names[i]
		r.AddressOffset = m.off
		r.Dim = svd.Dim{}
		r.DerivedFrom = ""
		c.Children = append(c.Children, &r)
	}
	sort.SliceStable(c.Children, func(i, j int) bool {
		return c.Children[i].Elem().AddressOffset < c.Children[j].Elem().AddressOffset
	})
	return c
}

func clusterSample(pre, post string, n int) []string {
	return []string{pre + "0" + post, pre + strconv.Itoa(n-1) + post}
}

func commonPrefix(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	p := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

func commonSuffix(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	p := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasSuffix(s, p) {
			p = p[1:]
		}
	}
	return p
}
