package codegen

import (
	"crypto/sha256"
	"sort"
	"strconv"
	"strings"

	"github.com/gohal/gohal/svd"
)

// Many vendor SVDs spell out what is really an array: PIN0, PIN1 … PIN25, each a copy of the
// same register at consecutive addresses (the Espressif base SVDs do; esp-pacs patches them
// into arrays with svdtools). mergeRuns finds such runs and turns each into one dim register,
// so the Go API is GPIO.PIN[n] with one register type instead of 26 identical ones. A run is
// merged only when it is unambiguous:
//
//   - the names differ in exactly one group of digits, which counts 0, 1, … n-1 (n ≥ 2);
//   - the registers are back to back: register i sits at offset0 + i*size;
//   - apart from name and description they are identical (size, access, reset, write
//     semantics, fields, enumerations);
//   - none of them is an array, alternate, or derived into something else already.
//
// Document order is kept: the merged register takes the place of the first of its run.
func mergeRuns(nodes []svd.RegisterNode) []svd.RegisterNode {
	type cand struct {
		reg   *svd.Register
		idx   int
		pos   int // index in nodes
		key   string
		group string // the name with the varying digit group replaced by %s
	}
	byGroup := map[string][]cand{}
	var groups []string
	for i, n := range nodes {
		r, ok := n.(*svd.Register)
		if !ok || r.Dim.Dim.Set || r.AlternateRegister != "" || r.AlternateGroup != "" {
			continue
		}
		indexReadings(r, func(nr *svd.Register, idx int, k, pattern string) {
			id := pattern + "\x00" + k
			if byGroup[id] == nil {
				groups = append(groups, id)
			}
			byGroup[id] = append(byGroup[id], cand{nr, idx, i, k, pattern})
		})
	}
	used := map[int]bool{}
	replace := map[int]svd.RegisterNode{}
	// Longest runs first, so a name with two digit groups joins the better array.
	sort.SliceStable(groups, func(i, j int) bool { return len(byGroup[groups[i]]) > len(byGroup[groups[j]]) })
	for _, id := range groups {
		cs := byGroup[id]
		if len(cs) < 2 {
			continue
		}
		sort.Slice(cs, func(i, j int) bool { return cs[i].idx < cs[j].idx })
		size := uint64(cs[0].reg.Props.Size.Or(32)+7) / 8
		ok := true
		for i, c := range cs {
			if c.idx != i || used[c.pos] || c.reg.AddressOffset != cs[0].reg.AddressOffset+uint64(i)*size {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		first := cs[0]
		m := *first.reg
		m.Name = first.group
		m.Dim = svd.Dim{Dim: svd.Some(uint32(len(cs))), DimIncrement: svd.Some(size)}
		for i := range cs {
			m.Dim.Indices = append(m.Dim.Indices, strconv.Itoa(i))
		}
		if m.Description != "" {
			m.Description += " (" + first.reg.Name + " … " + cs[len(cs)-1].reg.Name + " in the SVD)"
		}
		for _, c := range cs {
			used[c.pos] = true
		}
		minPos := cs[0].pos
		for _, c := range cs {
			if c.pos < minPos {
				minPos = c.pos
			}
		}
		replace[minPos] = &m
	}
	if len(replace) == 0 {
		return nodes
	}
	out := make([]svd.RegisterNode, 0, len(nodes))
	for i, n := range nodes {
		if r, ok := replace[i]; ok {
			out = append(out, r)
			continue
		}
		if !used[i] {
			out = append(out, n)
		}
	}
	return out
}

// indexFields returns r with field names rewritten so that the copies of a spelt-out array
// compare equal: the digit group that is the copy's index (num) becomes "%s", so
// FUNC5_IN_SEL_CFG's field FUNC5_IN_SEL becomes FUNC%s_IN_SEL. Which digit group is the
// index cannot always be told from one name: in PIN1, field SYNC1_BYPASS is not indexed (PIN2
// has SYNC1_BYPASS too), in FUNC5_IN_SEL_CFG, field SIG5_IN_SEL is. Callers therefore try
// two readings and keep the one that yields the longer run: strict rewrites only groups
// after the same letters as the index in the register name (ctx, "FUNC"); loose rewrites the
// first equal group, preferring one after ctx. r itself is not modified.
func indexFields(r *svd.Register, num, ctx string, strict bool) *svd.Register {
	c := *r
	c.Fields = make([]*svd.Field, len(r.Fields))
	for i, f := range r.Fields {
		c.Fields[i] = f
		pick := -1
		for j, g := range digitGroups(f.Name) {
			if f.Name[g[0]:g[1]] != num {
				continue
			}
			after := ctx != "" && strings.HasSuffix(f.Name[:g[0]], ctx)
			if after || (!strict && pick < 0) {
				pick = j
			}
		}
		if pick >= 0 {
			g := digitGroups(f.Name)[pick]
			nf := *f
			nf.Name = f.Name[:g[0]] + "%s" + f.Name[g[1]:]
			c.Fields[i] = &nf
		}
	}
	return &c
}

// indexContext is the run of letters just before a digit group: "CH" for IN_CONF0_CH1's 1.
func indexContext(name string, start int) string {
	i := start
	for i > 0 && (name[i-1] >= 'A' && name[i-1] <= 'Z' || name[i-1] >= 'a' && name[i-1] <= 'z') {
		i--
	}
	return name[i:start]
}

// digitGroups returns the [start, end) byte ranges of the runs of decimal digits in s.
func digitGroups(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}

// indexReadings calls yield for every way r's name can be read as one element of a
// spelt-out array: each decimal digit group without a leading zero is a candidate index, read
// strictly and loosely (indexFields), with the register as the element would be (its fields'
// copies of the index taken out), its shape key and its name with the index replaced by %s.
// A loose reading that agrees with the strict one is not repeated.
func indexReadings(r *svd.Register, yield func(elem *svd.Register, idx int, shapeKey, pattern string)) {
	for _, g := range digitGroups(r.Name) {
		num := r.Name[g[0]:g[1]]
		idx, err := strconv.Atoi(num)
		if err != nil || (len(num) > 1 && num[0] == '0') {
			continue
		}
		seen := ""
		for _, strict := range []bool{true, false} {
			nr := indexFields(r, num, indexContext(r.Name, g[0]), strict)
			k := regShapeKey(nr)
			if k == seen {
				continue // both readings agree
			}
			seen = k
			yield(nr, idx, k, r.Name[:g[0]]+"%s"+r.Name[g[1]:])
		}
	}
}

// regShapeKey is everything about a register that shows in its generated type, except its
// name, description and offset.
func regShapeKey(r *svd.Register) string {
	c := *r
	c.Name, c.Description, c.AddressOffset, c.DisplayName = "", "", 0, ""
	h := sha256.New()
	keyNode(h, &c)
	return string(h.Sum(nil))
}
