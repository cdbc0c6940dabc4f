package golden

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestAccessInTypes proves that the generated API rejects, at compile time, what the SVD
// forbids: writing a read-only register, reading a write-only one, storing a value of one
// register in another, setting a read-only field, passing one field's enum to another. Each
// snippet is type-checked against the golden uart package; a valid snippet shows the harness
// itself accepts correct code.
func TestAccessInTypes(t *testing.T) {
	const uartPath = "github.com/gohal/gohal/golden/demo/uart"
	// The compiler's export data for the package and its dependencies, as go list builds it.
	out, err := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}}={{.Export}}", uartPath).Output()
	if err != nil {
		t.Fatalf("go list -export %s: %v", uartPath, err)
	}
	export := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, file, ok := strings.Cut(line, "="); ok && file != "" {
			export[path] = file
		}
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) { return os.Open(export[path]) })
	cases := []struct {
		name, code, wantErr string
	}{
		{"valid read-modify-write", `u.CONF0.Write(u.CONF0.Read().WithPARITY_EN(true).WithBIT_NUM(uart.BIT_NUM_BITS8))`, ""},
		{"valid W1C write and read-only read", `u.INT_CLR.Write(uart.INT_CLRValue(0).WithTX_DONE(true)); _ = u.STATUS.Read().RXFIFO_CNT()`, ""},
		{"write a read-only register", `u.STATUS.Write(uart.STATUSValue(0))`, "u.STATUS.Write undefined"},
		{"modify a read-only register", `u.STATUS.Modify(func(v uart.STATUSValue) uart.STATUSValue { return v })`, "u.STATUS.Modify undefined"},
		{"read a write-only register", `_ = u.INT_CLR.Read()`, "u.INT_CLR.Read undefined"},
		{"read a writeOnce register", `_ = u.KEY.Read()`, "u.KEY.Read undefined"},
		{"value of register A into register B", `u.CONF0.Write(u.DIV.Read())`, "cannot use u.DIV.Read()"},
		{"reset value of register A into register B", `u.EVENTS.Write(uart.CONF0Reset)`, "cannot use uart.CONF0Reset"},
		{"set a read-only field", `_ = uart.CONF0Reset.WithBUSY(true)`, "WithBUSY undefined"},
		{"get a write-only field", `_ = uart.CONF0Reset.TXFIFO_RST()`, "TXFIFO_RST undefined"},
		{"enum of another field", `_ = uart.CONF0Reset.WithBIT_NUM(uart.PARITY_ODD)`, "cannot use uart.PARITY_ODD"},
		{"untyped integer variable into an enum setter", `n := uint32(2); _ = uart.CONF0Reset.WithBIT_NUM(n)`, "cannot use n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "package snippet\n\nimport \"" + uartPath + "\"\n\nfunc f(u *uart.UART) {\n" + c.code + "\n}\n"
			f, err := parser.ParseFile(fset, "snippet.go", src, 0)
			if err != nil {
				t.Fatal(err)
			}
			var errs []string
			conf := types.Config{
				Importer: imp,
				Error:    func(err error) { errs = append(errs, err.Error()) },
			}
			conf.Check("snippet", fset, []*ast.File{f}, nil)
			got := strings.Join(errs, "\n")
			switch {
			case c.wantErr == "" && got != "":
				t.Errorf("valid code rejected:\n%s", got)
			case c.wantErr != "" && !strings.Contains(got, c.wantErr):
				t.Errorf("want an error containing %q, got:\n%s", c.wantErr, got)
			}
		})
	}
}
