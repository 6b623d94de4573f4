package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestMinibatchStdDevGradients(t *testing.T) {
	for _, tc := range []struct {
		shape []int
		group int
	}{
		{[]int{4, 2, 2, 3}, 2},
		{[]int{6, 1, 1, 4}, 3},
		{[]int{3, 2, 3, 2}, 3},
	} {
		checkGradients(t, gradCase{
			name:   "minibatch stddev",
			shapes: [][]int{tc.shape},
			build: func(in []*G.Node) (*G.Node, error) {
				return MinibatchStdDev(in[0], tc.group)
			},
		})
	}
}

// naiveGroupStdDev is the definition: the mean over features of the
// standard deviation of each feature across the group.
func naiveGroupStdDev(x []float32, first, group, features int) float64 {
	var total float64
	for j := 0; j < features; j++ {
		var mean, sq float64
		for i := first; i < first+group; i++ {
			mean += float64(x[i*features+j])
		}
		mean /= float64(group)
		for i := first; i < first+group; i++ {
			d := float64(x[i*features+j]) - mean
			sq += d * d
		}
		total += math.Sqrt(sq/float64(group) + stddevEpsilon)
	}
	return total / float64(features)
}

func TestMinibatchStdDevMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, tc := range []struct {
		n, h, c, group int
	}{
		{4, 2, 3, 2},
		{4, 2, 3, 4},
		{6, 3, 1, 3},
	} {
		x := randomTensor(rng, 1, tc.n, tc.h, tc.h, tc.c)
		got := runForward(t, func(g *G.ExprGraph) (*G.Node, error) {
			return MinibatchStdDev(node(g, x), tc.group)
		})
		features, pixels := tc.h*tc.h*tc.c, tc.h*tc.h
		var want []float32
		for i := 0; i < tc.n; i++ {
			stat := naiveGroupStdDev(data(x), i/tc.group*tc.group, tc.group, features)
			for p := 0; p < pixels; p++ {
				want = append(want, data(x)[(i*pixels+p)*tc.c:(i*pixels+p+1)*tc.c]...)
				want = append(want, float32(stat))
			}
		}
		assertClose(t, got, want)
	}
}

// TestMinibatchStdDevSeesCollapse checks what the layer is for: a batch of
// one image repeated gets about 0 in the extra channel, a varied batch
// gets clearly more.
func TestMinibatchStdDevSeesCollapse(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const n, side, c = 8, 4, 16
	one := randomTensor(rng, 1, 1, side, side, c)
	same := tensor.New(tensor.WithShape(n, side, side, c), tensor.Of(tensor.Float32))
	for i := 0; i < n; i++ {
		copy(data(same)[i*side*side*c:], data(one))
	}
	varied := randomTensor(rng, 1, n, side, side, c)
	extra := func(x *tensor.Dense) []float32 {
		y := runForward(t, func(g *G.ExprGraph) (*G.Node, error) {
			return MinibatchStdDev(node(g, x), 4)
		})
		var ch []float32
		for p := c; p < len(y); p += c + 1 {
			ch = append(ch, y[p])
		}
		return ch
	}
	for i, v := range extra(same) {
		if v > 1e-3 {
			t.Fatalf("identical images: extra channel %d is %v, want about 0", i, v)
		}
	}
	for i, v := range extra(varied) {
		if v < 0.5 {
			t.Fatalf("varied images of unit spread: extra channel %d is %v, want above 0.5", i, v)
		}
	}
}

func TestMinibatchStdDevErrors(t *testing.T) {
	g := G.NewGraph()
	for _, tc := range []struct {
		name  string
		shape []int
		group int
	}{
		{"batch not a multiple of the group", []int{6, 2, 2, 3}, 4},
		{"group of one", []int{4, 2, 2, 3}, 1},
		{"group larger than the batch", []int{4, 2, 2, 3}, 8},
		{"not NHWC", []int{4, 12}, 2},
	} {
		x := G.NewTensor(g, tensor.Float32, len(tc.shape), G.WithShape(tc.shape...))
		if _, err := MinibatchStdDev(x, tc.group); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func BenchmarkMinibatchStdDev(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	benchLayer(b, func(in []*G.Node) (*G.Node, error) {
		return MinibatchStdDev(in[0], 4)
	}, randomTensor(rng, 1, 64, 4, 4, 256))
}
