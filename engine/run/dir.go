package run

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// RunFormat is the version of the run directory layout and config.json
// that this build writes and the newest it opens.
const RunFormat = 1

// Names inside a run directory.
const (
	configFile     = "config.json"
	metricsFile    = "metrics.csv"
	samplesDir     = "samples"
	checkpointsDir = "checkpoints"
)

// ErrNotRun reports a path that does not hold a ganvas run: it is missing,
// it is a file, or it is a directory without a run's config.json.
var ErrNotRun = errors.New("not a ganvas run")

// ErrRunExists reports a Create at a path that already holds a run.
var ErrRunExists = errors.New("a run already exists there")

// ErrNotEmpty reports a Create in a directory that holds other files, which
// a run must not be mixed with.
var ErrNotEmpty = errors.New("the directory is not empty")

// Dir is an open run directory. Its methods may be called from several
// goroutines; writes to one run must come from one process at a time.
type Dir struct {
	// Path is the run directory as given to Create or Open.
	Path string

	mu      sync.Mutex
	metrics *MetricsWriter  // the open metrics file, synced before checkpoints
	damaged map[string]bool // checkpoints LatestCheckpoint found unusable
}

// configEnvelope is the content of config.json: the caller's config as it
// marshals, under a format version this package checks.
type configEnvelope struct {
	Format *int            `json:"format"`
	Config json.RawMessage `json:"config"`
}

// Create makes a new run at path and stores config (any value that marshals
// to JSON) in its config.json. The directory is created if missing; an
// existing one must be empty but for hidden files. Create refuses a path
// that is a file (ErrNotRun), holds a run (ErrRunExists), holds a
// config.json that does not read (its fault), or holds other files
// (ErrNotEmpty).
func Create(path string, config any) (*Dir, error) {
	fail := func(err error) (*Dir, error) {
		return nil, fmt.Errorf("run: create %s: %w", path, err)
	}

	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fail(err)
	case !info.IsDir():
		return fail(fmt.Errorf("it is a file: %w", ErrNotRun))
	case IsRun(path):
		return fail(ErrRunExists)
	default:
		// A config.json that does not read is a damaged run, not a folder
		// to start afresh in.
		if _, err := os.Stat(filepath.Join(path, configFile)); err == nil {
			_, err := readConfig(path)
			return fail(err)
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			return fail(err)
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), ".") {
				return fail(fmt.Errorf("%w (it holds %s)", ErrNotEmpty, e.Name()))
			}
		}
	}

	// The samples and checkpoints directories are made when first written,
	// so that a Create that fails leaves at most an empty directory, which
	// a second attempt accepts.
	if err := os.MkdirAll(path, 0o755); err != nil {
		return fail(describeWriteError(err))
	}
	d := &Dir{Path: path}
	if err := d.writeConfig(config); err != nil {
		return fail(err)
	}
	return d, nil
}

// Open opens the run at path. It refuses a missing path, a file, or a
// directory without a run's config.json (all ErrNotRun), and a run written by
// a newer ganvas (ErrNewerFormat). It removes temporary files that a crash
// left behind long enough ago that no save can still be writing them.
func Open(path string) (*Dir, error) {
	fail := func(err error) (*Dir, error) {
		return nil, fmt.Errorf("run: open %s: %w", path, err)
	}

	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail(fmt.Errorf("no such directory: %w", ErrNotRun))
	case err != nil:
		return fail(err)
	case !info.IsDir():
		return fail(fmt.Errorf("it is a file: %w", ErrNotRun))
	}
	if _, err := readConfig(path); err != nil {
		return fail(err)
	}

	now := time.Now()
	for _, sub := range []string{"", samplesDir, checkpointsDir} {
		removeStaleTemps(filepath.Join(path, sub), now)
	}
	return &Dir{Path: path}, nil
}

// IsRun reports whether path is a directory holding a run's config.json,
// whatever its format version: a run from a newer ganvas is still a run,
// though Open refuses it.
func IsRun(path string) bool {
	_, err := readConfig(path)
	return err == nil || errors.Is(err, ErrNewerFormat)
}

// LoadConfig decodes the run's stored config into v, as json.Unmarshal would.
func (d *Dir) LoadConfig(v any) error {
	env, err := readConfig(d.Path)
	if err != nil {
		return fmt.Errorf("run: load config: %w", err)
	}
	if err := json.Unmarshal(env.Config, v); err != nil {
		return fmt.Errorf("run: load config: %s: %w", configFile, err)
	}
	return nil
}

// SaveConfig replaces the run's stored config with config, atomically.
func (d *Dir) SaveConfig(config any) error {
	if err := d.writeConfig(config); err != nil {
		return fmt.Errorf("run: save config: %w", err)
	}
	return nil
}

func (d *Dir) writeConfig(config any) error {
	raw, err := json.Marshal(config)
	if err != nil {
		return fmt.Errorf("the config cannot be stored as JSON: %w", err)
	}
	format := RunFormat
	data, err := json.MarshalIndent(configEnvelope{&format, raw}, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	return writeAtomicBytes(filepath.Join(d.Path, configFile), data, 0o644)
}

// readConfig reads and checks config.json in the run directory dir.
func readConfig(dir string) (*configEnvelope, error) {
	data, err := os.ReadFile(filepath.Join(dir, configFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no %s: %w", configFile, ErrNotRun)
	case err != nil:
		return nil, err
	}

	var env configEnvelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("%s is damaged: %w", configFile, err)
	}
	switch {
	case env.Format == nil:
		return nil, fmt.Errorf("%s has no format version: %w", configFile, ErrNotRun)
	case *env.Format > RunFormat:
		return nil, fmt.Errorf("%w (run format %d, this build reads %d or older)",
			ErrNewerFormat, *env.Format, RunFormat)
	case *env.Format < 1:
		return nil, fmt.Errorf("%s has format %d, which no ganvas wrote: %w",
			configFile, *env.Format, ErrNotRun)
	}
	return &env, nil
}
