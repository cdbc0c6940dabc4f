package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// taskCostPairs are the builds of the task-cost step's probe program (testdata/taskcost):
// each pair differs only in the build tag straight, which makes one of its two tasks an
// async.Go task instead of a stackless one, so the difference of their flash is what the
// first straight-line task of a program costs. Flash here is the bytes of code and
// read-only data (flashByPackage's total), not -size's figure, which also counts the
// padding before aligned code (rt's trap vector is 256-byte aligned): that moves by up to
// 255 bytes with any change elsewhere. budget is the most it may cost: issue 17's target,
// 1.5 KB.
var taskCostPairs = []struct {
	what   string
	tags   string // besides straight
	budget int
}{
	{"in a program without timers", "", 1_536},
	{"in a program whose tasks already use timers", "timer", 1_536},
}

// taskCost builds the probe programs for the ESP32-C3 and prints, and checks against its
// budget, the flash the first straight-line task adds.
func (r *runner) taskCost() error {
	tmp, err := os.MkdirTemp("", "tinygorun-taskcost-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	const pkg = "./internal/tinygorun/testdata/taskcost"
	flash := map[string]int{} // by tags
	var mu sync.Mutex
	var wg sync.WaitGroup
	var errs []error
	for _, p := range taskCostPairs {
		for _, tags := range []string{p.tags, strings.TrimSpace(p.tags + " straight")} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				elfPath := filepath.Join(tmp, strings.ReplaceAll(tags, " ", "_")+".elf")
				_, err := r.output(context.Background(), r.tinygo, "build", "-target=esp32c3", "-tags", tags, "-o", elfPath, pkg)
				var pkgs []pkgBytes
				if err == nil {
					pkgs, err = flashByPackage(elfPath)
				}
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, fmt.Errorf("%s -tags %q: %v", pkg, tags, err))
					return
				}
				for _, b := range pkgs {
					flash[tags] += int(b.bytes)
				}
			}()
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, p := range taskCostPairs {
		stackless, straight := flash[p.tags], flash[strings.TrimSpace(p.tags+" straight")]
		cost := straight - stackless
		fmt.Printf("  first async.Go task %s: %d B of code and read-only data (%d -> %d B), budget %d\n", p.what, cost, stackless, straight, p.budget)
		if cost > p.budget {
			errs = append(errs, fmt.Errorf("the first async.Go task %s costs %d B of flash, over its budget of %d B (internal/tinygorun taskCostPairs): find what grew", p.what, cost, p.budget))
		}
	}
	return errors.Join(errs...)
}
