package engine

import "math/rand/v2"

// sampler deals dataset indices in a fresh random order every epoch. The
// order of an epoch depends only on the seed and the epoch number, so the
// sampler's whole state is (epoch, position).
type sampler struct {
	n, epoch, pos int
	seed          uint64
	perm          []int
}

// next fills dst with the next indices, crossing into the next epoch when
// this one runs out; a dataset smaller than a batch is dealt repeatedly.
func (s *sampler) next(dst []int) {
	for i := range dst {
		if s.pos >= s.n {
			s.epoch++
			s.pos = 0
			s.perm = nil
		}
		if s.perm == nil {
			s.perm = rand.New(rand.NewPCG(s.seed, uint64(s.epoch)+0x9e37)).Perm(s.n)
		}
		dst[i] = s.perm[s.pos]
		s.pos++
	}
}
