package irqblock_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/gohal/gohal/cmd/gohalvet/irqblock"
)

func TestIRQBlock(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), irqblock.Analyzer, "a")
}
