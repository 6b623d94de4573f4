package nn

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
import "C"

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// impl is the OpenBLAS implementation every matrix product goes through.
// Pure-Go BLAS is an order of magnitude slower on the convolutions here.
var impl netlib.Implementation

func init() {
	// Gorgonia's own ops and the tensor package use the same library.
	G.Use(impl)

	// The kernels split their work over the cores themselves (see each),
	// so every product runs on the thread that calls it. OpenBLAS's own
	// threads would compete with that split for the same cores and, on a
	// busy machine, spin waiting for each other.
	setBLASThreads(1)
}

// setBLASThreads sets how many threads OpenBLAS uses for one product.
func setBLASThreads(n int) { C.openblas_set_num_threads(C.int(n)) }

// gemm computes c = alpha*op(a)*op(b) + beta*c for row-major matrices, where
// op(a) is m×k and op(b) is k×n. transA and transB say whether a and b are
// stored transposed.
func gemm(transA, transB bool, m, n, k int, alpha float32, a []float32,
	b []float32, beta float32, c []float32) {
	ta, lda := blas.NoTrans, k
	if transA {
		ta, lda = blas.Trans, m
	}
	tb, ldb := blas.NoTrans, n
	if transB {
		tb, ldb = blas.Trans, k
	}
	impl.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
}

// gemmStrided is gemm on matrices that are part of wider ones: the
// untransposed product c = alpha·a·b + beta·c, where a row of a, b and c
// starts lda, ldb and ldc values after the one before.
func gemmStrided(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int) {
	impl.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
