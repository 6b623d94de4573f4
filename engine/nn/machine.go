package nn

import (
	"fmt"
	"slices"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Machine runs a graph built from this package's layers, in the order
// Gorgonia's tape machine would, without its per-run cost: the tape machine
// allocates for every instruction and starts a goroutine for every run,
// which on a training step adds up to hundreds of allocations. A Machine
// keeps every node's arguments in slices made once, binds a node's value
// only when the kernel hands back a different buffer, and adds the
// gradients Gorgonia sums (a parameter used twice) into a buffer of its
// own. Other Gorgonia ops run through their Do method as usual.
//
// A Machine is a G.VM. Like the graph it runs, it is not safe for
// concurrent use.
type Machine struct {
	steps []machineStep
}

// machineStep computes one node.
type machineStep struct {
	node     *G.Node
	op       G.Op
	children []*G.Node
	args     []G.Value
	add      bool          // Gorgonia's element-wise sum of two equal shapes
	sum      *tensor.Dense // where add puts it
}

// constantOp is what Gorgonia's constant ops have: their value is fixed
// when the graph is built.
type constantOp interface{ Value() G.Value }

// NewMachine returns a machine that runs g. The graph must not change
// afterwards.
func NewMachine(g *G.ExprGraph) (*Machine, error) {
	sorted, err := G.Sort(g)
	if err != nil {
		return nil, fmt.Errorf("nn: order graph: %w", err)
	}
	slices.Reverse(sorted)
	m := &Machine{}
	for _, n := range sorted {
		op := n.Op()
		if op == nil {
			continue // an input: its value is bound by the caller
		}
		if _, ok := op.(constantOp); ok {
			continue
		}
		s := machineStep{node: n, op: op}
		for it := g.From(n.ID()); it.Next(); {
			s.children = append(s.children, it.Node().(*G.Node))
		}
		s.args = make([]G.Value, len(s.children))
		s.add = isSum(op, s.children)
		m.steps = append(m.steps, s)
	}
	return m, nil
}

// isSum says whether op adds two float32 tensors of one shape, element by
// element: the op Gorgonia inserts to sum the gradients of a node used
// twice.
func isSum(op G.Op, children []*G.Node) bool {
	b, ok := op.(interface{ IsBinary() bool })
	if !ok || !b.IsBinary() || len(children) != 2 || !strings.HasPrefix(op.String(), "+ ") {
		return false
	}
	a, c := children[0], children[1]
	return a.Dtype() == tensor.Float32 && c.Dtype() == tensor.Float32 &&
		a.Shape().Eq(c.Shape()) && !a.IsScalar()
}

// RunAll computes every node of the graph once.
func (m *Machine) RunAll() error {
	for i := range m.steps {
		s := &m.steps[i]
		for j, c := range s.children {
			if s.args[j] = c.Value(); s.args[j] == nil {
				return fmt.Errorf("nn: run %v: input %v has no value", s.op, c)
			}
		}
		v, err := s.run()
		if err != nil {
			return fmt.Errorf("nn: run %v: %w", s.op, err)
		}
		if s.node.Value() != v {
			if err := G.UnsafeLet(s.node, v); err != nil {
				return fmt.Errorf("nn: run %v: %w", s.op, err)
			}
		}
	}
	return nil
}

func (s *machineStep) run() (G.Value, error) {
	if !s.add {
		return s.op.Do(s.args...)
	}
	a, aok := s.args[0].(*tensor.Dense)
	b, bok := s.args[1].(*tensor.Dense)
	if !aok || !bok {
		return s.op.Do(s.args...)
	}
	s.sum = dense(s.sum, a.Shape()...)
	x, y, z := data(a), data(b), data(s.sum)
	y, z = y[:len(x)], z[:len(x)]
	for i, v := range x {
		z[i] = v + y[i]
	}
	return s.sum, nil
}

// Reset does nothing: a Machine keeps no state between runs but the values
// bound to the nodes, which the next run replaces.
func (m *Machine) Reset() {}

// Close does nothing; it is there to make a Machine a G.VM.
func (m *Machine) Close() error { return nil }
