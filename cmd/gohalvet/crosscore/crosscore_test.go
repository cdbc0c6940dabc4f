package crosscore_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/gohal/gohal/cmd/gohalvet/crosscore"
)

func TestCrossCore(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), crosscore.Analyzer, "a")
}
