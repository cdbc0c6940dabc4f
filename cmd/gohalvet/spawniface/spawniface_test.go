package spawniface_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/gohal/gohal/cmd/gohalvet/spawniface"
)

func TestSpawnIface(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), spawniface.Analyzer, "a")
}
