package run

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// keptDir holds checkpoints pinned by KeepCheckpoint, out of reach of the
// pruning that keeps only the newest two.
const keptDir = "kept"

// ErrStepGone reports that no checkpoint of a requested step survives.
var ErrStepGone = errors.New("no checkpoint of that step is kept")

// KeepCheckpoint pins the checkpoint of step so that pruning never removes
// it: a favourite or an exported image stays reproducible for as long as the
// run exists. Pinning a step twice is harmless. It returns the pinned file.
func (d *Dir) KeepCheckpoint(step int) (string, error) {
	name := stepFileName(step, checkpointExt)
	kept := filepath.Join(d.Path, checkpointsDir, keptDir, name)
	if _, err := os.Stat(kept); err == nil {
		return kept, nil
	}
	src := filepath.Join(d.Path, checkpointsDir, name)
	if _, err := os.Stat(src); err != nil {
		return "", fmt.Errorf("run: keep checkpoint of step %d: %w", step, ErrStepGone)
	}
	if err := os.MkdirAll(filepath.Dir(kept), 0o755); err != nil {
		return "", fmt.Errorf("run: keep checkpoint of step %d: %w", step, describeWriteError(err))
	}
	// A hard link costs no space; where links fail, a copy will do.
	if err := os.Link(src, kept); err == nil {
		return kept, syncDir(filepath.Dir(kept))
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("run: keep checkpoint of step %d: %w", step, err)
	}
	if err := WriteFileAtomic(kept, data, 0o644); err != nil {
		return "", fmt.Errorf("run: keep checkpoint of step %d: %w", step, err)
	}
	return kept, nil
}

// CheckpointAt reads the checkpoint of exactly step, from the newest two or
// the kept ones, and returns ErrStepGone when none survives.
func (d *Dir) CheckpointAt(step int) (*Checkpoint, error) {
	name := stepFileName(step, checkpointExt)
	for _, path := range []string{
		filepath.Join(d.Path, checkpointsDir, name),
		filepath.Join(d.Path, checkpointsDir, keptDir, name),
	} {
		c, err := ReadCheckpoint(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return c, err
	}
	return nil, fmt.Errorf("run: checkpoint of step %d: %w", step, ErrStepGone)
}
