package svd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes through Parse, Resolve and the diagnostic printer: none may
// panic, every diagnostic must be located in the input, and a device with errors must
// still resolve. The seeds are every fixture under testdata plus a few hand-made fragments;
// `go test` runs the seeds, `go test -fuzz=FuzzParse` explores from them.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.svd")
	more, _ := filepath.Glob("testdata/diag/*.svd")
	for _, s := range append(seeds, more...) {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"<device/>",
		"<device><peripherals><peripheral derivedFrom=\"P\"><name>P</name></peripheral></peripherals></device>",
		"<device><peripherals><peripheral><name>P%s</name><dim>3</dim><dimIncrement>0x10</dimIncrement><dimIndex>A-C</dimIndex><baseAddress>0</baseAddress></peripheral></peripherals></device>",
		"<device><width>64</width><peripherals><peripheral><name>P</name><baseAddress>0</baseAddress><registers><cluster><name>C[%s]</name><dim>2</dim><dimIncrement>4</dimIncrement><addressOffset>0</addressOffset><cluster><name>D</name><addressOffset>0</addressOffset><register derivedFrom=\"P.C.D.R\"><name>R</name><addressOffset>0</addressOffset></register></cluster></cluster></registers></peripheral></peripherals></device>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, diags := Parse("f.svd", data)
		checkLocated(t, diags)
		if d == nil {
			if !diags.HasErrors() {
				t.Fatalf("no device and no error")
			}
			return
		}
		r, rdiags := Resolve(d, Options{})
		checkLocated(t, rdiags)
		if r == nil {
			t.Fatal("Resolve returned nil for a device")
		}
		_ = r.Count()
		for _, p := range r.Peripherals {
			Walk(p, func(_ []*Cluster, reg *Register) {
				if reg.Props.Size.Val == 0 || !reg.Props.Access.Set || !reg.Props.ResetMask.Set {
					t.Fatalf("register %s has incomplete properties: %+v", reg.Name, reg.Props)
				}
				for _, f := range reg.Fields {
					if uint64(f.BitOffset)+uint64(f.BitWidth) > uint64(reg.Props.Size.Val) || f.BitWidth == 0 {
						t.Fatalf("field %s [%d+%d] left outside %d-bit register %s", f.Name, f.BitOffset, f.BitWidth, reg.Props.Size.Val, reg.Name)
					}
				}
			})
		}
	})
}

// checkLocated requires every diagnostic to point inside the input and to print.
func checkLocated(t *testing.T, ds Diagnostics) {
	t.Helper()
	for _, d := range ds {
		if d.Pos.File != "f.svd" || d.Pos.Line < 1 || d.Pos.Col < 1 || d.Code == "" || d.Message == "" {
			t.Fatalf("diagnostic not located: %#v", d)
		}
		if s := d.String(); !strings.HasPrefix(s, "f.svd:") {
			t.Fatalf("bad String(): %q", s)
		}
	}
}

// TestHugeFile: a 100 MB file is refused with a located error, before it is read into
// memory, both from a file and from bytes.
func TestHugeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 100 MB file")
	}
	path := filepath.Join(t.TempDir(), "huge.svd")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	head := "<?xml version=\"1.0\"?>\n<device><name>H</name><description>"
	fh.WriteString(head)
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	for i := 0; i < 100; i++ {
		fh.Write(chunk)
	}
	fh.WriteString("</description></device>\n")
	fh.Close()

	d, diags, err := Load(path, Options{})
	if d != nil || err == nil || len(diags) != 1 || diags[0].Code != CodeTooLarge ||
		diags[0].Pos != (Pos{path, 1, 1}) {
		t.Fatalf("Load of a 100 MB file: %v %v %v", d, diags, err)
	}
	if !strings.HasPrefix(err.Error(), path+":1:1: E003:") {
		t.Errorf("error %q is not located", err)
	}
	_, diags = Parse("b.svd", make([]byte, MaxFileSize+1))
	if len(diags) != 1 || diags[0].Code != CodeTooLarge {
		t.Errorf("Parse of %d bytes: %v", MaxFileSize+1, diags)
	}
}

// TestParseFileMissing: I/O errors are errors, not diagnostics.
func TestParseFileMissing(t *testing.T) {
	_, diags, err := ParseFile(filepath.Join(t.TempDir(), "absent.svd"))
	if err == nil || diags != nil {
		t.Fatalf("ParseFile of a missing file: %v, %v", diags, err)
	}
	if _, _, err := Load(filepath.Join(t.TempDir(), "absent.svd"), Options{}); err == nil {
		t.Fatal("Load of a missing file: no error")
	}
}
