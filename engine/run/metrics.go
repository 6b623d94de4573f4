package run

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// stepColumn is the first column of metrics.csv.
const stepColumn = "step"

// Metrics is the content of a run's metrics.csv.
type Metrics struct {
	// Columns names the columns, "step" first.
	Columns []string
	// Rows holds one row per logged step, in file order; each row has a value
	// per column, the step first. An empty cell reads as NaN.
	Rows [][]float64
	// Skipped counts the lines that could not be read: a last line cut short
	// by a crash, or a damaged one. They are left out of Rows.
	Skipped int
}

// Column returns the values of the named column, one per row, or nil when
// there is no such column.
func (m *Metrics) Column(name string) []float64 {
	i := slices.Index(m.Columns, name)
	if i < 0 {
		return nil
	}
	values := make([]float64, len(m.Rows))
	for r, row := range m.Rows {
		values[r] = row[i]
	}
	return values
}

// ReadMetrics reads the run's metrics.csv. A run that has logged nothing yet
// gives empty Metrics. Lines that cannot be read are counted in Skipped, not
// returned as errors, so that a crash never hides the rows before it.
func (d *Dir) ReadMetrics() (*Metrics, error) {
	data, err := os.ReadFile(filepath.Join(d.Path, metricsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &Metrics{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("run: read metrics: %w", err)
	}
	m, err := parseMetrics(data)
	if err != nil {
		return nil, fmt.Errorf("run: read metrics: %w", err)
	}
	return m, nil
}

// parseMetrics reads the text of a metrics file. A last line without its
// newline is taken for a write that a crash cut short and is skipped even if
// it looks whole: "12,0.5" may be the start of "12,0.53".
func parseMetrics(data []byte) (*Metrics, error) {
	lines := strings.Split(string(data), "\n")
	m := &Metrics{}
	if last := lines[len(lines)-1]; last != "" {
		m.Skipped++
	}
	lines = lines[:len(lines)-1]
	if len(lines) == 0 {
		return m, nil
	}

	m.Columns = strings.Split(strings.TrimSuffix(lines[0], "\r"), ",")
	if m.Columns[0] != stepColumn {
		return nil, fmt.Errorf("%s does not start with a %q column, so ganvas did not write it",
			metricsFile, stepColumn)
	}
	for _, line := range lines[1:] {
		row, ok := parseMetricsRow(strings.TrimSuffix(line, "\r"), len(m.Columns))
		if !ok {
			m.Skipped++
			continue
		}
		m.Rows = append(m.Rows, row)
	}
	return m, nil
}

// parseMetricsRow reads one row of n cells: a step, then numbers or blanks.
func parseMetricsRow(line string, n int) ([]float64, bool) {
	cells := strings.Split(line, ",")
	if len(cells) != n {
		return nil, false
	}
	step, err := strconv.Atoi(cells[0])
	if err != nil || step < 0 {
		return nil, false
	}

	row := make([]float64, n)
	row[0] = float64(step)
	for i, cell := range cells[1:] {
		if cell == "" {
			row[i+1] = math.NaN()
			continue
		}
		v, err := strconv.ParseFloat(cell, 64)
		if err != nil {
			return nil, false
		}
		row[i+1] = v
	}
	return row, true
}

// MetricsWriter appends rows to a run's metrics.csv. Its methods may be
// called from several goroutines. Close it when training stops.
type MetricsWriter struct {
	dir    *Dir
	mu     sync.Mutex
	file   *os.File // nil once closed
	values int      // value columns per row, the step aside
	size   int64    // bytes in the file up to the end of its last whole row
	broken error    // a failed write that could not be undone
	line   []byte
}

// OpenMetrics opens the run's metrics.csv for appending rows of the given
// value columns; the file's first column, "step", is added before them.
//
// The file is repaired first: a line cut short by a crash is dropped, and so
// is every row of a step after resumeStep, the step training continues from
// (0 for a fresh start), so that a resumed run has no duplicate steps.
// Values of columns that an older file lacks are left blank; columns that
// are no longer written are dropped. Repairs replace the file atomically.
//
// Only one MetricsWriter may be open per Dir. SaveCheckpoint syncs it.
func (d *Dir) OpenMetrics(columns []string, resumeStep int) (*MetricsWriter, error) {
	fail := func(err error) (*MetricsWriter, error) {
		return nil, fmt.Errorf("run: open metrics: %w", err)
	}
	if err := checkColumns(columns); err != nil {
		return fail(err)
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	if d.metrics != nil {
		return fail(errors.New("metrics.csv is already open for writing"))
	}

	path := filepath.Join(d.Path, metricsFile)
	header := append([]string{stepColumn}, columns...)
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fail(err)
	}
	old, err := parseMetrics(data)
	if err != nil {
		return fail(err)
	}
	rows := len(old.Rows)
	kept := slices.DeleteFunc(old.Rows, func(row []float64) bool {
		return row[0] > float64(resumeStep)
	})
	if len(data) == 0 || !slices.Equal(old.Columns, header) || old.Skipped > 0 ||
		len(kept) < rows {
		text := formatMetrics(header, old.Columns, kept)
		if err := writeAtomicBytes(path, text, 0o644); err != nil {
			return fail(err)
		}
	}

	file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fail(describeWriteError(err))
	}
	info, err := file.Stat()
	if err != nil {
		file.Close()
		return fail(err)
	}
	w := &MetricsWriter{dir: d, file: file, values: len(columns), size: info.Size()}
	d.metrics = w
	return w, nil
}

// checkColumns refuses column names that would break the file's simple CSV.
func checkColumns(columns []string) error {
	for i, c := range columns {
		switch {
		case c == "" || strings.ContainsAny(c, ",\"\r\n"):
			return fmt.Errorf("column name %q is empty or holds a comma, quote or newline", c)
		case c == stepColumn:
			return fmt.Errorf("column %q is added by the metrics file itself", c)
		case slices.Contains(columns[:i], c):
			return fmt.Errorf("column %q is named twice", c)
		}
	}
	return nil
}

// formatMetrics writes a metrics file with header and rows, whose values are
// laid out as in the columns from; values of missing columns are blank.
func formatMetrics(header, from []string, rows [][]float64) []byte {
	var b bytes.Buffer
	b.WriteString(strings.Join(header, ","))
	b.WriteByte('\n')

	index := make([]int, len(header))
	for i, name := range header {
		index[i] = slices.Index(from, name)
	}
	var line []byte
	for _, row := range rows {
		line = strconv.AppendInt(line[:0], int64(row[0]), 10)
		for _, j := range index[1:] {
			line = append(line, ',')
			if j >= 0 {
				line = appendValue(line, row[j])
			}
		}
		b.Write(append(line, '\n'))
	}
	return b.Bytes()
}

// appendValue formats v as the shortest text that reads back to the same
// float64; a NaN, which marks a missing value, is left blank.
func appendValue(line []byte, v float64) []byte {
	if math.IsNaN(v) {
		return line
	}
	return strconv.AppendFloat(line, v, 'g', -1, 64)
}

// Append adds a row for step with one value per column given to
// OpenMetrics. The row is written with a single system call and is visible
// to ReadMetrics at once; it is durable after Sync, Close or the next
// SaveCheckpoint. A NaN value is written as a blank cell. A failed write
// leaves no part of its row in the file.
func (w *MetricsWriter) Append(step int, values ...float64) error {
	w.mu.Lock()
	defer w.mu.Unlock()

	fail := func(err error) error {
		return fmt.Errorf("run: append metrics of step %d: %w", step, err)
	}
	switch {
	case w.file == nil:
		return fail(errors.New("metrics.csv is closed"))
	case w.broken != nil:
		return fail(w.broken)
	case len(values) != w.values:
		return fail(fmt.Errorf("%d values for %d columns", len(values), w.values))
	case step < 0:
		return fail(errors.New("negative step"))
	}

	w.line = strconv.AppendInt(w.line[:0], int64(step), 10)
	for _, v := range values {
		w.line = appendValue(append(w.line, ','), v)
	}
	w.line = append(w.line, '\n')

	n, err := w.file.Write(w.line)
	if err != nil {
		// Part of the row may have reached the file; cut it off so the next
		// row does not run into it.
		if terr := w.file.Truncate(w.size); terr != nil {
			w.broken = fmt.Errorf("metrics.csv could not be repaired after a failed "+
				"write; open it again: %w", terr)
		}
		return fail(describeWriteError(err))
	}
	w.size += int64(n)
	return nil
}

// Sync makes every appended row durable.
func (w *MetricsWriter) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.file == nil {
		return nil
	}
	if err := w.file.Sync(); err != nil {
		return fmt.Errorf("run: sync metrics: %w", describeWriteError(err))
	}
	return nil
}

// Close syncs and closes the file, after which the Dir may open it again.
// Closing twice does nothing.
func (w *MetricsWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.file == nil {
		return nil
	}

	err := w.file.Sync()
	if cerr := w.file.Close(); err == nil {
		err = cerr
	}
	w.file = nil

	w.dir.mu.Lock()
	if w.dir.metrics == w {
		w.dir.metrics = nil
	}
	w.dir.mu.Unlock()

	if err != nil {
		return fmt.Errorf("run: close metrics: %w", describeWriteError(err))
	}
	return nil
}
