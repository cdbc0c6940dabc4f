package svd

import (
	"os"
	"path/filepath"
	"testing"
)

// corpusDir is the shared vendor corpus; tests and benchmarks that need it skip without it.
const corpusDir = "../../shared/svd"

// benchFiles are the largest files of the corpus, plus the esp32s3 the issue sets a target for.
var benchFiles = []string{
	"espressif/esp32s3.svd",
	"atmel/AT91SAM9G35.svd",
	"siliconlabs/EFM32PG22C200F32IM32.svd",
	"stmicro/STM32H743x.svd",
	"nxp/LPC55S69_cm33_core0.xml",
}

func readCorpus(b testing.TB, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		b.Skipf("corpus not available: %v", err)
	}
	return data
}

// BenchmarkParse measures Parse alone on the largest corpus files.
func BenchmarkParse(b *testing.B) {
	for _, name := range benchFiles {
		b.Run(filepath.Base(name), func(b *testing.B) {
			data := readCorpus(b, name)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if d, _ := Parse(name, data); d == nil {
					b.Fatal("no device")
				}
			}
		})
	}
}

// BenchmarkResolve measures Resolve (with validation) on an already parsed device.
func BenchmarkResolve(b *testing.B) {
	for _, name := range benchFiles {
		b.Run(filepath.Base(name), func(b *testing.B) {
			d, _ := Parse(name, readCorpus(b, name))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if r, _ := Resolve(d, Options{}); r == nil {
					b.Fatal("no device")
				}
			}
		})
	}
}

// BenchmarkLoad measures the whole of Parse and Resolve from bytes, the figure the issue's
// target (esp32s3.svd under 150 ms) is about.
func BenchmarkLoad(b *testing.B) {
	for _, name := range benchFiles[:1] {
		b.Run(filepath.Base(name), func(b *testing.B) {
			data := readCorpus(b, name)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				d, _ := Parse(name, data)
				if r, _ := Resolve(d, Options{}); r == nil {
					b.Fatal("no device")
				}
			}
		})
	}
}
