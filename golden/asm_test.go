package golden

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestZeroCost proves the generated layer adds nothing to the register cell's own load and
// store. It compiles testdata/asmcheck against golden/demo with the mmio_plain cells (bare
// memory accesses, no simulator) for three architectures and reads the assembly the compiler
// prints: each idiom must be free of calls, and touch its register with exactly the loads and
// stores the idiom needs — one of each for a read-modify-write, one store for a write built
// from constants.
func TestZeroCost(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles for three architectures")
	}
	// Offsets of the registers in uart.UART (golden/demo/uart): CONF0 0x4, EVENTS 0x10,
	// COMPARE 0x28. The layout test of that package pins them.
	want := map[string]struct {
		off           int
		loads, stores int
	}{
		"ModifyBit":      {0x4, 1, 1},
		"ModifyEnum":     {0x4, 1, 1},
		"ModifyW1C":      {0x10, 1, 1},
		"WriteComposed":  {0x4, 1, 1},
		"WriteFromReset": {0x4, 0, 1},
		"Modify64":       {0x28, 1, 1},
	}
	for _, arch := range []string{"amd64", "arm64", "riscv64"} {
		t.Run(arch, func(t *testing.T) {
			funcs := compileAsm(t, arch)
			for name, w := range want {
				body, ok := funcs[name]
				if !ok {
					t.Errorf("%s: no assembly for %s", arch, name)
					continue
				}
				a := analyse(body)
				if len(a.calls) > 0 || a.loads != w.loads || a.stores != w.stores || a.other > 0 || a.offsetsOK(w.off) != nil {
					t.Errorf("%s %s: %d calls %v, %d loads, %d stores (want %d, %d), %d other memory accesses, offsets %v:\n%s",
						arch, name, len(a.calls), a.calls, a.loads, a.stores, w.loads, w.stores, a.other, a.offsets, strings.Join(body, "\n"))
				}
			}
		})
	}
}

// compileAsm builds the asmcheck package and returns each function's instructions.
func compileAsm(t *testing.T, arch string) map[string][]string {
	t.Helper()
	// -a would rebuild the standard library; a private cache makes the compiler run (and
	// print) without it, and the package imports nothing from std.
	cmd := exec.Command("go", "build", "-tags", "mmio_plain", "-gcflags=-S", "-o", os.DevNull, "./testdata/asmcheck")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0", "GOCACHE="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build for %s: %v\n%s", arch, err, out)
	}
	funcs := map[string][]string{}
	header := regexp.MustCompile(`^(\S+)\.(\w+) STEXT`)
	var cur string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := header.FindStringSubmatch(line); m != nil {
			cur = ""
			if strings.HasSuffix(m[1], "asmcheck") {
				cur = m[2]
			}
			continue
		}
		if cur == "" || !strings.HasPrefix(line, "\t0x") {
			if !strings.HasPrefix(line, "\t") {
				cur = ""
			}
			continue
		}
		// "\t0x0000 00000 (file.go:12)\tMOVL\t4(AX), CX"
		parts := strings.SplitN(line, "\t", 4)
		if len(parts) < 3 {
			continue
		}
		instr := strings.TrimSpace(strings.Join(parts[2:], "\t"))
		op := strings.Fields(instr)[0]
		if op == "PCDATA" || op == "FUNCDATA" || op == "TEXT" {
			continue
		}
		funcs[cur] = append(funcs[cur], instr)
	}
	return funcs
}

type asmStats struct {
	calls                []string
	loads, stores, other int
	offsets              []int
}

func (a asmStats) offsetsOK(off int) error {
	for _, o := range a.offsets {
		if o != off {
			return os.ErrInvalid
		}
	}
	return nil
}

var memOperand = regexp.MustCompile(`^(-?\d+)?\(([A-Z0-9]+)\)$`)

// analyse classifies a function's instructions. Go assembly puts the source operand first
// and the destination last on every architecture, so a memory operand first is a load, last
// a store, and last in an arithmetic instruction (amd64's ORL $1, 4(AX)) both.
func analyse(body []string) asmStats {
	var a asmStats
	for _, instr := range body {
		f := strings.Fields(instr)
		op := f[0]
		switch op {
		case "CALL", "BL", "JAL", "CALLR":
			a.calls = append(a.calls, instr)
			continue
		case "RET", "JMP", "B", "NOP", "HINT":
			continue
		}
		rest := strings.TrimSpace(strings.TrimPrefix(instr, op))
		if rest == "" {
			continue
		}
		ops := strings.Split(rest, ",")
		for i := range ops {
			ops[i] = strings.TrimSpace(ops[i])
		}
		for i, o := range ops {
			m := memOperand.FindStringSubmatch(o)
			if m == nil {
				continue
			}
			if m[2] == "SP" || m[2] == "RSP" || m[2] == "FP" || m[2] == "X2" {
				a.other++ // a stack access: the generated layer spilled something
				continue
			}
			off := 0
			if m[1] != "" {
				for _, c := range strings.TrimPrefix(m[1], "-") {
					off = off*10 + int(c-'0')
				}
			}
			a.offsets = append(a.offsets, off)
			isMove := strings.HasPrefix(op, "MOV")
			switch {
			case i == len(ops)-1 && isMove:
				a.stores++
			case i == len(ops)-1:
				a.loads++
				a.stores++
			default:
				a.loads++
			}
		}
	}
	return a
}
