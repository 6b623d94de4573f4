package nn

import (
	"math/rand/v2"
	"slices"
	"syscall"
	"time"

	G "gorgonia.org/gorgonia"
)

// MultiplyAdds returns how many multiply-adds one run of g does in its
// convolutions and transposed convolutions, the bulk of a training step's
// arithmetic: the forward pass of every layer that is not a replay, and the
// input and weight gradients its backward pass computes. Batch norm, the
// activations and the loss add a few per value and are left out.
func MultiplyAdds(g *G.ExprGraph) float64 {
	var total float64
	for _, n := range g.AllNodes() {
		switch op := n.Op().(type) {
		case *forwardOp:
			if l, ok := op.k.(interface{ multiplyAdds() float64 }); ok && !op.replay {
				total += l.multiplyAdds()
			}
		case *backwardOp:
			if l, ok := op.f.k.(interface{ multiplyAdds() float64 }); ok {
				for _, need := range op.f.need[:2] {
					if need {
						total += l.multiplyAdds()
					}
				}
			}
		}
	}
	return total
}

// multiplyAdds is the work of one forward pass; each gradient costs as
// much again.
func (c *conv) multiplyAdds() float64 {
	return float64(c.g.rows()) * float64(c.g.cols()) * float64(c.cout)
}

func (d *deconv) multiplyAdds() float64 {
	return float64(d.g.rows()) * float64(d.g.cols()) * float64(d.cin)
}

// SgemmPeak measures how fast OpenBLAS multiplies two 1024×1024 matrices
// through the binding the kernels use, split over the workers as the
// kernels split their products: the ceiling a training step can be compared
// with. It returns GFLOP per second of elapsed time and GFLOP per second of
// processor time; on a machine shared with other work the second moves far
// less with the load. It takes about rounds tenths of a second and returns
// the median round of each.
func SgemmPeak(rounds int) (wall, processor float64) {
	const n = 1024
	rng := rand.New(rand.NewPCG(1, 2))
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i], b[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	share := func(w int) {
		lo, hi := span(n, w)
		gemm(false, false, hi-lo, n, n, 1, a[lo*n:], b, 0, c[lo*n:])
	}
	each(share)
	var walls, processors []float64
	for range max(rounds, 1) {
		start, cpu, products := time.Now(), ProcessorSeconds(), 0
		for time.Since(start) < 100*time.Millisecond {
			each(share)
			products++
		}
		flop := 2 * n * n * n * float64(products) / 1e9
		walls = append(walls, flop/time.Since(start).Seconds())
		processors = append(processors, flop/(ProcessorSeconds()-cpu))
	}
	slices.Sort(walls)
	slices.Sort(processors)
	return walls[len(walls)/2], processors[len(processors)/2]
}

// ProcessorSeconds returns the processor time the process has used, user
// and system, over all its threads.
func ProcessorSeconds() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}
