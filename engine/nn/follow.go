package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A maskFollower is a layer whose ReLU-like activation can take, instead of its
// own units' signs, the signs of the same units in another layer's latest
// output: a pass through a network moved a little from where another ran
// then sees the same piecewise-linear pieces, with no kink crossed.
type maskFollower interface {
	follow(leader kernel) error
}

// FollowMasks makes the layer follower, a convolution or a batch norm with a
// ReLU or LeakyReLU, use in its forward and backward passes the activation
// masks of leader's latest output, where leader is the same kind of layer
// with an output of the same shape. Leader must run before each run of
// follower, and not between its forward and backward passes.
//
// The R1 penalty takes a gradient's norm from two passes either side of the
// real images; with masks of their own, each unit that changed side between
// them would add a term to the weights' gradient that R1 does not have.
func FollowMasks(follower, leader *G.Node) error {
	f, ok := follower.Op().(*forwardOp)
	l, ok2 := leader.Op().(*forwardOp)
	if !ok || !ok2 {
		return fmt.Errorf("nn: follow masks of %v in %v: not layers of this package", leader.Op(), follower.Op())
	}
	if !f.out.Eq(l.out) {
		return fmt.Errorf("nn: %s of shape %v cannot follow the masks of %s of shape %v",
			f.what, f.out, l.what, l.out)
	}
	k, ok := f.k.(maskFollower)
	if !ok {
		return fmt.Errorf("nn: %s cannot follow another layer's masks", f.what)
	}
	return k.follow(l.k)
}

// masks returns the values whose signs choose the activation's slopes in
// a follower's pass over y: its leader's latest output, or y itself.
func masks(leader kernel, y *tensor.Dense) ([]float32, error) {
	if leader == nil {
		return data(y), nil
	}
	out, ok := leader.output().(*tensor.Dense)
	if !ok || out.Shape().TotalSize() != y.Shape().TotalSize() {
		return nil, fmt.Errorf("nn: the layer to follow has not run on a batch of this shape")
	}
	return data(out), nil
}
