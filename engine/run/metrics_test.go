package run

import (
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

var lossColumns = []string{"loss_d", "loss_g", "d_real"}

// appendRows appends one row per step, with values derived from the step.
func appendRows(t *testing.T, w *MetricsWriter, steps ...int) {
	t.Helper()
	for _, s := range steps {
		if err := w.Append(s, float64(s)/3, -float64(s), 1/float64(s+1)); err != nil {
			t.Fatal(err)
		}
	}
}

// rowOf is the row appendRows writes for step.
func rowOf(step int) []float64 {
	s := float64(step)
	return []float64{s, s / 3, -s, 1 / (s + 1)}
}

func rowsOf(steps ...int) [][]float64 {
	var rows [][]float64
	for _, s := range steps {
		rows = append(rows, rowOf(s))
	}
	return rows
}

func readMetrics(t *testing.T, d *Dir) *Metrics {
	t.Helper()
	m, err := d.ReadMetrics()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMetricsAppendAndRead(t *testing.T) {
	d := newRun(t)
	if m := readMetrics(t, d); len(m.Columns) != 0 || len(m.Rows) != 0 {
		t.Errorf("new run has metrics %+v", m)
	}

	w, err := d.OpenMetrics(lossColumns, 0)
	if err != nil {
		t.Fatal(err)
	}
	appendRows(t, w, 10, 20, 30)

	// Rows are visible before Close: the window reads while training runs.
	m := readMetrics(t, d)
	wantColumns := []string{"step", "loss_d", "loss_g", "d_real"}
	if !slices.Equal(m.Columns, wantColumns) || !reflect.DeepEqual(m.Rows, rowsOf(10, 20, 30)) {
		t.Errorf("read %v %v, want %v %v", m.Columns, m.Rows, wantColumns, rowsOf(10, 20, 30))
	}
	if got := m.Column("loss_g"); !slices.Equal(got, []float64{-10, -20, -30}) {
		t.Errorf("Column(loss_g) = %v", got)
	}
	if m.Column("nope") != nil {
		t.Error("Column of a missing name is not nil")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := w.Append(40, 1, 2, 3); err == nil {
		t.Error("Append after Close gave no error")
	}

	data, err := os.ReadFile(filepath.Join(d.Path, metricsFile))
	if err != nil {
		t.Fatal(err)
	}
	want := "step,loss_d,loss_g,d_real\n" +
		"10,3.3333333333333335,-10,0.09090909090909091\n" +
		"20,6.666666666666667,-20,0.047619047619047616\n" +
		"30,10,-30,0.03225806451612903\n"
	if string(data) != want {
		t.Errorf("metrics.csv:\n%s\nwant:\n%s", data, want)
	}
}

func TestMetricsSpecialValues(t *testing.T) {
	d := newRun(t)
	w, err := d.OpenMetrics([]string{"a", "b", "c"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Append(1, math.NaN(), math.Inf(1), math.SmallestNonzeroFloat64); err != nil {
		t.Fatal(err)
	}

	row := readMetrics(t, d).Rows[0]
	if !math.IsNaN(row[1]) || !math.IsInf(row[2], 1) || row[3] != math.SmallestNonzeroFloat64 {
		t.Errorf("row %v, want [1 NaN +Inf %g]", row, math.SmallestNonzeroFloat64)
	}
}

func TestMetricsRefuses(t *testing.T) {
	d := newRun(t)
	for _, columns := range [][]string{
		{"loss,d"}, {""}, {"step"}, {"a", "a"}, {"quoted\""}, {"new\nline"},
	} {
		if w, err := d.OpenMetrics(columns, 0); err == nil {
			w.Close()
			t.Errorf("columns %q accepted", columns)
		}
	}

	w, err := d.OpenMetrics(lossColumns, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := d.OpenMetrics(lossColumns, 0); err == nil {
		t.Error("a second writer opened on the same run")
	}
	if err := w.Append(1, 1, 2); err == nil || !strings.Contains(err.Error(), "2 values for 3") {
		t.Errorf("too few values: error %v", err)
	}
	if m := readMetrics(t, d); len(m.Rows) != 0 {
		t.Errorf("refused rows were written: %v", m.Rows)
	}
}

func TestMetricsRepairAndResume(t *testing.T) {
	header := "step,loss_d,loss_g,d_real\n"
	tests := []struct {
		name       string
		file       string
		columns    []string
		resumeStep int
		want       string
	}{
		{
			name:       "clean file untouched",
			file:       header + "10,1,2,3\n20,4,5,6\n",
			columns:    lossColumns,
			resumeStep: 20,
			want:       header + "10,1,2,3\n20,4,5,6\n",
		},
		{
			name:       "line cut short by a crash",
			file:       header + "10,1,2,3\n20,4,5,6\n30,7,8",
			columns:    lossColumns,
			resumeStep: 1000,
			want:       header + "10,1,2,3\n20,4,5,6\n",
		},
		{
			name: "cut line that looks whole",
			// "30,7,8,9" may be the start of "30,7,8,9.5": without its
			// newline it cannot be trusted.
			file:       header + "10,1,2,3\n30,7,8,9",
			columns:    lossColumns,
			resumeStep: 1000,
			want:       header + "10,1,2,3\n",
		},
		{
			name:       "resume drops later rows",
			file:       header + "10,1,2,3\n20,4,5,6\n30,7,8,9\n40,1,1,1\n",
			columns:    lossColumns,
			resumeStep: 20,
			want:       header + "10,1,2,3\n20,4,5,6\n",
		},
		{
			name:       "fresh start drops everything",
			file:       header + "10,1,2,3\n",
			columns:    lossColumns,
			resumeStep: 0,
			want:       header,
		},
		{
			name:       "zeros left by a power cut",
			file:       header + "10,1,2,3\n\x00\x00\x00\x00\n",
			columns:    lossColumns,
			resumeStep: 1000,
			want:       header + "10,1,2,3\n",
		},
		{
			name:       "new column left blank, old one dropped",
			file:       "step,loss_d,old\n10,1,9\n",
			columns:    []string{"loss_d", "loss_g"},
			resumeStep: 1000,
			want:       "step,loss_d,loss_g\n10,1,\n",
		},
		{
			name:       "header only, cut",
			file:       "step,loss",
			columns:    lossColumns,
			resumeStep: 1000,
			want:       header,
		},
		{
			name:       "no file",
			columns:    lossColumns,
			resumeStep: 1000,
			want:       header,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newRun(t)
			path := filepath.Join(d.Path, metricsFile)
			if tt.file != "" {
				writeFile(t, path, tt.file)
			}

			w, err := d.OpenMetrics(tt.columns, tt.resumeStep)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(path); string(got) != tt.want {
				t.Errorf("after open:\n%q\nwant\n%q", got, tt.want)
			}

			// Rows appended after the repair follow on cleanly.
			values := make([]float64, len(tt.columns))
			if err := w.Append(5000, values...); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			m := readMetrics(t, d)
			if m.Skipped != 0 || len(m.Rows) == 0 || m.Rows[len(m.Rows)-1][0] != 5000 {
				t.Errorf("after append: %d rows, %d skipped, last %v", len(m.Rows), m.Skipped,
					m.Rows[len(m.Rows)-1])
			}
		})
	}
}

func TestReadMetricsSkipsDamage(t *testing.T) {
	d := newRun(t)
	writeFile(t, filepath.Join(d.Path, metricsFile),
		"step,loss\n1,0.5\n2,oops\n3\n-4,1\n5,\n6,0.25\n7,0.")

	m := readMetrics(t, d)
	if m.Skipped != 4 {
		t.Errorf("skipped %d lines, want 4 (oops, short, negative step, cut last line)", m.Skipped)
	}
	steps := m.Column("step")
	if !slices.Equal(steps, []float64{1, 5, 6}) {
		t.Errorf("steps %v, want [1 5 6]", steps)
	}
	if loss := m.Column("loss"); !math.IsNaN(loss[1]) || loss[2] != 0.25 {
		t.Errorf("loss %v, want [0.5 NaN 0.25]", loss)
	}
}

func TestOpenMetricsRefusesForeignFile(t *testing.T) {
	d := newRun(t)
	path := filepath.Join(d.Path, metricsFile)
	writeFile(t, path, "date,price\n2024-01-01,3\n")

	if _, err := d.OpenMetrics(lossColumns, 0); err == nil ||
		!strings.Contains(err.Error(), `does not start with a "step" column`) {
		t.Errorf("error %v, want one saying the file is not ours", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "date,price\n2024-01-01,3\n" {
		t.Errorf("foreign metrics file changed to %q", got)
	}
	if _, err := d.ReadMetrics(); err == nil {
		t.Error("ReadMetrics of a foreign file gave no error")
	}
}

func TestMetricsSyncedBeforeCheckpoint(t *testing.T) {
	// A checkpoint may only be saved once the rows before it are durable;
	// SaveCheckpoint asks the open writer. A closed writer must not be asked.
	d := newRun(t)
	w, err := d.OpenMetrics(lossColumns, 0)
	if err != nil {
		t.Fatal(err)
	}
	appendRows(t, w, 1, 2)
	if _, err := d.SaveCheckpoint(testCheckpoint(2)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := d.SaveCheckpoint(testCheckpoint(3)); err != nil {
		t.Fatalf("save after metrics closed: %v", err)
	}

	w, err = d.OpenMetrics(lossColumns, 2)
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	defer w.Close()
	if m := readMetrics(t, d); !reflect.DeepEqual(m.Rows, rowsOf(1, 2)) {
		t.Errorf("rows %v, want %v", m.Rows, rowsOf(1, 2))
	}
}

func TestOpenMetricsReadOnly(t *testing.T) {
	d := newRun(t)
	path := filepath.Join(d.Path, metricsFile)
	const before = "step,loss_d,loss_g,d_real\n10,1,2,3\n20,4,5,6\n"
	writeFile(t, path, before)
	makeReadOnly(t, d.Path)

	// Dropping step 20 needs a rewrite, which the directory refuses.
	_, err := d.OpenMetrics(lossColumns, 10)
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("error %v, want ErrReadOnly", err)
	}
	if got, _ := os.ReadFile(path); string(got) != before {
		t.Errorf("metrics changed to %q", got)
	}
}

func FuzzReadMetrics(f *testing.F) {
	f.Add([]byte("step,loss_d,loss_g\n1,0.5,0.25\n2,NaN,+Inf\n3,,1e-300\n"))
	f.Add([]byte("step,a\n1,2\n3,"))
	f.Add([]byte("step\n\n\n1\n"))
	f.Add([]byte("step,a\r\n1,2\r\n"))
	f.Add([]byte("x,y\n1,2\n"))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseMetrics(data)
		if err != nil {
			return
		}
		lines := strings.Count(string(data), "\n")
		if len(m.Rows)+m.Skipped > lines+1 {
			t.Fatalf("%d rows and %d skipped from %d lines", len(m.Rows), m.Skipped, lines)
		}
		for _, row := range m.Rows {
			if len(row) != len(m.Columns) || row[0] < 0 || row[0] != math.Trunc(row[0]) {
				t.Fatalf("row %v does not fit columns %q", row, m.Columns)
			}
		}

		// What was read writes back to a file that reads the same.
		if len(m.Columns) == 0 {
			return
		}
		again, err := parseMetrics(formatMetrics(m.Columns, m.Columns, m.Rows))
		if err != nil || again.Skipped != 0 || len(again.Rows) != len(m.Rows) {
			t.Fatalf("rewritten file reads as %+v, %v; want %d rows", again, err, len(m.Rows))
		}
	})
}

// TestConcurrentUse runs what a training session does at once: the trainer
// appends rows and saves checkpoints and samples while the window reads the
// metrics and lists the samples. Run it with -race.
func TestConcurrentUse(t *testing.T) {
	d := newRun(t)
	w, err := d.OpenMetrics(lossColumns, 0)
	if err != nil {
		t.Fatal(err)
	}

	const steps = 200
	done := make(chan struct{})
	readerErr := make(chan error, 1)
	go func() {
		defer close(readerErr)
		for {
			select {
			case <-done:
				return
			default:
			}
			m, err := d.ReadMetrics()
			if err == nil && m.Skipped > 1 {
				err = fmt.Errorf("%d lines skipped while appending", m.Skipped)
			}
			if err == nil {
				_, err = d.ListSamples()
			}
			if err != nil {
				readerErr <- err
				return
			}
		}
	}()

	var wg sync.WaitGroup
	var appendErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for step := 1; step <= steps && appendErr == nil; step++ {
			appendErr = w.Append(step, rowOf(step)[1:]...)
		}
	}()
	for step := 50; step <= steps; step += 50 {
		save(t, d, step)
		if _, err := d.SaveSample(step, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(done)
	if appendErr != nil {
		t.Fatal(appendErr)
	}
	if err := <-readerErr; err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	m := readMetrics(t, d)
	if len(m.Rows) != steps || m.Skipped != 0 {
		t.Errorf("%d rows, %d skipped; want %d and 0", len(m.Rows), m.Skipped, steps)
	}
}
