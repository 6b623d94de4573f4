package app

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"ganvas/engine"
)

// TestLoadingLines checks what the command line shows while a large folder
// loads into a log file: a line when loading starts, one at each interval,
// nothing in between, and nothing at all for a small folder.
func TestLoadingLines(t *testing.T) {
	var out bytes.Buffer
	bar := &progressBar{w: &out, interval: time.Hour}
	bar.loading(engine.Loading{Done: 0, Total: 20000})
	bar.loading(engine.Loading{Done: 5000, Total: 20000})
	if got := out.String(); got != "Loading 20000 images...\n" {
		t.Errorf("output %q, want one line saying loading has started", got)
	}
	bar.interval = 0
	bar.loading(engine.Loading{Done: 10000, Total: 20000})
	if !strings.HasSuffix(out.String(), "Loading images: 10000 of 20000\n") {
		t.Errorf("output %q, want a line with the count after the interval", out.String())
	}

	out.Reset()
	small := &progressBar{w: &out, interval: time.Hour}
	small.loading(engine.Loading{Done: 0, Total: 12})
	small.loading(engine.Loading{Done: 12, Total: 12})
	if out.Len() != 0 {
		t.Errorf("a folder of 12 images printed %q while loading", out.String())
	}
}
