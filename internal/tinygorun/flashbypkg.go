package main

import (
	"debug/dwarf"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// pkgBytes is flash attributed to one package.
type pkgBytes struct {
	pkg   string
	bytes uint64
}

// flashByPackage attributes a TinyGo ELF's code and read-only data to Go packages, the way
// cargo-bloat's --crates does for Rust: machine code by the DWARF line table (so code the
// compiler inlined into runtime.run$1$gowrapper counts for the package it came from, not for
// the caller), read-only data by symbol name ("hal/uart$string.3" is hal/uart's, type
// descriptors are "type descriptors"). gohal's packages are named without the module path,
// TinyGo's runtime and standard library by their import path. Largest first.
func flashByPackage(elfPath string) ([]pkgBytes, error) {
	f, err := elf.Open(elfPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sizes := map[string]uint64{}
	if err := codeByPackage(f, sizes); err != nil {
		return nil, err
	}
	if err := rodataByPackage(f, sizes); err != nil {
		return nil, err
	}
	out := make([]pkgBytes, 0, len(sizes))
	for p, n := range sizes {
		out = append(out, pkgBytes{p, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].bytes != out[j].bytes {
			return out[i].bytes > out[j].bytes
		}
		return out[i].pkg < out[j].pkg
	})
	return out, nil
}

// codeByPackage adds each line-table row's address range to its source file's package.
func codeByPackage(f *elf.File, sizes map[string]uint64) error {
	d, err := f.DWARF()
	if err != nil {
		return fmt.Errorf("no DWARF (built with -no-debug?): %v", err)
	}
	r := d.Reader()
	for {
		cu, err := r.Next()
		if err != nil {
			return err
		}
		if cu == nil {
			return nil
		}
		if cu.Tag != dwarf.TagCompileUnit {
			r.SkipChildren()
			continue
		}
		lr, err := d.LineReader(cu)
		if err != nil {
			return err
		}
		r.SkipChildren()
		if lr == nil {
			continue
		}
		var prev dwarf.LineEntry
		havePrev := false
		for {
			var e dwarf.LineEntry
			if err := lr.Next(&e); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return err
			}
			if havePrev && e.Address > prev.Address && prev.File != nil {
				sizes[packageOfFile(prev.File.Name)] += e.Address - prev.Address
			}
			prev, havePrev = e, !e.EndSequence
		}
	}
}

// rodataByPackage adds each read-only data symbol to the package its name starts with.
func rodataByPackage(f *elf.File, sizes map[string]uint64) error {
	syms, err := f.Symbols()
	if err != nil {
		return err
	}
	for _, s := range syms {
		if int(s.Section) >= len(f.Sections) || s.Size == 0 || elf.ST_TYPE(s.Info) != elf.STT_OBJECT {
			continue
		}
		sec := f.Sections[s.Section]
		if sec.Flags&elf.SHF_ALLOC == 0 || sec.Flags&elf.SHF_WRITE != 0 || sec.Type == elf.SHT_NOBITS {
			continue // RAM, or not loaded
		}
		sizes[packageOfSymbol(s.Name)] += s.Size
	}
	return nil
}

// packageOfFile names the package of a source file: the path below the module, GOROOT's or
// TinyGo's src/ directory, without the file name.
func packageOfFile(name string) string {
	dir := path.Dir(strings.ReplaceAll(name, `\`, "/"))
	for _, marker := range []string{"/github.com/gohal/gohal/", "/src/"} {
		if i := strings.LastIndex(dir+"/", marker); i >= 0 {
			return strings.TrimSuffix((dir + "/")[i+len(marker):], "/")
		}
	}
	// A checkout of gohal itself: the module root is where go.mod is, which the ELF does not
	// say; the directories gohal's packages live in do.
	for _, top := range []string{"/hal/", "/async/", "/rt/", "/pac/", "/examples/", "/sim/"} {
		if i := strings.LastIndex(dir+"/", top); i >= 0 {
			return strings.TrimSuffix((dir + "/")[i+1:], "/")
		}
	}
	if strings.HasSuffix(name, ".S") || strings.HasSuffix(name, ".s") || strings.HasSuffix(name, ".c") {
		return "C and assembly"
	}
	return dir
}

// packageOfSymbol names the package of a Go symbol: "github.com/gohal/gohal/hal/uart$string.3"
// and "(*github.com/gohal/gohal/hal/uart.drv).Write" are hal/uart's.
func packageOfSymbol(name string) string {
	if strings.HasPrefix(name, "reflect/types.") {
		return "type descriptors"
	}
	name = strings.TrimLeft(name, "(*")
	name = strings.TrimPrefix(name, "github.com/gohal/gohal/")
	slash := strings.LastIndex(name, "/")
	end := len(name)
	if i := strings.IndexAny(name[slash+1:], ".$"); i >= 0 {
		end = slash + 1 + i
	}
	return name[:end]
}

// formatPackages prints the n largest, "hal/uart 4.1K".
func formatPackages(pkgs []pkgBytes, n int) string {
	parts := make([]string, 0, n)
	for _, p := range pkgs[:min(n, len(pkgs))] {
		parts = append(parts, fmt.Sprintf("%s %d", p.pkg, p.bytes))
	}
	return strings.Join(parts, ", ")
}
