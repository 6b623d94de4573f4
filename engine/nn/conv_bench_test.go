package nn

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"

	"gorgonia.org/tensor"
)

// dcgan64Layers are the convolutions of the reference dcgan64 model at
// batch 64: the discriminator's, and the generator's as the convolutions
// its transposed convolutions invert (from the output of each back to its
// input).
var dcgan64Layers = []struct {
	name   string
	deconv bool
	s      convShape
	act    Activation
	needX  bool
}{
	{"D0 64→32 3→32", false, convShape{64, 64, 3, 32, 4, 2, 1}, LeakyReLU, false},
	{"D1 32→16 32→64", false, convShape{64, 32, 32, 64, 4, 2, 1}, Linear, true},
	{"D2 16→8 64→128", false, convShape{64, 16, 64, 128, 4, 2, 1}, Linear, true},
	{"D3 8→4 128→256", false, convShape{64, 8, 128, 256, 4, 2, 1}, Linear, true},
	{"D4 4→1 256→1", false, convShape{64, 4, 256, 1, 4, 1, 0}, Linear, true},
	{"G0 1→4 100→256", true, convShape{64, 4, 256, 100, 4, 1, 0}, Linear, false},
	{"G1 4→8 256→128", true, convShape{64, 8, 128, 256, 4, 2, 1}, Linear, true},
	{"G2 8→16 128→64", true, convShape{64, 16, 64, 128, 4, 2, 1}, Linear, true},
	{"G3 16→32 64→32", true, convShape{64, 32, 32, 64, 4, 2, 1}, Linear, true},
	{"G4 32→64 32→3", true, convShape{64, 64, 3, 32, 4, 2, 1}, Tanh, true},
}

// BenchmarkConvLayers times one forward and one backward pass (both
// gradients where the model needs them) of every convolution of dcgan64,
// and reports the arithmetic rate and the allocations.
func BenchmarkConvLayers(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, l := range dcgan64Layers {
		s := l.s
		g, err := newGeometry(s.n, s.h, s.h, s.c, s.k, s.stride, s.pad)
		if err != nil {
			b.Fatal(err)
		}
		var k kernel
		var in []*tensor.Dense
		if l.deconv {
			k = newDeconv(g, s.cout, l.act)
			in = []*tensor.Dense{randomTensor(rng, 1, s.n, g.oh, g.ow, s.cout),
				randomTensor(rng, 0.02, s.cout, g.cols())}
		} else {
			k = newConv(g, s.cout, l.act)
			in = []*tensor.Dense{randomTensor(rng, 1, s.n, s.h, s.h, s.c),
				randomTensor(rng, 0.02, g.cols(), s.cout)}
		}
		macs := float64(g.rows() * g.cols() * s.cout)
		passes := 2.0
		if l.needX {
			passes = 3
		}
		b.Run(l.name, func(b *testing.B) {
			out, err := k.forward(in)
			if err != nil {
				b.Fatal(err)
			}
			dy := randomTensor(rng, 1, out.Shape()...)
			need := []bool{l.needX, true}
			if _, err := k.backward(data(dy), need); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			start := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				if _, err := k.forward(in); err != nil {
					b.Fatal(err)
				}
				if _, err := k.backward(data(dy), need); err != nil {
					b.Fatal(err)
				}
			}
			gflops := 2 * macs * passes * float64(b.N) / b.Elapsed().Seconds() / 1e9
			b.ReportMetric(gflops, "GFLOP/s")
			b.ReportMetric((cpuTime()-start)*1e3/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkSgemmPeak measures what OpenBLAS reaches on a large square
// product through the binding the kernels use, the ceiling the layers are
// compared with: on one thread, on OpenBLAS's own threads, and split over
// the workers as the kernels split their products.
func BenchmarkSgemmPeak(b *testing.B) {
	const n = 1024
	rng := rand.New(rand.NewPCG(2, 2))
	x, y := data(randomTensor(rng, 1, n, n)), data(randomTensor(rng, 1, n, n))
	z := make([]float32, n*n)
	rate := func(b *testing.B, product func()) {
		product()
		start := cpuTime()
		b.ResetTimer()
		for b.Loop() {
			product()
		}
		b.ReportMetric(2*n*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		b.ReportMetric(2*n*n*n*float64(b.N)/(cpuTime()-start)/1e9, "GFLOP/cpu-s")
	}
	b.Run("one thread", func(b *testing.B) {
		rate(b, func() { gemm(false, false, n, n, n, 1, x, y, 0, z) })
	})
	b.Run(fmt.Sprintf("openblas %d threads", workers), func(b *testing.B) {
		setBLASThreads(workers)
		defer setBLASThreads(1)
		rate(b, func() { gemm(false, false, n, n, n, 1, x, y, 0, z) })
	})
	share := func(w int) {
		lo, hi := span(n, w)
		gemm(false, false, hi-lo, n, n, 1, x[lo*n:], y, 0, z[lo*n:])
	}
	b.Run(fmt.Sprintf("split over %d workers", workers), func(b *testing.B) {
		rate(b, func() { each(share) })
	})
}

// cpuTime returns the processor time the process has used, in seconds. On
// a machine shared with other work it says more about a kernel's cost than
// the elapsed time does: it does not count time spent waiting for a core.
func cpuTime() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}
