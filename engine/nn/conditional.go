package nn

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ErrLabel is returned by a run whose labels do not fit the layer: a label
// outside the class table, or a label slice whose length changed since the
// graph was built.
var ErrLabel = errors.New("nn: label does not fit the class table")

// Labels holds the class of every image of a batch, for the conditional
// layers. A layer keeps the pointer and reads Values at each forward pass,
// so the caller refills Values before every run of the graph, keeps its
// length equal to the batch size the graph was built for, and leaves it
// alone while the graph runs. A layer copies the labels it read, so its
// backward pass uses the labels of its own forward pass.
type Labels struct {
	Values []int
}

// readLabels copies labels into dst after checking each lies in
// [0, classes).
func readLabels(what string, l *Labels, n, classes int, dst []int) error {
	if len(l.Values) != n {
		return fmt.Errorf("nn: %s: %d labels for a batch of %d: %w", what, len(l.Values), n, ErrLabel)
	}
	for i, y := range l.Values {
		if y < 0 || y >= classes {
			return fmt.Errorf("nn: %s: label %d of image %d is not a class in 0..%d: %w",
				what, y, i, classes-1, ErrLabel)
		}
		dst[i] = y
	}
	return nil
}

// classEmbed looks up one row of a table per image.
type classEmbed struct {
	labels *Labels
	n, dim int
	rows   int // classes in the table

	read  []int // the labels of the latest forward pass
	shape tensor.Shape
	y     *tensor.Dense
	dt    *tensor.Dense
	grad  [1]*tensor.Dense
}

func (e *classEmbed) name() string    { return "embed" }
func (e *classEmbed) output() G.Value { return e.y }

func (e *classEmbed) forward(in []*tensor.Dense) (G.Value, error) {
	if err := readLabels("class embedding", e.labels, e.n, e.rows, e.read); err != nil {
		return nil, err
	}
	table := data(in[0])
	e.y = dense(e.y, e.shape...)
	y := data(e.y)
	for i, c := range e.read {
		copy(y[i*e.dim:(i+1)*e.dim], table[c*e.dim:(c+1)*e.dim])
	}
	return e.y, nil
}

func (e *classEmbed) backward(dy []float32, _ []bool) ([]*tensor.Dense, error) {
	if e.dt == nil {
		e.dt = dense(nil, e.rows, e.dim)
	}
	dt := data(e.dt)
	clear(dt)
	for i, c := range e.read {
		row := dt[c*e.dim : (c+1)*e.dim]
		for j, g := range dy[i*e.dim : (i+1)*e.dim] {
			row[j] += g
		}
	}
	e.grad[0] = e.dt
	return e.grad[:], nil
}

// ClassEmbed adds a lookup of one row of table (classes × dim) per label,
// shaped (n, 1, 1, dim) for n labels so that Concat can join it to a latent
// batch (n, 1, 1, latent). The table receives the gradient: the sum of the
// output gradients of the images of each class. labels is read at every
// forward pass (see Labels); a run fails with ErrLabel if a label is not a
// row of the table.
func ClassEmbed(labels *Labels, table *G.Node) (*G.Node, error) {
	ts := table.Shape()
	if labels == nil || len(labels.Values) == 0 {
		return nil, fmt.Errorf("nn: class embedding needs the labels of a non-empty batch")
	}
	if ts.Dims() != 2 {
		return nil, fmt.Errorf("nn: class embedding table has shape %v, want (classes, dim)", ts)
	}
	n := len(labels.Values)
	e := &classEmbed{labels: labels, n: n, dim: ts[1], rows: ts[0], read: make([]int, n),
		shape: tensor.Shape{n, 1, 1, ts[1]}}
	return apply(e, e.shape.Clone(), []bool{true}, table)
}

// concat joins two tensors along their last axis.
type concat struct {
	rows, ca, cb  int
	sa, sb, shape tensor.Shape

	y      *tensor.Dense
	da, db *tensor.Dense
	grads  [2]*tensor.Dense
}

func (c *concat) name() string    { return "concat" }
func (c *concat) output() G.Value { return c.y }

func (c *concat) forward(in []*tensor.Dense) (G.Value, error) {
	a, b := data(in[0]), data(in[1])
	c.y = dense(c.y, c.shape...)
	y, w := data(c.y), c.ca+c.cb
	for r := 0; r < c.rows; r++ {
		copy(y[r*w:r*w+c.ca], a[r*c.ca:(r+1)*c.ca])
		copy(y[r*w+c.ca:(r+1)*w], b[r*c.cb:(r+1)*c.cb])
	}
	return c.y, nil
}

func (c *concat) backward(dy []float32, need []bool) ([]*tensor.Dense, error) {
	c.grads = [2]*tensor.Dense{}
	w := c.ca + c.cb
	if need[0] {
		c.da = dense(c.da, c.sa...)
		da := data(c.da)
		for r := 0; r < c.rows; r++ {
			copy(da[r*c.ca:(r+1)*c.ca], dy[r*w:r*w+c.ca])
		}
		c.grads[0] = c.da
	}
	if need[1] {
		c.db = dense(c.db, c.sb...)
		db := data(c.db)
		for r := 0; r < c.rows; r++ {
			copy(db[r*c.cb:(r+1)*c.cb], dy[r*w+c.ca:(r+1)*w])
		}
		c.grads[1] = c.db
	}
	return c.grads[:], nil
}

// Concat adds the concatenation of a and b along their last axis (the
// channel axis of NHWC tensors). All other axes must agree: a latent batch
// (n, 1, 1, latent) and a class embedding (n, 1, 1, dim) give
// (n, 1, 1, latent+dim). Both inputs receive their slice of the gradient.
func Concat(a, b *G.Node) (*G.Node, error) {
	as, bs := a.Shape(), b.Shape()
	if as.Dims() < 1 || as.Dims() != bs.Dims() || !as[:as.Dims()-1].Eq(bs[:bs.Dims()-1]) {
		return nil, fmt.Errorf("nn: concat of %v and %v: all axes but the last must agree", as, bs)
	}
	last := as.Dims() - 1
	c := &concat{rows: as.TotalSize() / as[last], ca: as[last], cb: bs[last],
		sa: as.Clone(), sb: bs.Clone(), shape: as.Clone()}
	c.shape[last] = as[last] + bs[last]
	return apply(c, c.shape.Clone(), []bool{true, true}, a, b)
}

// projection is the inner product of each image's features with the
// embedding of its class.
type projection struct {
	labels        *Labels
	n, f, classes int

	read     []int
	fshape   tensor.Shape
	features []float32 // the latest forward pass's inputs
	table    []float32
	y        *tensor.Dense
	dx, dt   *tensor.Dense
	grads    [2]*tensor.Dense
}

func (p *projection) name() string    { return "projection" }
func (p *projection) output() G.Value { return p.y }

func (p *projection) forward(in []*tensor.Dense) (G.Value, error) {
	if err := readLabels("projection", p.labels, p.n, p.classes, p.read); err != nil {
		return nil, err
	}
	p.features, p.table = data(in[0]), data(in[1])
	y := data(p.y)
	for i, c := range p.read {
		x, e := p.features[i*p.f:(i+1)*p.f], p.table[c*p.f:(c+1)*p.f]
		var s float32
		for j, v := range x {
			s += v * e[j]
		}
		y[i] = s
	}
	return p.y, nil
}

func (p *projection) backward(dy []float32, need []bool) ([]*tensor.Dense, error) {
	p.grads = [2]*tensor.Dense{}
	if need[0] {
		p.dx = dense(p.dx, p.fshape...)
		dx := data(p.dx)
		for i, c := range p.read {
			e := p.table[c*p.f : (c+1)*p.f]
			for j, v := range e {
				dx[i*p.f+j] = dy[i] * v
			}
		}
		p.grads[0] = p.dx
	}
	if need[1] {
		if p.dt == nil {
			p.dt = dense(nil, p.classes, p.f)
		}
		dt := data(p.dt)
		clear(dt)
		for i, c := range p.read {
			row := dt[c*p.f : (c+1)*p.f]
			for j, v := range p.features[i*p.f : (i+1)*p.f] {
				row[j] += dy[i] * v
			}
		}
		p.grads[1] = p.dt
	}
	return p.grads[:], nil
}

// Projection adds the class term of a projection discriminator (Miyato and
// Koyama 2018): for each image i, the inner product of its features φ(xᵢ)
// with row yᵢ of table (classes × f), shaped (n, 1, 1, 1). Add it to the
// unconditional logit of the same images. features is (n, f) or
// (n, 1, 1, f), for instance GlobalSum of the last feature map; both it and
// the table receive gradients. labels is read at every forward pass (see
// Labels); a run fails with ErrLabel if a label is not a row of the table.
func Projection(features *G.Node, labels *Labels, table *G.Node) (*G.Node, error) {
	fs, ts := features.Shape(), table.Shape()
	if labels == nil {
		return nil, fmt.Errorf("nn: projection needs labels")
	}
	flat := fs.Dims() == 2 || (fs.Dims() == 4 && fs[1] == 1 && fs[2] == 1)
	if !flat {
		return nil, fmt.Errorf("nn: projection features have shape %v, want (n, f) or (n, 1, 1, f)", fs)
	}
	n, f := fs[0], fs[fs.Dims()-1]
	if ts.Dims() != 2 || ts[1] != f {
		return nil, fmt.Errorf("nn: projection table has shape %v, want (classes, %d)", ts, f)
	}
	if len(labels.Values) != n {
		return nil, fmt.Errorf("nn: projection: %d labels for a batch of %d: %w",
			len(labels.Values), n, ErrLabel)
	}
	p := &projection{labels: labels, n: n, f: f, classes: ts[0], read: make([]int, n),
		fshape: fs.Clone()}
	p.y = dense(nil, n, 1, 1, 1)
	return apply(p, tensor.Shape{n, 1, 1, 1}, []bool{true, true}, features, table)
}

// add is the elementwise sum of two tensors of one shape.
type add struct {
	shape  tensor.Shape
	y      *tensor.Dense
	da, db *tensor.Dense
	grads  [2]*tensor.Dense
}

func (a *add) name() string    { return "add" }
func (a *add) output() G.Value { return a.y }

func (a *add) forward(in []*tensor.Dense) (G.Value, error) {
	a.y = dense(a.y, a.shape...)
	y, l, r := data(a.y), data(in[0]), data(in[1])
	for i := range y {
		y[i] = l[i] + r[i]
	}
	return a.y, nil
}

func (a *add) backward(dy []float32, need []bool) ([]*tensor.Dense, error) {
	a.grads = [2]*tensor.Dense{}
	if need[0] {
		a.da = dense(a.da, a.shape...)
		copy(data(a.da), dy)
		a.grads[0] = a.da
	}
	if need[1] {
		a.db = dense(a.db, a.shape...)
		copy(data(a.db), dy)
		a.grads[1] = a.db
	}
	return a.grads[:], nil
}

// Add adds the elementwise sum of a and b, which must have the same shape:
// for instance an unconditional logit and the Projection term. Both inputs
// receive the output's gradient.
func Add(a, b *G.Node) (*G.Node, error) {
	if !a.Shape().Eq(b.Shape()) {
		return nil, fmt.Errorf("nn: add of %v and %v: shapes differ", a.Shape(), b.Shape())
	}
	return apply(&add{shape: a.Shape().Clone()}, a.Shape().Clone(), []bool{true, true}, a, b)
}

// globalSum sums an NHWC tensor over its height and width.
type globalSum struct {
	n, hw, c  int
	in, shape tensor.Shape

	x, dy []float32 // of the latest pass
	y     *tensor.Dense
	dx    *tensor.Dense
	grad  [1]*tensor.Dense
	// The passes' shares of the batch, bound once so that handing them
	// to the workers allocates nothing.
	forwardShare, backwardShare func(lo, hi int)
}

func (s *globalSum) name() string    { return "globalsum" }
func (s *globalSum) output() G.Value { return s.y }

func (s *globalSum) forward(in []*tensor.Dense) (G.Value, error) {
	s.x = data(in[0])
	s.y = dense(s.y, s.shape...)
	parallel(s.n, s.forwardShare)
	return s.y, nil
}

func (s *globalSum) forwardRange(lo, hi int) {
	y := data(s.y)
	clear(y[lo*s.c : hi*s.c])
	for b := lo; b < hi; b++ {
		yb := y[b*s.c : (b+1)*s.c]
		for p := 0; p < s.hw; p++ {
			for j, v := range s.x[(b*s.hw+p)*s.c : (b*s.hw+p+1)*s.c] {
				yb[j] += v
			}
		}
	}
}

func (s *globalSum) backward(dy []float32, _ []bool) ([]*tensor.Dense, error) {
	s.dx = dense(s.dx, s.in...)
	s.dy = dy
	parallel(s.n, s.backwardShare)
	s.grad[0] = s.dx
	return s.grad[:], nil
}

func (s *globalSum) backwardRange(lo, hi int) {
	dx := data(s.dx)
	for b := lo; b < hi; b++ {
		for p := 0; p < s.hw; p++ {
			copy(dx[(b*s.hw+p)*s.c:(b*s.hw+p+1)*s.c], s.dy[b*s.c:(b+1)*s.c])
		}
	}
}

// GlobalSum adds the sum of the NHWC tensor x over its height and width,
// shaped (n, 1, 1, c): the pooled features a projection discriminator
// reads. Every pixel of x receives its channel's output gradient.
func GlobalSum(x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != 4 {
		return nil, fmt.Errorf("nn: global sum input has shape %v, want NHWC", s)
	}
	g := &globalSum{n: s[0], hw: s[1] * s[2], c: s[3], in: s.Clone(),
		shape: tensor.Shape{s[0], 1, 1, s[3]}}
	g.forwardShare, g.backwardShare = g.forwardRange, g.backwardRange
	return apply(g, g.shape.Clone(), []bool{true}, x)
}
