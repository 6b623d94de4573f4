package nn

import (
	"fmt"
	"hash"
	"hash/fnv"
	"sync/atomic"
	"unsafe"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A kernel is a differentiable function written directly on float32 buffers.
// Gorgonia builds the graph, differentiates it and schedules the kernels; the
// kernels do the arithmetic on buffers they own and reuse across steps.
//
// A kernel instance appears once in one graph: backward may use what the
// latest forward cached.
type kernel interface {
	// name says what the kernel is, for graph dumps and errors.
	name() string
	// forward computes the output from the inputs. The returned value is
	// owned by the kernel and is overwritten by the next call.
	forward(in []*tensor.Dense) (G.Value, error)
	// backward returns the gradients of the inputs marked in need, given
	// the gradient dy of the output; the others are nil.
	backward(dy []float32, need []bool) ([]*tensor.Dense, error)
	// output returns the value the latest forward pass returned.
	output() G.Value
}

var opCounter atomic.Uint64

// Replay adds to the graph of inputs a node that stands for layer, a node of
// another graph built by this package, without computing it again: its value
// is layer's latest output and its gradients flow through layer's kernel.
// The caller must run layer's graph, on the same input values, before each
// run of this one; need says which inputs receive gradients here.
//
// A training step uses it to backpropagate through the generator pass that
// already produced the fake batch for the discriminator.
func Replay(layer *G.Node, need []bool, inputs ...*G.Node) (*G.Node, error) {
	f, ok := layer.Op().(*forwardOp)
	if !ok || len(inputs) != len(f.in) || len(need) != len(f.in) {
		return nil, fmt.Errorf("nn: replay of %v: not a layer of this package with %d inputs",
			layer.Op(), len(inputs))
	}
	op := &forwardOp{opBase: newBase(f.what + " replay"), k: f.k, in: f.in, out: f.out,
		need: need, replay: true}
	n, err := G.ApplyOp(op, inputs...)
	if err != nil {
		return nil, fmt.Errorf("nn: replay of %s: %w", f.what, err)
	}
	return n, nil
}

// apply adds k to the graph as a node over inputs with the given output
// shape. need says which inputs receive gradients; an input whose gradient
// nobody uses must be marked false, or its gradient is computed anyway.
func apply(k kernel, out tensor.Shape, need []bool, inputs ...*G.Node) (*G.Node, error) {
	op := &forwardOp{opBase: newBase(k.name()), k: k, out: out, need: need}
	for _, in := range inputs {
		op.in = append(op.in, in.Shape().Clone())
	}
	n, err := G.ApplyOp(op, inputs...)
	if err != nil {
		return nil, fmt.Errorf("nn: %s: %w", k.name(), err)
	}
	return n, nil
}

func typeFor(s tensor.Shape) hm.Type {
	if s.IsScalar() {
		return tensor.Float32
	}
	return G.TensorType{Dims: s.Dims(), Of: tensor.Float32}
}

func fnType(shapes ...tensor.Shape) hm.Type {
	ts := make([]hm.Type, len(shapes))
	for i, s := range shapes {
		ts[i] = typeFor(s)
	}
	return hm.NewFnType(ts...)
}

// opBase holds what every op of this package answers the same way.
type opBase struct {
	id   uint64
	what string
}

func newBase(what string) opBase { return opBase{opCounter.Add(1), what} }

func (o opBase) ReturnsPtr() bool     { return true }
func (o opBase) CallsExtern() bool    { return false }
func (o opBase) OverwritesInput() int { return -1 }
func (o opBase) String() string       { return o.what }

// WriteHash makes every op unique: Gorgonia merges nodes with equal hashes,
// and two kernel instances must never be merged.
func (o opBase) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s#%d", o.what, o.id) }

func (o opBase) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}

// forwardOp runs a kernel's forward pass.
type forwardOp struct {
	opBase
	k      kernel
	in     []tensor.Shape
	out    tensor.Shape
	need   []bool
	replay bool // return the kernel's latest output instead of computing

	args    []*tensor.Dense // the inputs of the latest run, kept to save an allocation per run
	scalars []*tensor.Dense // scalar inputs, copied into tensors for the kernel
}

func (o *forwardOp) Arity() int         { return len(o.in) }
func (o *forwardOp) Type() hm.Type      { return fnType(append(o.in, o.out)...) }
func (o *forwardOp) DiffWRT(int) []bool { return o.need }

func (o *forwardOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return o.out.Clone(), nil
}

func (o *forwardOp) Do(vals ...G.Value) (G.Value, error) {
	if o.replay {
		return o.k.output(), nil
	}
	if len(o.args) != len(vals) {
		o.args = make([]*tensor.Dense, len(vals))
	}
	for i, v := range vals {
		switch x := v.(type) {
		case *tensor.Dense:
			o.args[i] = x
		case *G.F32:
			// A scalar, such as a loss, reaches the kernel as a tensor.
			if len(o.scalars) != len(vals) {
				o.scalars = make([]*tensor.Dense, len(vals))
			}
			if o.scalars[i] == nil {
				o.scalars[i] = tensor.New(tensor.FromScalar(float32(0)))
			}
			data(o.scalars[i])[0] = float32(*x)
			o.args[i] = o.scalars[i]
		default:
			return nil, fmt.Errorf("nn: %s: input %d is %T, not a tensor", o.k.name(), i, v)
		}
	}
	return o.k.forward(o.args)
}

// SymDiff adds one backward node that computes every needed input gradient
// at once (they share intermediate work), and a cheap pick node for each
// further gradient. The backward node reads the forward output so that it is
// scheduled after the forward pass.
func (o *forwardOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	first := -1
	for i, n := range o.need {
		if n {
			first = i
			break
		}
	}
	grads := make(G.Nodes, len(inputs))
	if first < 0 {
		return grads, nil
	}
	back := &backwardOp{opBase: newBase(o.what + "'"), f: o, first: first}
	b, err := G.ApplyOp(back, output, grad)
	if err != nil {
		return nil, fmt.Errorf("nn: %s backward: %w", o.k.name(), err)
	}
	grads[first] = b
	for i := first + 1; i < len(inputs); i++ {
		if !o.need[i] {
			continue
		}
		pick := &pickOp{opBase: newBase(fmt.Sprintf("%s[%d]", back.what, i)), back: back, i: i}
		if grads[i], err = G.ApplyOp(pick, b); err != nil {
			return nil, fmt.Errorf("nn: %s gradient %d: %w", o.k.name(), i, err)
		}
	}
	return grads, nil
}

// backwardOp runs a kernel's backward pass and returns the first needed
// input gradient; pickOp nodes hand out the rest.
type backwardOp struct {
	opBase
	f     *forwardOp
	first int
	grads []*tensor.Dense
}

func (o *backwardOp) Arity() int { return 2 }

func (o *backwardOp) Type() hm.Type {
	return fnType(o.f.out, o.f.out, o.f.in[o.first])
}

func (o *backwardOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return o.f.in[o.first].Clone(), nil
}

func (o *backwardOp) Do(vals ...G.Value) (G.Value, error) {
	dy, err := floats(vals[1])
	if err != nil {
		return nil, fmt.Errorf("nn: %s: %w", o.what, err)
	}
	if o.grads, err = o.f.k.backward(dy, o.f.need); err != nil {
		return nil, err
	}
	return o.grads[o.first], nil
}

// pickOp returns one of the gradients its backward node computed.
type pickOp struct {
	opBase
	back *backwardOp
	i    int
}

func (o *pickOp) Arity() int { return 1 }

func (o *pickOp) Type() hm.Type {
	f := o.back.f
	return fnType(f.in[o.back.first], f.in[o.i])
}

func (o *pickOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return o.back.f.in[o.i].Clone(), nil
}

func (o *pickOp) Do(...G.Value) (G.Value, error) { return o.back.grads[o.i], nil }

// floats returns the float32 data behind a Gorgonia value.
func floats(v G.Value) ([]float32, error) {
	switch x := v.(type) {
	case *tensor.Dense:
		if x.Dtype() == tensor.Float32 {
			return x.Float32s(), nil // one value for a scalar
		}
	case *G.F32:
		return unsafe.Slice((*float32)(x), 1), nil
	}
	return nil, fmt.Errorf("value %T is not float32", v)
}

// dense returns a tensor of the given shape, reusing buf when it fits.
func dense(buf *tensor.Dense, shape ...int) *tensor.Dense {
	if buf != nil && buf.Shape().Eq(tensor.Shape(shape)) {
		return buf
	}
	return tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))
}

// data returns the float32 values behind t, without the allocation of
// t.Data().
func data(t *tensor.Dense) []float32 { return t.Float32s() }
