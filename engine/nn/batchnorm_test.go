package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// naiveBatchNorm is batch normalisation by its definition, in float64: the
// output, the gradients of x, gamma and beta for the output gradient dy, and
// the running statistics after one update from fresh ones.
func naiveBatchNorm(x, gamma, beta, dy []float32, c int, act Activation) (y, dx, dg, db []float32, stats *BatchStats) {
	m := len(x) / c
	mean, variance := make([]float64, c), make([]float64, c)
	for r := 0; r < m; r++ {
		for j := 0; j < c; j++ {
			mean[j] += float64(x[r*c+j]) / float64(m)
		}
	}
	for r := 0; r < m; r++ {
		for j := 0; j < c; j++ {
			d := float64(x[r*c+j]) - mean[j]
			variance[j] += d * d / float64(m)
		}
	}
	xhat := make([]float64, len(x))
	y = make([]float32, len(x))
	for i, v := range x {
		j := i % c
		xhat[i] = (float64(v) - mean[j]) / math.Sqrt(variance[j]+bnEpsilon)
		y[i] = float32(float64(gamma[j])*xhat[i] + float64(beta[j]))
	}
	act.activate(y)
	dpre := make([]float32, len(x))
	act.gradient(dpre, y, dy)
	dg, db = make([]float32, c), make([]float32, c)
	sumD, sumDX := make([]float64, c), make([]float64, c)
	for i, d := range dpre {
		j := i % c
		sumD[j] += float64(d)
		sumDX[j] += float64(d) * xhat[i]
	}
	for j := range c {
		dg[j], db[j] = float32(sumDX[j]), float32(sumD[j])
	}
	dx = make([]float32, len(x))
	for i, d := range dpre {
		j := i % c
		inv := 1 / math.Sqrt(variance[j]+bnEpsilon)
		dx[i] = float32(float64(gamma[j]) * inv *
			(float64(d) - sumD[j]/float64(m) - xhat[i]*sumDX[j]/float64(m)))
	}
	stats = NewBatchStats(c)
	for j := range c {
		stats.Mean[j] = float32(bnMomentum * mean[j])
		unbiased := variance[j] * float64(m) / float64(m-1)
		stats.Var[j] = float32(1 + bnMomentum*(unbiased-1))
	}
	return y, dx, dg, db, stats
}

// TestBatchNormMatchesReference checks the fused, recomputing batch norm
// against its definition: output, running statistics and all three
// gradients, for batches that split unevenly over the workers.
func TestBatchNormMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, shape := range [][]int{{3, 2, 2, 5}, {7, 3, 3, 8}, {64, 4, 4, 70}, {1, 1, 1, 4}} {
		for _, act := range []Activation{Linear, ReLU, LeakyReLU} {
			name := fmt.Sprintf("%v %v", shape, act)
			c := shape[3]
			x := randomTensor(rng, 2, shape...)
			for i := range data(x) {
				data(x)[i] += float32(i%c) - 1 // channels of different means
			}
			gamma, beta := randomTensor(rng, 1, c), randomTensor(rng, 1, c)
			dy := randomTensor(rng, 1, shape...)
			wantY, wantDX, wantDG, wantDB, wantStats := naiveBatchNorm(data(x), data(gamma),
				data(beta), data(dy), c, act)

			b := newBatchNorm(c, act, true, NewBatchStats(c))
			y, err := b.forward([]*tensor.Dense{x, gamma, beta})
			if err != nil {
				t.Fatal(err)
			}
			assertCloseNamed(t, name+" output", data(y.(*tensor.Dense)), wantY)
			assertCloseNamed(t, name+" running mean", b.stats.Mean, wantStats.Mean)
			assertCloseNamed(t, name+" running variance", b.stats.Var, wantStats.Var)
			grads, err := b.backward(data(dy), []bool{true, true, true})
			if err != nil {
				t.Fatal(err)
			}
			assertCloseNamed(t, name+" input gradient", data(grads[0]), wantDX)
			assertCloseNamed(t, name+" gamma gradient", data(grads[1]), wantDG)
			assertCloseNamed(t, name+" beta gradient", data(grads[2]), wantDB)

			// Without the input gradient, the others stay the same.
			if grads, err = b.backward(data(dy), []bool{false, true, true}); err != nil {
				t.Fatal(err)
			}
			if grads[0] != nil {
				t.Errorf("%s: input gradient computed though not needed", name)
			}
			assertCloseNamed(t, name+" gamma gradient alone", data(grads[1]), wantDG)
			assertCloseNamed(t, name+" beta gradient alone", data(grads[2]), wantDB)
		}
	}
}

// TestBatchNormInferenceUsesRunningStats checks that inference normalises
// by the running statistics and leaves them alone.
func TestBatchNormInferenceUsesRunningStats(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	const c = 3
	x := randomTensor(rng, 1, 2, 2, 2, c)
	gamma, beta := randomTensor(rng, 1, c), randomTensor(rng, 1, c)
	stats := &BatchStats{Mean: []float32{0.5, -1, 2}, Var: []float32{4, 0.25, 1}}
	b := newBatchNorm(c, ReLU, false, stats)
	y, err := b.forward([]*tensor.Dense{x, gamma, beta})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float32, len(data(x)))
	for i, v := range data(x) {
		j := i % c
		n := (float64(v) - float64(stats.Mean[j])) / math.Sqrt(float64(stats.Var[j])+bnEpsilon)
		want[i] = float32(max(0, float64(data(gamma)[j])*n+float64(data(beta)[j])))
	}
	assertCloseNamed(t, "inference output", data(y.(*tensor.Dense)), want)
	if stats.Mean[1] != -1 || stats.Var[1] != 0.25 {
		t.Errorf("inference changed the running statistics to %v, %v", stats.Mean, stats.Var)
	}
	if _, err := b.backward(data(x), []bool{true, true, true}); err == nil {
		t.Error("inference batch norm returned a gradient")
	}
}

// BenchmarkBatchNorm times a forward and a backward pass of the batch
// norms of dcgan64 at batch 64.
func BenchmarkBatchNorm(b *testing.B) {
	rng := rand.New(rand.NewPCG(17, 18))
	for _, shape := range [][]int{{64, 4, 4, 256}, {64, 8, 8, 128}, {64, 16, 16, 64}, {64, 32, 32, 32}} {
		c := shape[3]
		x, dy := randomTensor(rng, 1, shape...), randomTensor(rng, 1, shape...)
		gamma, beta := randomTensor(rng, 1, c), randomTensor(rng, 1, c)
		bn := newBatchNorm(c, ReLU, true, NewBatchStats(c))
		in := []*tensor.Dense{x, gamma, beta}
		need := []bool{true, true, true}
		b.Run(fmt.Sprint(shape), func(b *testing.B) {
			if _, err := bn.forward(in); err != nil {
				b.Fatal(err)
			}
			if _, err := bn.backward(data(dy), need); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			start := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				if _, err := bn.forward(in); err != nil {
					b.Fatal(err)
				}
				if _, err := bn.backward(data(dy), need); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cpuTime()-start)*1e3/float64(b.N), "cpu-ms/op")
		})
	}
}
