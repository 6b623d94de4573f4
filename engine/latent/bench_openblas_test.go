//go:build openblas

package latent

import (
	"context"
	"testing"

	"gonum.org/v1/netlib/blas/netlib"
)

// BenchmarkComputeDirectionsOpenBLAS is BenchmarkComputeDirections with the
// products on OpenBLAS, as the studio runs it. Run it with
//
//	CGO_LDFLAGS=-lopenblas go test -tags openblas -run - -bench OpenBLAS ./engine/latent
func BenchmarkComputeDirectionsOpenBLAS(b *testing.B) {
	act := syntheticLayer(128, 4096)
	cfg := DirectionsConfig{Dim: 128, Samples: MinSamples, Components: 20,
		BLAS: netlib.Implementation{}}
	for b.Loop() {
		if _, err := ComputeDirections(context.Background(), act, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
