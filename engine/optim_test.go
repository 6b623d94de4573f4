package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gradNodes binds each gradient to a node of a fresh graph, as a training
// graph's gradient nodes hold their values after a run.
func gradNodes(grads [][]float32) []*G.Node {
	g := G.NewGraph()
	nodes := make([]*G.Node, len(grads))
	for i, v := range grads {
		t := tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v))
		nodes[i] = G.NewTensor(g, tensor.Float32, 1, G.WithShape(len(v)), G.WithValue(t))
	}
	return nodes
}

// TestAdamMatchesDefinition checks the split update against Adam with
// PyTorch's bias correction, computed in float64, over parameters of
// several sizes (so the workers' shares cross parameter boundaries) and two
// gradient sets, one of which repeats a node that must count once.
func TestAdamMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	cfg := adamConfig{LearningRate: 2e-3, Beta1: 0.5, Beta2: 0.999}
	sizes := []int{3, 1000, 1, 77}
	var params []Param
	var want [][]float64
	for _, n := range sizes {
		v := make([]float32, n)
		w := make([]float64, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
			w[i] = float64(v[i])
		}
		params = append(params, Param{Value: tensor.New(tensor.WithShape(n), tensor.WithBacking(v))})
		want = append(want, w)
	}
	m, v := make([][]float64, len(sizes)), make([][]float64, len(sizes))
	for i, n := range sizes {
		m[i], v[i] = make([]float64, n), make([]float64, n)
	}

	a := newAdam(cfg, params)
	for step := 1; step <= 3; step++ {
		first, second := make([][]float32, len(sizes)), make([][]float32, len(sizes))
		for i, n := range sizes {
			first[i], second[i] = make([]float32, n), make([]float32, n)
			for j := range n {
				first[i][j] = float32(rng.NormFloat64())
				second[i][j] = float32(rng.NormFloat64())
			}
		}
		set1, set2 := gradNodes(first), gradNodes(second)
		set2[1] = set1[1] // parameter 1's gradient node appears in both sets
		a.update(params, set1, set2)

		for i, n := range sizes {
			for j := range n {
				g := float64(first[i][j])
				if i != 1 {
					g += float64(second[i][j])
				}
				m[i][j] = cfg.Beta1*m[i][j] + (1-cfg.Beta1)*g
				v[i][j] = cfg.Beta2*v[i][j] + (1-cfg.Beta2)*g*g
				mHat := m[i][j] / (1 - math.Pow(cfg.Beta1, float64(step)))
				vHat := v[i][j] / (1 - math.Pow(cfg.Beta2, float64(step)))
				want[i][j] -= cfg.LearningRate * mHat / (math.Sqrt(vHat) + 1e-8)
			}
		}
	}
	for i, p := range params {
		for j, got := range p.Value.Float32s() {
			if d := math.Abs(float64(got) - want[i][j]); d > 1e-5 {
				t.Fatalf("parameter %d[%d] = %v, want %v", i, j, got, want[i][j])
			}
		}
	}
}

// BenchmarkAdam times one update of the dcgan64 generator's parameters.
func BenchmarkAdam(b *testing.B) {
	m, err := NewModel(BenchModels["dcgan64"], rand.New(rand.NewPCG(6, 6)))
	if err != nil {
		b.Fatal(err)
	}
	grads := make([][]float32, len(m.Generator.Params))
	for i, p := range m.Generator.Params {
		grads[i] = make([]float32, p.Value.Shape().TotalSize())
		for j := range grads[i] {
			grads[i][j] = 1e-3 * float32(j%17)
		}
	}
	nodes := gradNodes(grads)
	a := newAdam(adamConfig{2e-4, 0.5, 0.999}, m.Generator.Params)
	a.update(m.Generator.Params, nodes)
	b.ReportAllocs()
	start := cpuSeconds()
	b.ResetTimer()
	for b.Loop() {
		a.update(m.Generator.Params, nodes)
	}
	b.ReportMetric((cpuSeconds()-start)*1e3/float64(b.N), "cpu-ms/op")
}
