package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naiveConv is the textbook definition of the convolution in conv.go.
func naiveConv(x []float32, n, h, w, c int, wt []float32, cout, k, stride, pad int) []float32 {
	oh, ow := (h+2*pad-k)/stride+1, (w+2*pad-k)/stride+1
	y := make([]float32, n*oh*ow*cout)
	for b := 0; b < n; b++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				for o := 0; o < cout; o++ {
					var s float32
					for ky := 0; ky < k; ky++ {
						for kx := 0; kx < k; kx++ {
							iy, ix := oy*stride-pad+ky, ox*stride-pad+kx
							if iy < 0 || iy >= h || ix < 0 || ix >= w {
								continue
							}
							for ci := 0; ci < c; ci++ {
								s += x[((b*h+iy)*w+ix)*c+ci] * wt[((ky*k+kx)*c+ci)*cout+o]
							}
						}
					}
					y[((b*oh+oy)*ow+ox)*cout+o] = s
				}
			}
		}
	}
	return y
}

func runForward(t *testing.T, build func(g *G.ExprGraph) (*G.Node, error)) []float32 {
	t.Helper()
	g := G.NewGraph()
	out, err := build(g)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), data(out.Value().(*tensor.Dense))...)
}

func node(g *G.ExprGraph, v *tensor.Dense) *G.Node {
	return G.NewTensor(g, tensor.Float32, v.Dims(), G.WithShape(v.Shape()...), G.WithValue(v))
}

func TestConvMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ n, h, c, cout, k, stride, pad int }{
		{2, 8, 3, 4, 4, 2, 1},
		{1, 4, 5, 1, 4, 1, 0},
		{3, 5, 2, 3, 3, 1, 1},
	} {
		x := randomTensor(rng, 1, tc.n, tc.h, tc.h, tc.c)
		w := randomTensor(rng, 1, tc.k*tc.k*tc.c, tc.cout)
		got := runForward(t, func(g *G.ExprGraph) (*G.Node, error) {
			return Conv(node(g, x), node(g, w), tc.k, tc.stride, tc.pad, Linear, false, false)
		})
		want := naiveConv(data(x), tc.n, tc.h, tc.h, tc.c, data(w), tc.cout, tc.k, tc.stride, tc.pad)
		assertClose(t, got, want)
	}
}

// TestDeconvIsAdjoint checks the defining property of a transposed
// convolution: <deconv(x), y> = <x, conv(y)> for the same weights.
func TestDeconvIsAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, cin, cout, k = 2, 3, 4, 4
	for _, tc := range []struct{ h, stride, pad int }{{1, 1, 0}, {4, 2, 1}} {
		x := randomTensor(rng, 1, n, tc.h, tc.h, cin)
		w := randomTensor(rng, 1, cin, k*k*cout)
		y := runForward(t, func(g *G.ExprGraph) (*G.Node, error) {
			return Deconv(node(g, x), node(g, w), k, tc.stride, tc.pad, Linear, false, false)
		})
		oh := (tc.h-1)*tc.stride - 2*tc.pad + k
		probe := randomTensor(rng, 1, n, oh, oh, cout)
		// conv weight rows (ky,kx,cout), cols cin: the transpose of w.
		wt := make([]float32, k*k*cout*cin)
		for i := 0; i < cin; i++ {
			for j := 0; j < k*k*cout; j++ {
				wt[j*cin+i] = data(w)[i*k*k*cout+j]
			}
		}
		back := naiveConv(data(probe), n, oh, oh, cout, wt, cin, k, tc.stride, tc.pad)
		if a, b := dot(y, data(probe)), dot(data(x), back); math.Abs(a-b) > 1e-3*math.Abs(a) {
			t.Errorf("h=%d: <deconv x, y> = %v but <x, conv y> = %v", tc.h, a, b)
		}
	}
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func assertClose(t *testing.T, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d values, want %d", len(got), len(want))
	}
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > 1e-4*math.Max(1, math.Abs(float64(want[i]))) {
			t.Fatalf("value %d: got %v, want %v", i, got[i], want[i])
		}
	}
}
