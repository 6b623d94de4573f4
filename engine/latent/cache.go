package latent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"ganvas/engine/run"
)

// DirectionsVersion is the format version Save writes and ReadDirections
// reads.
const DirectionsVersion = 1

// maxDirectionsFile bounds what ReadDirections reads, far above any real
// file (20 directions of a 4096-wide layer take about 2 MB).
const maxDirectionsFile = 256 << 20

// Errors ReadDirections returns for known conditions.
var (
	ErrCorruptDirections = errors.New("directions file is damaged")
	ErrNewerDirections   = errors.New("directions file comes from a newer ganvas")
)

// DirectionsPath returns where the directions for the checkpoint at step are
// cached inside a run directory.
func DirectionsPath(runDir string, step int) string {
	return filepath.Join(runDir, "directions", fmt.Sprintf("step-%06d.json", step))
}

// Save writes the directions to path as JSON, replacing any file there
// atomically: a crash leaves either the old file or the new one. Missing
// parent directories are created.
func (d *Directions) Save(path string) error {
	saved := *d
	saved.Version = DirectionsVersion
	data, err := json.Marshal(&saved)
	if err != nil {
		return fmt.Errorf("latent: save directions: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("latent: save directions: %w", err)
	}
	if err := run.WriteFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("latent: save directions: %w", err)
	}
	return nil
}

// LoadDirections reads directions that Save wrote to path.
func LoadDirections(path string) (*Directions, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("latent: load directions: %w", err)
	}
	defer f.Close()

	d, err := ReadDirections(f)
	if err != nil {
		return nil, fmt.Errorf("latent: load directions %s: %w", path, err)
	}
	return d, nil
}

// ReadDirections decodes directions in the format Save writes and checks
// that they are whole: every vector as long as the latent, every list the
// same length, every number finite. Damage wraps ErrCorruptDirections; a
// file of a later format version wraps ErrNewerDirections.
func ReadDirections(r io.Reader) (*Directions, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxDirectionsFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxDirectionsFile {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrCorruptDirections, maxDirectionsFile)
	}

	var d Directions
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&d); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptDirections, err)
	}
	if d.Version > DirectionsVersion {
		return nil, fmt.Errorf("%w: version %d, this ganvas reads %d",
			ErrNewerDirections, d.Version, DirectionsVersion)
	}
	if err := d.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptDirections, err)
	}
	return &d, nil
}

// check reports the first inconsistency in d.
func (d *Directions) check() error {
	k := len(d.Vectors)
	switch {
	case d.Version != DirectionsVersion:
		return fmt.Errorf("version %d", d.Version)
	case d.Dim <= 0:
		return fmt.Errorf("latent length %d", d.Dim)
	case k == 0 || k > d.Requested:
		return fmt.Errorf("%d directions of %d requested", k, d.Requested)
	case len(d.Sigma) != k || len(d.Variance) != k || len(d.Components) != k:
		return fmt.Errorf("%d vectors but %d sigmas, %d variances and %d components",
			k, len(d.Sigma), len(d.Variance), len(d.Components))
	case !(d.TotalVariance > 0) || math.IsInf(d.TotalVariance, 0):
		return fmt.Errorf("total variance %g", d.TotalVariance)
	}

	width := len(d.Components[0])
	for i := range k {
		if len(d.Vectors[i]) != d.Dim {
			return fmt.Errorf("direction %d has length %d, not %d", i+1, len(d.Vectors[i]), d.Dim)
		}
		if len(d.Components[i]) != width || width == 0 {
			return fmt.Errorf("component %d has length %d, not %d",
				i+1, len(d.Components[i]), width)
		}
		if !finiteNonNegative(d.Sigma[i]) || !finiteNonNegative(d.Variance[i]) {
			return fmt.Errorf("direction %d: sigma %g, variance %g", i+1, d.Sigma[i], d.Variance[i])
		}
		if !finite(d.Vectors[i]) || !finite(d.Components[i]) {
			return fmt.Errorf("direction %d holds a number that is not finite", i+1)
		}
	}
	return nil
}

// CachedDirections returns the directions for the checkpoint at cfg.Step of
// the run in runDir: read from DirectionsPath when a cached file was
// computed with the same latent length, samples, seed and components, and
// otherwise computed by ComputeDirections and saved there for next time.
// A damaged cache file is computed afresh and replaced. A cache that cannot
// be written is not an error: the directions are still returned, and the
// failure is reported through saveErr.
func CachedDirections(ctx context.Context, runDir string, act ActivationFunc,
	cfg DirectionsConfig) (d *Directions, saveErr error, err error) {
	cfg = cfg.withDefaults()
	path := DirectionsPath(runDir, cfg.Step)
	if cached, err := LoadDirections(path); err == nil && cached.matches(cfg) {
		return cached, nil, nil
	}

	d, err = ComputeDirections(ctx, act, cfg)
	if err != nil {
		return nil, nil, err
	}
	return d, d.Save(path), nil
}

// matches reports whether d was computed with cfg.
func (d *Directions) matches(cfg DirectionsConfig) bool {
	return d.Step == cfg.Step && d.Dim == cfg.Dim && d.Samples == cfg.Samples &&
		d.Seed == cfg.Seed && d.Requested == cfg.Components
}

func finite(v []float32) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

func finiteNonNegative(x float64) bool {
	return x >= 0 && !math.IsInf(x, 0)
}
