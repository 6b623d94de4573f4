package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// convShape is one convolution geometry the reference tests cover.
type convShape struct {
	n, h, c, cout, k, stride, pad int
}

func (s convShape) String() string {
	return fmt.Sprintf("n%d h%d c%d→%d k%d s%d p%d", s.n, s.h, s.c, s.cout, s.k, s.stride, s.pad)
}

// referenceShapes mixes the DCGAN layers (kernel 4, stride 2, padding 1;
// the 4×4 to one logit; the latent to 4×4) with an odd batch, batches of
// one (as a latent slider generates) and a kernel that does not divide the
// image.
var referenceShapes = []convShape{
	{4, 8, 3, 5, 4, 2, 1},
	{7, 8, 6, 4, 4, 2, 1},
	{1, 16, 4, 3, 4, 2, 1},
	{5, 4, 6, 1, 4, 1, 0},
	{1, 4, 6, 5, 4, 1, 0},
	{3, 5, 2, 3, 3, 1, 1},
}

// naiveConvBackward is the textbook gradient of naiveConv: dx and dw given
// the output gradient dy.
func naiveConvBackward(x []float32, s convShape, wt, dy []float32) (dx, dw []float32) {
	oh := (s.h+2*s.pad-s.k)/s.stride + 1
	dx = make([]float32, len(x))
	dw = make([]float32, len(wt))
	for b := 0; b < s.n; b++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < oh; ox++ {
				for o := 0; o < s.cout; o++ {
					g := dy[((b*oh+oy)*oh+ox)*s.cout+o]
					for ky := 0; ky < s.k; ky++ {
						for kx := 0; kx < s.k; kx++ {
							iy, ix := oy*s.stride-s.pad+ky, ox*s.stride-s.pad+kx
							if iy < 0 || iy >= s.h || ix < 0 || ix >= s.h {
								continue
							}
							for ci := 0; ci < s.c; ci++ {
								xi := ((b*s.h+iy)*s.h+ix)*s.c + ci
								wi := ((ky*s.k+kx)*s.c+ci)*s.cout + o
								dx[xi] += g * wt[wi]
								dw[wi] += g * x[xi]
							}
						}
					}
				}
			}
		}
	}
	return dx, dw
}

// transpose returns the rows×cols matrix m transposed.
func transpose(m []float32, rows, cols int) []float32 {
	t := make([]float32, len(m))
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			t[j*rows+i] = m[i*cols+j]
		}
	}
	return t
}

// naiveActivation applies a to a copy of y.
func naiveActivation(a Activation, y []float32) []float32 {
	out := append([]float32(nil), y...)
	a.activate(out)
	return out
}

// chunkings returns the chunk sizes to force: one image, two, and the
// layer's own choice.
func chunkings(own int) []int { return []int{1, 2, own} }

func TestConvKernelMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range referenceShapes {
		for _, act := range []Activation{Linear, LeakyReLU} {
			g, err := newGeometry(s.n, s.h, s.h, s.c, s.k, s.stride, s.pad)
			if err != nil {
				t.Fatal(err)
			}
			x := randomTensor(rng, 1, s.n, s.h, s.h, s.c)
			w := randomTensor(rng, 1, s.k*s.k*s.c, s.cout)
			pre := naiveConv(data(x), s.n, s.h, s.h, s.c, data(w), s.cout, s.k, s.stride, s.pad)
			wantY := naiveActivation(act, pre)
			dy := randomTensor(rng, 1, len(pre))
			dpre := make([]float32, len(pre))
			act.gradient(dpre, wantY, data(dy))
			wantDX, wantDW := naiveConvBackward(data(x), s, data(w), dpre)

			c := newConv(g, s.cout, act)
			for _, chunk := range chunkings(c.chunk) {
				c.chunk = chunk
				name := fmt.Sprintf("%v %v chunk %d", s, act, chunk)
				y, err := c.forward([]*tensor.Dense{x, w})
				if err != nil {
					t.Fatal(err)
				}
				assertCloseNamed(t, name+" output", data(y.(*tensor.Dense)), wantY)
				grads, err := c.backward(data(dy), []bool{true, true})
				if err != nil {
					t.Fatal(err)
				}
				assertCloseNamed(t, name+" input gradient", data(grads[0]), wantDX)
				assertCloseNamed(t, name+" weight gradient", data(grads[1]), wantDW)
			}
		}
	}
}

// TestDeconvKernelMatchesReference checks a transposed convolution against
// its definition as the adjoint of naiveConv: its output is naiveConv's
// input gradient, its input gradient is naiveConv applied to the output
// gradient, and its weight gradient is naiveConv's, transposed.
func TestDeconvKernelMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, s := range referenceShapes {
		for _, act := range []Activation{Linear, ReLU, Tanh} {
			// s describes the convolution from the deconv's output (h, c
			// channels) back to its input (cout channels).
			g, err := newGeometry(s.n, s.h, s.h, s.c, s.k, s.stride, s.pad)
			if err != nil {
				t.Fatal(err)
			}
			cin := s.cout
			x := randomTensor(rng, 1, s.n, g.oh, g.ow, cin)
			w := randomTensor(rng, 1, cin, s.k*s.k*s.c)
			convW := transpose(data(w), cin, s.k*s.k*s.c)
			zero := make([]float32, s.n*s.h*s.h*s.c)
			pre, _ := naiveConvBackward(zero, s, convW, data(x))
			wantY := naiveActivation(act, pre)
			dy := randomTensor(rng, 1, len(pre))
			dpre := make([]float32, len(pre))
			act.gradient(dpre, wantY, data(dy))
			wantDX := naiveConv(dpre, s.n, s.h, s.h, s.c, convW, cin, s.k, s.stride, s.pad)
			_, convDW := naiveConvBackward(dpre, s, convW, data(x))
			wantDW := transpose(convDW, s.k*s.k*s.c, cin)

			d := newDeconv(g, cin, act)
			for _, chunk := range chunkings(d.chunk) {
				d.chunk = chunk
				name := fmt.Sprintf("%v %v chunk %d", s, act, chunk)
				y, err := d.forward([]*tensor.Dense{x, w})
				if err != nil {
					t.Fatal(err)
				}
				assertCloseNamed(t, name+" output", data(y.(*tensor.Dense)), wantY)
				grads, err := d.backward(data(dy), []bool{true, true})
				if err != nil {
					t.Fatal(err)
				}
				assertCloseNamed(t, name+" input gradient", data(grads[0]), wantDX)
				assertCloseNamed(t, name+" weight gradient", data(grads[1]), wantDW)
			}
		}
	}
}

// TestConvKernelGradientsOnlyInNeed checks that a layer asked for one
// gradient returns nil for the other and still gets the one asked right.
func TestConvKernelGradientsOnlyInNeed(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	s := referenceShapes[1]
	g, _ := newGeometry(s.n, s.h, s.h, s.c, s.k, s.stride, s.pad)
	x := randomTensor(rng, 1, s.n, s.h, s.h, s.c)
	w := randomTensor(rng, 1, s.k*s.k*s.c, s.cout)
	pre := naiveConv(data(x), s.n, s.h, s.h, s.c, data(w), s.cout, s.k, s.stride, s.pad)
	dy := randomTensor(rng, 1, len(pre))
	wantDX, wantDW := naiveConvBackward(data(x), s, data(w), data(dy))
	for _, need := range [][]bool{{true, false}, {false, true}} {
		c := newConv(g, s.cout, Linear)
		if _, err := c.forward([]*tensor.Dense{x, w}); err != nil {
			t.Fatal(err)
		}
		grads, err := c.backward(data(dy), need)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range [][]float32{wantDX, wantDW} {
			switch {
			case need[i] && grads[i] == nil:
				t.Errorf("need %v: gradient %d missing", need, i)
			case need[i]:
				assertCloseNamed(t, fmt.Sprintf("need %v gradient %d", need, i), data(grads[i]), want)
			case grads[i] != nil:
				t.Errorf("need %v: gradient %d computed though not needed", need, i)
			}
		}
	}
}

func assertCloseNamed(t *testing.T, name string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", name, len(got), len(want))
	}
	for i := range got {
		d := float64(got[i] - want[i])
		if d < 0 {
			d = -d
		}
		tol := 1e-4
		if a := float64(want[i]); a > 1 || a < -1 {
			tol *= max(a, -a)
		}
		if d > tol {
			t.Fatalf("%s: value %d is %v, want %v", name, i, got[i], want[i])
		}
	}
}
