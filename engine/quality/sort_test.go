package quality

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortFloats(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	tests := []struct {
		name string
		col  []float32
	}{
		{"one", []float32{-2}},
		{"signs and zeros", []float32{3, -1, 0, float32(math.Copysign(0, -1)), -7.5, 2, 1e-30, -1e-30}},
		{"all equal", []float32{4, 4, 4, 4}},
		{"wide range", []float32{1e30, -1e30, 1e-3, -1e-3, 5, -5, 0.25}},
		{"gaussian", gaussians(rng, 5000, 1)},
		{"narrow", gaussians(rng, 3000, 1e-6)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := make([]uint32, len(tt.col))
			scratch := make([]uint32, len(tt.col))
			sorted := sortFloats(tt.col, keys, scratch)
			got := make([]float32, len(sorted))
			for i, k := range sorted {
				got[i] = keyFloat(k)
			}
			want := slices.Clone(tt.col)
			slices.Sort(want)
			for i := range want {
				// -0 and +0 are equal as numbers; the keys order -0 first.
				if got[i] != want[i] {
					t.Fatalf("position %d: got %g, want %g", i, got[i], want[i])
				}
			}
		})
	}
}

func gaussians(rng *rand.Rand, n int, scale float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(scale * rng.NormFloat64())
	}
	return out
}

func TestWasserstein1(t *testing.T) {
	keys := func(v ...float32) []uint32 {
		slices.Sort(v)
		out := make([]uint32, len(v))
		for i, f := range v {
			out[i] = floatKey(f)
		}
		return out
	}
	tests := []struct {
		name string
		a, b []uint32
		want float64
	}{
		{"same", keys(1, 2, 3), keys(3, 1, 2), 0},
		{"shift", keys(1, 2, 3), keys(2, 3, 4), 1},
		{"equal length", keys(0, 0), keys(1, 3), 2},
		// Quantiles: a is 0 on [0, 1/2) and 2 on [1/2, 1); b is 1
		// throughout: the area between is 1.
		{"two against one", keys(0, 2), keys(1), 1},
		// a on thirds: 0, 1, 2; b on halves: 0, 2. Over [0,1/3) |0-0|,
		// [1/3,1/2) |1-0|, [1/2,2/3) |1-2|, [2/3,1) |2-2|: 1/6 + 1/6.
		{"three against two", keys(0, 1, 2), keys(0, 2), 1.0 / 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wasserstein1(tt.a, tt.b); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("wasserstein1 = %g, want %g", got, tt.want)
			}
			if got := wasserstein1(tt.b, tt.a); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("swapped: wasserstein1 = %g, want %g", got, tt.want)
			}
		})
	}
}

func BenchmarkSortFloats(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{8192, 32768} {
		col := gaussians(rng, n, 3)
		keys := make([]uint32, n)
		scratch := make([]uint32, n)
		b.Run(map[int]string{8192: "8192", 32768: "32768"}[n], func(b *testing.B) {
			for b.Loop() {
				sortFloats(col, keys, scratch)
			}
		})
	}
}
