package consumed_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/gohal/gohal/cmd/gohalvet/consumed"
)

func TestConsumed(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), consumed.Analyzer, "a")
}
