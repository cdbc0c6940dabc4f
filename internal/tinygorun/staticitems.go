package main

import (
	"debug/elf"
	"fmt"
	"sort"
	"strings"
)

// staticItem is a symbol in the ELF's .data or .bss: a package variable.
type staticItem struct {
	name string
	size uint64
}

// largestStatic returns the n largest symbols of path's .data and .bss sections (the RAM a
// program reserves before it runs), largest first.
func largestStatic(path string, n int) ([]staticItem, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ram := map[elf.SectionIndex]bool{}
	for i, s := range f.Sections {
		if isDataOrBSS(s.Name) {
			ram[elf.SectionIndex(i)] = true
		}
	}
	syms, err := f.Symbols()
	if err != nil {
		return nil, err
	}
	var items []staticItem
	for _, s := range syms {
		if ram[s.Section] && s.Size > 0 && elf.ST_TYPE(s.Info) == elf.STT_OBJECT {
			items = append(items, staticItem{s.Name, s.Size})
		}
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].size != items[j].size {
			return items[i].size > items[j].size
		}
		return items[i].name < items[j].name
	})
	return items[:min(n, len(items))], nil
}

// isDataOrBSS reports whether an ELF section holds package variables: .data/.bss (and the
// small-data .sdata/.sbss) as TinyGo links them, .noptrdata/.noptrbss as Go's linker does.
func isDataOrBSS(name string) bool {
	for _, p := range []string{".data", ".sdata", ".bss", ".sbss", ".noptrdata", ".noptrbss"} {
		if name == p || strings.HasPrefix(name, p+".") {
			return true
		}
	}
	return false
}

// shortSymbol drops the module path from a Go symbol: "github.com/gohal/gohal/rt.handlers"
// is "rt.handlers".
func shortSymbol(s string) string {
	return strings.TrimPrefix(s, "github.com/gohal/gohal/")
}

func formatItems(items []staticItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = fmt.Sprintf("%s %d", shortSymbol(it.name), it.size)
	}
	return strings.Join(parts, ", ")
}

// linkedSymbols returns the symbols of path that are one of names, or start with one of them
// when it ends in "." (a package's prefix), sorted, at most five.
func linkedSymbols(path string, names []string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return nil, err
	}
	var found []string
	for _, s := range syms {
		for _, n := range names {
			if s.Name == n || strings.HasSuffix(n, ".") && strings.HasPrefix(s.Name, n) {
				found = append(found, s.Name)
				break
			}
		}
	}
	sort.Strings(found)
	return found[:min(5, len(found))], nil
}
