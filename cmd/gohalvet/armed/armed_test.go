package armed_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/gohal/gohal/cmd/gohalvet/armed"
)

func TestArmed(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), armed.Analyzer, "a")
}
