package nn

import (
	"math/rand/v2"
	"runtime"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// layerKernel builds a layer over input nodes shaped like inputs and
// returns its kernel and which inputs it differentiates.
func layerKernel(t testing.TB, build func(in []*G.Node) (*G.Node, error),
	inputs ...*tensor.Dense) (kernel, []bool) {
	t.Helper()
	g := G.NewGraph()
	nodes := make([]*G.Node, len(inputs))
	for i, v := range inputs {
		nodes[i] = node(g, v)
	}
	out, err := build(nodes)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := out.Op().(*forwardOp)
	if !ok {
		t.Fatalf("layer op is %T, not a kernel of this package", out.Op())
	}
	return f.k, f.need
}

// passes runs k forward then backward, as one training step does, with an
// output gradient of ones.
func passes(t testing.TB, k kernel, need []bool, inputs []*tensor.Dense, dy []float32) []float32 {
	out, err := k.forward(inputs)
	if err != nil {
		t.Fatal(err)
	}
	o, err := floats(out)
	if err != nil {
		t.Fatal(err)
	}
	if dy == nil {
		dy = make([]float32, len(o))
		for i := range dy {
			dy[i] = 1
		}
	}
	if _, err := k.backward(dy, need); err != nil {
		t.Fatal(err)
	}
	return dy
}

// benchLayer times the forward and backward passes of the layer build adds.
func benchLayer(b *testing.B, build func(in []*G.Node) (*G.Node, error), inputs ...*tensor.Dense) {
	k, need := layerKernel(b, build, inputs...)
	dy := passes(b, k, need, inputs, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		passes(b, k, need, inputs, dy)
	}
}

// steadyBytes returns the bytes the heap grows by per forward and backward
// pass of the layer build adds, once its buffers exist.
func steadyBytes(t *testing.T, build func(in []*G.Node) (*G.Node, error),
	inputs ...*tensor.Dense) float64 {
	t.Helper()
	k, need := layerKernel(t, build, inputs...)
	dy := passes(t, k, need, inputs, nil)
	const runs = 5
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		passes(t, k, need, inputs, dy)
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / runs
}

// TestBuffersAreReused checks that, once a layer has run, further passes
// at training sizes allocate no buffers: what little they allocate is the
// bookkeeping of the worker goroutines and of reading tensor data.
func TestBuffersAreReused(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 38))
	policy := DiffAugment
	labels := randomLabels(rng, 64, 10)
	for _, tc := range []struct {
		name   string
		build  func(in []*G.Node) (*G.Node, error)
		inputs []*tensor.Dense
	}{
		{"augment", func(in []*G.Node) (*G.Node, error) {
			return Augment(in[0], &policy, rng, true)
		}, []*tensor.Dense{randomTensor(rng, 0.5, 64, 64, 64, 3)}},
		{"spectral norm", func(in []*G.Node) (*G.Node, error) {
			return SpectralNorm(in[0], NewSpectralState(256, rng), true)
		}, []*tensor.Dense{randomTensor(rng, 0.02, 2048, 256)}},
		{"minibatch stddev", func(in []*G.Node) (*G.Node, error) {
			return MinibatchStdDev(in[0], 4)
		}, []*tensor.Dense{randomTensor(rng, 1, 64, 4, 4, 256)}},
		{"class embedding", func(in []*G.Node) (*G.Node, error) {
			return ClassEmbed(labels, in[0])
		}, []*tensor.Dense{randomTensor(rng, 1, 10, 128)}},
		{"concat", func(in []*G.Node) (*G.Node, error) {
			return Concat(in[0], in[1])
		}, []*tensor.Dense{randomTensor(rng, 1, 64, 1, 1, 100), randomTensor(rng, 1, 64, 1, 1, 128)}},
		{"projection", func(in []*G.Node) (*G.Node, error) {
			return Projection(in[0], labels, in[1])
		}, []*tensor.Dense{randomTensor(rng, 1, 64, 1, 1, 512), randomTensor(rng, 1, 10, 512)}},
		{"add", func(in []*G.Node) (*G.Node, error) {
			return Add(in[0], in[1])
		}, []*tensor.Dense{randomTensor(rng, 1, 64, 1, 1, 1), randomTensor(rng, 1, 64, 1, 1, 1)}},
		{"global sum", func(in []*G.Node) (*G.Node, error) {
			return GlobalSum(in[0])
		}, []*tensor.Dense{randomTensor(rng, 1, 64, 4, 4, 512)}},
	} {
		if bytes := steadyBytes(t, tc.build, tc.inputs...); bytes > 4096 {
			t.Errorf("%s: %.0f bytes allocated per forward and backward pass", tc.name, bytes)
		}
	}
}
