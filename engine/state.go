package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"ganvas/engine/run"
)

// Checkpoint tensor names: "generator/0.weight",
// "discriminator/1.norm.running_mean", "adam/generator/0.weight.m", ...
const (
	generatorPrefix     = "generator/"
	discriminatorPrefix = "discriminator/"
	adamPrefix          = "adam/"
	emaPrefix           = "ema/"
	metaArch            = "arch"
)

func (n *Network) save(c *run.Checkpoint, prefix string) {
	for _, p := range n.Params {
		c.Tensors[prefix+p.Name] = run.Tensor{
			Shape: p.Value.Shape().Clone(),
			Data:  slices.Clone(p.Value.Data().([]float32)),
		}
	}
	for _, nm := range n.Norms {
		c.Tensors[prefix+nm.Name+".running_mean"] = vector(nm.Stats.Mean)
		c.Tensors[prefix+nm.Name+".running_var"] = vector(nm.Stats.Var)
	}
	for _, sp := range n.Spectral {
		c.Tensors[prefix+sp.Name+".spectral_u"] = vector(sp.State.U)
	}
}

func vector(x []float32) run.Tensor {
	return run.Tensor{Shape: []int{len(x)}, Data: slices.Clone(x)}
}

// load copies a checkpoint's tensors into n, which must have the same
// architecture.
func (n *Network) load(c *run.Checkpoint, prefix string) error {
	into := func(name string, dst []float32, shape []int) error {
		t, ok := c.Tensors[name]
		if !ok {
			return fmt.Errorf("the checkpoint has no tensor %q", name)
		}
		if !slices.Equal(t.Shape, shape) {
			return fmt.Errorf("tensor %q has shape %v, the model expects %v", name, t.Shape, shape)
		}
		copy(dst, t.Data)
		return nil
	}
	for _, p := range n.Params {
		if err := into(prefix+p.Name, p.Value.Data().([]float32), p.Value.Shape()); err != nil {
			return err
		}
	}
	for _, nm := range n.Norms {
		c := len(nm.Stats.Mean)
		if err := into(prefix+nm.Name+".running_mean", nm.Stats.Mean, []int{c}); err != nil {
			return err
		}
		if err := into(prefix+nm.Name+".running_var", nm.Stats.Var, []int{c}); err != nil {
			return err
		}
	}
	for _, sp := range n.Spectral {
		if err := into(prefix+sp.Name+".spectral_u", sp.State.U, []int{len(sp.State.U)}); err != nil {
			return err
		}
	}
	return nil
}

// metaClasses is the checkpoint metadata naming a conditional model's
// classes, as a JSON list.
const metaClasses = "classes"

// checkpointClasses returns the class names a checkpoint records.
func checkpointClasses(c *run.Checkpoint) []string {
	var names []string
	if err := json.Unmarshal([]byte(c.Meta[metaClasses]), &names); err != nil {
		return nil
	}
	return names
}

func (a *adam) save(c *run.Checkpoint, prefix string, params []Param) {
	for i, p := range params {
		c.Tensors[adamPrefix+prefix+p.Name+".m"] = vector(a.m[i])
		c.Tensors[adamPrefix+prefix+p.Name+".v"] = vector(a.v[i])
	}
	c.Meta[adamPrefix+prefix+"t"] = strconv.Itoa(a.t)
}

func (a *adam) load(c *run.Checkpoint, prefix string, params []Param) error {
	t, err := strconv.Atoi(c.Meta[adamPrefix+prefix+"t"])
	if err != nil {
		return fmt.Errorf("the checkpoint has no optimiser step count for %s", prefix)
	}
	a.t = t
	for i, p := range params {
		for _, mv := range []struct {
			suffix string
			dst    []float32
		}{{".m", a.m[i]}, {".v", a.v[i]}} {
			name := adamPrefix + prefix + p.Name + mv.suffix
			src, ok := c.Tensors[name]
			if !ok || len(src.Data) != len(mv.dst) {
				return fmt.Errorf("the checkpoint's optimiser state %q is missing or the wrong size", name)
			}
			copy(mv.dst, src.Data)
		}
	}
	return nil
}

// modelFromCheckpoint builds the model a checkpoint describes. Its
// generator is the moving average when the checkpoint has one.
func modelFromCheckpoint(c *run.Checkpoint) (*Model, error) {
	var a Arch
	if err := json.Unmarshal([]byte(c.Meta[metaArch]), &a); err != nil {
		return nil, fmt.Errorf("the checkpoint does not describe its model: %w", err)
	}
	m, err := NewModel(a, nil)
	if err != nil {
		return nil, err
	}
	gen := generatorPrefix
	if _, ok := c.Tensors[emaPrefix+m.Generator.Params[0].Name]; ok {
		gen = emaPrefix
	}
	if err := m.Generator.load(c, gen); err != nil {
		return nil, err
	}
	if err := m.Discriminator.load(c, discriminatorPrefix); err != nil {
		return nil, err
	}
	return m, nil
}

func archMeta(a Arch) string {
	b, _ := json.Marshal(a)
	return string(b)
}
