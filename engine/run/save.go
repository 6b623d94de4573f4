package run

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoCheckpoint reports a run that has no checkpoint yet.
var ErrNoCheckpoint = errors.New("the run has no checkpoint")

// SaveCheckpoint writes c as the run's checkpoint for its step and returns
// the file's path. First it syncs the open metrics file, so that every row
// appended before the checkpoint is on disk with it.
//
// The file is written atomically; once it is in place, only it and the
// newest checkpoint of an earlier step are kept. Older ones go, and so do
// ones of later steps: those belong to training that was abandoned when the
// run resumed from an earlier checkpoint. A checkpoint that cannot be removed
// is left for the next save to retry. An error leaves every earlier
// checkpoint as it was.
func (d *Dir) SaveCheckpoint(c *Checkpoint) (string, error) {
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("run: save checkpoint of step %d: %w", c.Step, err)
	}

	head, data, err := encodeCheckpoint(c)
	if err != nil {
		return fail(err)
	}

	d.mu.Lock()
	metrics := d.metrics
	d.mu.Unlock()
	if metrics != nil {
		if err := metrics.Sync(); err != nil {
			return fail(err)
		}
	}

	dir := filepath.Join(d.Path, checkpointsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(describeWriteError(err))
	}
	path := filepath.Join(dir, stepFileName(c.Step, checkpointExt))
	err = writeAtomic(path, 0o644, func(w io.Writer) error {
		if _, err := w.Write(head); err != nil {
			return err
		}
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return fail(err)
	}

	d.mu.Lock()
	delete(d.damaged, path)
	d.mu.Unlock()
	d.pruneCheckpoints(c.Step)
	return path, nil
}

// pruneCheckpoints removes every checkpoint but the one of step and the
// newest one before it that LatestCheckpoint has not found damaged, so that
// the one kept to fall back on can be used.
func (d *Dir) pruneCheckpoints(step int) {
	files, err := d.ListCheckpoints()
	if err != nil {
		return
	}
	d.mu.Lock()
	previous := -1
	for _, f := range files {
		if f.Step < step && !d.damaged[f.Path] {
			previous = f.Step
		}
	}
	d.mu.Unlock()
	for _, f := range files {
		if f.Step != step && f.Step != previous {
			os.Remove(f.Path)
		}
	}
}

// markDamaged records a checkpoint that does not read back, so that pruning
// never keeps it as the one to fall back on.
func (d *Dir) markDamaged(path string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.damaged == nil {
		d.damaged = map[string]bool{}
	}
	d.damaged[path] = true
}

// LatestCheckpoint loads the newest checkpoint that reads back intact. When
// newer ones are damaged or not ganvas checkpoints, it falls back to an
// older one and says so in warning, in words for the person; otherwise
// warning is empty. A run without checkpoints gives ErrNoCheckpoint; one
// where none reads back gives ErrCorruptCheckpoint naming each file and its
// fault. A checkpoint from a newer ganvas stops the search with
// ErrNewerFormat rather than quietly resuming from an older one.
func (d *Dir) LatestCheckpoint() (c *Checkpoint, warning string, err error) {
	files, err := d.ListCheckpoints()
	if err != nil {
		return nil, "", err
	}
	if len(files) == 0 {
		return nil, "", fmt.Errorf("run: load checkpoint: %w", ErrNoCheckpoint)
	}

	var faults []string
	for i := len(files) - 1; i >= 0; i-- {
		f := files[i]
		c, err := readCheckpointFile(f.Path)
		if err == nil && c.Step != f.Step {
			err = fmt.Errorf("%w: it holds step %d", ErrCorruptCheckpoint, c.Step)
		}
		if errors.Is(err, ErrNewerFormat) {
			return nil, "", fmt.Errorf("run: load checkpoint: %w", err)
		}
		if err != nil {
			faults = append(faults, fmt.Sprintf("%s: %v", filepath.Base(f.Path), err))
			d.markDamaged(f.Path)
			continue
		}

		if len(faults) > 0 {
			warning = fmt.Sprintf("resumed from the checkpoint of step %d because newer "+
				"ones could not be used: %s", c.Step, strings.Join(faults, "; "))
		}
		return c, warning, nil
	}
	return nil, "", fmt.Errorf("run: load checkpoint: %w: no checkpoint reads back (%s)",
		ErrCorruptCheckpoint, strings.Join(faults, "; "))
}
