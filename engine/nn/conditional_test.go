package nn

import (
	"errors"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestConditionalGradients(t *testing.T) {
	// Repeated labels check that a class used twice sums both gradients.
	labels := &Labels{Values: []int{2, 0, 2, 1}}
	cases := []gradCase{
		{"class embedding", [][]int{{3, 5}}, func(in []*G.Node) (*G.Node, error) {
			return ClassEmbed(labels, in[0])
		}},
		{"concat latent and embedding", [][]int{{4, 1, 1, 6}, {4, 1, 1, 3}},
			func(in []*G.Node) (*G.Node, error) { return Concat(in[0], in[1]) }},
		{"concat feature maps", [][]int{{2, 3, 3, 2}, {2, 3, 3, 4}},
			func(in []*G.Node) (*G.Node, error) { return Concat(in[0], in[1]) }},
		{"embedding joined to latent", [][]int{{4, 1, 1, 6}, {3, 5}},
			func(in []*G.Node) (*G.Node, error) {
				e, err := ClassEmbed(labels, in[1])
				if err != nil {
					return nil, err
				}
				return Concat(in[0], e)
			}},
		{"projection of flat features", [][]int{{4, 7}, {3, 7}},
			func(in []*G.Node) (*G.Node, error) { return Projection(in[0], labels, in[1]) }},
		{"projection of pooled features", [][]int{{4, 1, 1, 7}, {3, 7}},
			func(in []*G.Node) (*G.Node, error) { return Projection(in[0], labels, in[1]) }},
		{"add", [][]int{{4, 1, 1, 1}, {4, 1, 1, 1}},
			func(in []*G.Node) (*G.Node, error) { return Add(in[0], in[1]) }},
		{"global sum", [][]int{{2, 3, 4, 5}},
			func(in []*G.Node) (*G.Node, error) { return GlobalSum(in[0]) }},
		// The whole projection head: logit + <embed(y), Σ_hw h>.
		{"projection discriminator head", [][]int{{4, 2, 2, 6}, {24, 1}, {3, 6}},
			func(in []*G.Node) (*G.Node, error) {
				logit, err := Conv(in[0], in[1], 2, 1, 0, Linear, true, true)
				if err != nil {
					return nil, err
				}
				pooled, err := GlobalSum(in[0])
				if err != nil {
					return nil, err
				}
				class, err := Projection(pooled, labels, in[2])
				if err != nil {
					return nil, err
				}
				return Add(logit, class)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGradients(t, c) })
	}
}

func TestConditionalForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	table := randomTensor(rng, 1, 3, 4)
	labels := &Labels{Values: []int{1, 2, 1}}
	tab := data(table)

	embedded := runForward(t, func(g *G.ExprGraph) (*G.Node, error) {
		return ClassEmbed(labels, node(g, table))
	})
	var want []float32
	for _, y := range labels.Values {
		want = append(want, tab[y*4:(y+1)*4]...)
	}
	assertClose(t, embedded, want)

	features := randomTensor(rng, 1, 3, 1, 1, 4)
	projected := runForward(t, func(g *G.ExprGraph) (*G.Node, error) {
		return Projection(node(g, features), labels, node(g, table))
	})
	want = want[:0]
	for i, y := range labels.Values {
		want = append(want, float32(dot(data(features)[i*4:(i+1)*4], tab[y*4:(y+1)*4])))
	}
	assertClose(t, projected, want)

	maps := randomTensor(rng, 1, 2, 2, 3, 2)
	summed := runForward(t, func(g *G.ExprGraph) (*G.Node, error) {
		return GlobalSum(node(g, maps))
	})
	want = make([]float32, 4)
	for i, v := range data(maps) {
		want[(i/12)*2+i%2] += v
	}
	assertClose(t, summed, want)

	z := randomTensor(rng, 1, 2, 1, 1, 3)
	e := randomTensor(rng, 1, 2, 1, 1, 2)
	joined := runForward(t, func(g *G.ExprGraph) (*G.Node, error) {
		return Concat(node(g, z), node(g, e))
	})
	zd, ed := data(z), data(e)
	assertClose(t, joined, []float32{
		zd[0], zd[1], zd[2], ed[0], ed[1],
		zd[3], zd[4], zd[5], ed[2], ed[3],
	})
}

// TestLabelsAreReadEachRun checks that refilling Labels between runs of one
// compiled graph changes the embedding, as a trainer relies on.
func TestLabelsAreReadEachRun(t *testing.T) {
	table := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float32{0, 1, 10, 11, 20, 21}))
	labels := &Labels{Values: []int{0, 2}}
	g := G.NewGraph()
	out, err := ClassEmbed(labels, node(g, table))
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	for _, tc := range []struct {
		labels []int
		want   []float32
	}{
		{[]int{0, 2}, []float32{0, 1, 20, 21}},
		{[]int{1, 1}, []float32{10, 11, 10, 11}},
	} {
		copy(labels.Values, tc.labels)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		assertClose(t, data(out.Value().(*tensor.Dense)), tc.want)
		vm.Reset()
	}
}

func TestBadLabels(t *testing.T) {
	for _, tc := range []struct {
		name   string
		labels []int
	}{
		{"label past the table", []int{0, 3}},
		{"negative label", []int{-1, 0}},
		{"batch grew", []int{0, 1, 2}},
		{"batch shrank", []int{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			table := randomTensor(rand.New(rand.NewPCG(1, 1)), 1, 3, 2)
			labels := &Labels{Values: []int{0, 1}}
			g := G.NewGraph()
			features := G.NewTensor(g, tensor.Float32, 2, G.WithShape(2, 2),
				G.WithValue(randomTensor(rand.New(rand.NewPCG(2, 2)), 1, 2, 2)))
			if _, err := ClassEmbed(labels, node(g, table)); err != nil {
				t.Fatal(err)
			}
			if _, err := Projection(features, labels, node(g, table)); err != nil {
				t.Fatal(err)
			}
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			labels.Values = tc.labels
			if err := vmCause(vm.RunAll()); !errors.Is(err, ErrLabel) {
				t.Errorf("run with labels %v: got %v, want ErrLabel", tc.labels, err)
			}
		})
	}
}

// vmCause returns the error a kernel returned inside a Gorgonia run: the
// tape machine wraps it in a type errors.Is cannot see through.
func vmCause(err error) error {
	if c, ok := err.(interface{ Err() error }); ok {
		return c.Err()
	}
	return err
}

func TestConditionalShapeErrors(t *testing.T) {
	g := G.NewGraph()
	in := func(shape ...int) *G.Node {
		return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...))
	}
	labels := &Labels{Values: []int{0, 1}}
	for _, tc := range []struct {
		name  string
		build func() (*G.Node, error)
	}{
		{"embedding table not a matrix", func() (*G.Node, error) { return ClassEmbed(labels, in(3)) }},
		{"embedding without labels", func() (*G.Node, error) { return ClassEmbed(&Labels{}, in(3, 2)) }},
		{"concat of different batches", func() (*G.Node, error) {
			return Concat(in(2, 1, 1, 3), in(3, 1, 1, 3))
		}},
		{"concat of different ranks", func() (*G.Node, error) {
			return Concat(in(2, 3), in(2, 1, 1, 3))
		}},
		{"projection of a feature map", func() (*G.Node, error) {
			return Projection(in(2, 2, 2, 3), labels, in(4, 3))
		}},
		{"projection table too narrow", func() (*G.Node, error) {
			return Projection(in(2, 3), labels, in(4, 2))
		}},
		{"projection of a batch of three", func() (*G.Node, error) {
			return Projection(in(3, 3), labels, in(4, 3))
		}},
		{"add of different shapes", func() (*G.Node, error) { return Add(in(2, 1), in(1, 2)) }},
		{"global sum of a matrix", func() (*G.Node, error) { return GlobalSum(in(2, 3)) }},
	} {
		if _, err := tc.build(); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func BenchmarkClassEmbed(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	labels := randomLabels(rng, 64, 10)
	benchLayer(b, func(in []*G.Node) (*G.Node, error) {
		return ClassEmbed(labels, in[0])
	}, randomTensor(rng, 1, 10, 128))
}

func BenchmarkProjection(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	labels := randomLabels(rng, 64, 10)
	benchLayer(b, func(in []*G.Node) (*G.Node, error) {
		return Projection(in[0], labels, in[1])
	}, randomTensor(rng, 1, 64, 1, 1, 512), randomTensor(rng, 1, 10, 512))
}

func BenchmarkGlobalSum(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	benchLayer(b, func(in []*G.Node) (*G.Node, error) {
		return GlobalSum(in[0])
	}, randomTensor(rng, 1, 64, 4, 4, 512))
}

func randomLabels(rng *rand.Rand, n, classes int) *Labels {
	l := &Labels{Values: make([]int, n)}
	for i := range l.Values {
		l.Values[i] = rng.IntN(classes)
	}
	return l
}
