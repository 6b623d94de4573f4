package run

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// StepFile is a file of a run that belongs to a training step: a sample grid
// or a checkpoint.
type StepFile struct {
	Step int
	Path string
}

// Extensions of the files named by step.
const (
	sampleExt     = ".png"
	checkpointExt = ".safetensors"
)

// stepFileName names the file of step: "step-000120.png". Six digits keep
// the names of ordinary runs in order for a file browser; larger steps
// simply take more.
func stepFileName(step int, ext string) string {
	return fmt.Sprintf("step-%06d%s", step, ext)
}

// parseStepFileName returns the step of a name that stepFileName would give
// exactly, and false for any other name (temporary files included).
func parseStepFileName(name, ext string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "step-")
	if !ok {
		return 0, false
	}
	digits, ok = strings.CutSuffix(digits, ext)
	if !ok || len(digits) < 6 || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	step, err := strconv.Atoi(digits)
	if err != nil || stepFileName(step, ext) != name {
		return 0, false
	}
	return step, true
}

// listStepFiles lists the files of dir named by step with ext, by step from
// oldest to newest. A missing dir holds no files.
func listStepFiles(dir, ext string) ([]StepFile, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}

	var files []StepFile
	for _, e := range entries {
		step, ok := parseStepFileName(e.Name(), ext)
		if ok && e.Type().IsRegular() {
			files = append(files, StepFile{step, filepath.Join(dir, e.Name())})
		}
	}
	slices.SortFunc(files, func(a, b StepFile) int { return a.Step - b.Step })
	return files, nil
}

// SaveSample writes img as the run's sample grid for step, in PNG,
// atomically, replacing any earlier grid of the same step. It returns the
// file's path.
func (d *Dir) SaveSample(step int, img image.Image) (string, error) {
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("run: save sample of step %d: %w", step, err)
	}
	if step < 0 {
		return fail(fmt.Errorf("negative step"))
	}

	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fail(err)
	}
	dir := filepath.Join(d.Path, samplesDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(describeWriteError(err))
	}
	path := filepath.Join(dir, stepFileName(step, sampleExt))
	if err := writeAtomicBytes(path, buf.Bytes(), 0o644); err != nil {
		return fail(err)
	}
	return path, nil
}

// ListSamples lists the run's sample grids by step, oldest first. A run with
// no samples yet gives an empty list.
func (d *Dir) ListSamples() ([]StepFile, error) {
	files, err := listStepFiles(filepath.Join(d.Path, samplesDir), sampleExt)
	if err != nil {
		return nil, fmt.Errorf("run: list samples: %w", err)
	}
	return files, nil
}

// ListCheckpoints lists the run's checkpoint files by step, oldest first,
// without reading them. A run with no checkpoint gives an empty list.
func (d *Dir) ListCheckpoints() ([]StepFile, error) {
	files, err := listStepFiles(filepath.Join(d.Path, checkpointsDir), checkpointExt)
	if err != nil {
		return nil, fmt.Errorf("run: list checkpoints: %w", err)
	}
	return files, nil
}
