package run

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// TestMetricsAppendDiskFull points a writer at /dev/full, which refuses
// every write as a full disk would, and which cannot be truncated either:
// the error must say the disk is full, and the writer must then refuse to
// append rather than risk a row joined to half of another.
func TestMetricsAppendDiskFull(t *testing.T) {
	d := newRun(t)
	w, err := d.OpenMetrics(lossColumns, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	appendRows(t, w, 1)

	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.file.Close()
	w.file = full

	err = w.Append(2, 1, 2, 3)
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "the disk is full") {
		t.Fatalf("error %v, want ErrDiskFull", err)
	}
	err = w.Append(3, 1, 2, 3)
	if err == nil || !strings.Contains(err.Error(), "could not be repaired") {
		t.Errorf("append after an unrepaired failure: error %v", err)
	}
	if m := readMetrics(t, d); len(m.Rows) != 1 || m.Skipped != 0 {
		t.Errorf("metrics %d rows, %d skipped; want the one row before the failure",
			len(m.Rows), m.Skipped)
	}
}
