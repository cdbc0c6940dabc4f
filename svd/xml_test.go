package svd

import (
	"strings"
	"testing"
)

// TestXMLPositions checks line and column of elements and attributes across CRLF line ends,
// tabs, a BOM, comments, CDATA, a DOCTYPE and processing instructions.
func TestXMLPositions(t *testing.T) {
	src := "\xef\xbb\xbf<?xml version=\"1.0\"?>\r\n" + // line 1
		"<!DOCTYPE device [ <!ELEMENT device ANY> ]>\r\n" + // 2
		"<!-- a <comment> with markup -->\r\n" + // 3
		"<device a=\"1\"\r\n" + // 4
		"\tb='x &amp; y'>\r\n" + // 5
		"\t<name><![CDATA[<raw>]]> &#65;&#x42;</name><?pi x?>\r\n" + // 6
		"  <e/>\r\n" + // 7
		"</device>\r\n"
	d, err := parseXML(src)
	if err != nil {
		t.Fatalf("parse: %+v", err)
	}
	root := &d.nodes[d.root]
	eq(t, "root", root.name, "device")
	eq(t, "root line", root.line, 4)
	eq(t, "root col", root.col, 1)
	if len(d.attrs) != 2 {
		t.Fatalf("attrs: %+v", d.attrs)
	}
	eq(t, "attr b value", d.attrs[1].value, "x & y")
	eq(t, "attr b line", d.attrs[1].line, 5)
	eq(t, "attr b col", d.attrs[1].col, 2)
	name := &d.nodes[root.first]
	eq(t, "name line", name.line, 6)
	eq(t, "name col", name.col, 2)
	eq(t, "name text", name.text, "<raw> AB")
	e := &d.nodes[name.next]
	eq(t, "e", e.name, "e")
	eq(t, "e line", e.line, 7)
	eq(t, "e col", e.col, 3)
	eq(t, "e self-closing", e.end, strings.Index(src, "<e/>")+4)
	l, c := d.posAny(strings.Index(src, "<e/>"))
	eq(t, "posAny line", l, 7)
	eq(t, "posAny col", c, 3)
}

// TestXMLErrors: every well-formedness error is found and located.
func TestXMLErrors(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"empty", "", 1, 1, "no root element"},
		{"text only", "hello", 1, 1, "text before the root"},
		{"truncated tag", "<device><na", 1, 9, "unterminated start tag"},
		{"truncated element", "<device>\n <name>x</name>\n", 3, 1, "<device> opened at line 1 column 1 is not closed"},
		{"mismatch", "<device>\n<a></b></device>", 2, 4, "</b> does not match <a>"},
		{"stray end", "<device></device></x>", 1, 18, "without a start tag"},
		{"two roots", "<device/><device/>", 1, 10, "second root element"},
		{"text after root", "<device/>\nx", 2, 1, "text after the root"},
		{"bad entity", "<device>a &foo; b</device>", 1, 11, "unknown entity &foo;"},
		{"bare ampersand", "<device>a & b</device>", 1, 11, "'&' not starting an entity"},
		{"bad char ref", "<device>&#0;</device>", 1, 9, "invalid character reference"},
		{"lt in attribute", `<device a="<"/>`, 1, 12, "'<' in attribute value"},
		{"unquoted attribute", `<device a=1/>`, 1, 11, "not quoted"},
		{"duplicate attribute", `<device a="1" a="2"/>`, 1, 15, "duplicate attribute a"},
		{"attribute without value", `<device a/>`, 1, 10, "without a value"},
		{"lone lt", "<device>< </device>", 1, 9, "not followed by an element name"},
		{"unterminated comment", "<device><!-- x", 1, 9, "unterminated comment"},
		{"unterminated cdata", "<device><![CDATA[ x", 1, 9, "unterminated CDATA"},
		{"unterminated pi", "<?xml ", 1, 1, "unterminated processing instruction"},
		{"cdata end in text", "<device>]]></device>", 1, 9, "']]>' in character data"},
		{"deep", strings.Repeat("<a>", maxDepth+1), 1, 3*maxDepth + 1, "nested more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := parseXML(tt.src)
			if err == nil {
				t.Fatal("no error")
			}
			line, col := d.pos(err.off)
			if int(line) != tt.line || int(col) != tt.col || !strings.Contains(err.msg, tt.msg) {
				t.Errorf("error at %d:%d %q, want %d:%d containing %q", line, col, err.msg, tt.line, tt.col, tt.msg)
			}
		})
	}
}

// TestParseBadInput: whatever the bytes, Parse returns located errors and no panic.
func TestParseBadInput(t *testing.T) {
	tests := []struct {
		name string
		data string
		code string
		line int
	}{
		{"binary", "\x7fELF\x02\x01\x01\x00\x00", CodeBinary, 1},
		{"nul in text", "<device>\n<name>a\x00</name></device>", CodeBinary, 2},
		{"truncated", "<?xml version=\"1.0\"?>\n<device>\n<name>T</name>\n<peripherals>\n<peripheral>\n<name>P", CodeXML, 6},
		{"not svd", "<html><body/></html>", CodeRoot, 1},
		{"wrong element type", "<device><name>T</name><peripherals><register><name>R</name></register></peripherals></device>", CodeMisplaced, 1},
		{"negative", "<device><name>T</name><peripherals><peripheral><name>P</name><baseAddress>-1</baseAddress></peripheral></peripherals></device>", CodeRange, 1},
		{"huge", "<device><name>T</name><peripherals><peripheral><name>P</name><baseAddress>99999999999999999999999</baseAddress></peripheral></peripherals></device>", CodeRange, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := Parse("in.svd", []byte(tt.data))
			if !diags.HasErrors() {
				t.Fatalf("no error: %v", diags)
			}
			found := false
			for _, d := range diags {
				if d.Code == tt.code && d.Pos.Line == tt.line && d.Pos.File == "in.svd" && d.Severity == Error {
					found = true
				}
			}
			if !found {
				t.Errorf("want %s at line %d, got:\n%s", tt.code, tt.line, diagText(diags))
			}
		})
	}
}

// TestLatin1 reads a file in Latin-1 when it says so, without a warning.
func TestLatin1(t *testing.T) {
	src := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<device><name>T</name><description>caf\xe9</description></device>"
	d, diags := Parse("l.svd", []byte(src))
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	eq(t, "description", d.Description, "café")
}

// TestUTF16 reads a UTF-16 file (either byte order) as if it were UTF-8.
func TestUTF16(t *testing.T) {
	src := "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<device>\n<name>Tü</name></device>"
	for _, big := range []bool{false, true} {
		b := []byte{0xFF, 0xFE}
		if big {
			b = []byte{0xFE, 0xFF}
		}
		for _, r := range src {
			if big {
				b = append(b, byte(r>>8), byte(r))
			} else {
				b = append(b, byte(r), byte(r>>8))
			}
		}
		d, diags := Parse("u.svd", b)
		if len(diags) != 0 || d == nil {
			t.Fatalf("big=%v: %v", big, diags)
		}
		eq(t, "name", d.Name, "Tü")
		eq(t, "device line", d.Pos.Line, 2)
	}
}
