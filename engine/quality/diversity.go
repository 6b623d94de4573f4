package quality

import (
	"fmt"
	"image"
	"math/rand/v2"
)

// CollapseThreshold is how far generated images may move from the real
// images' diversity towards sameness before Collapsed reports mode
// collapse, as a fraction of the way from the real images' mean MS-SSIM to
// 1, where every pair is identical (see CollapseScore).
//
// A generator stuck on k outputs repeats itself in about 1 pair of k, so
// it scores a little under 1/k (a little, because its repeats are not
// pixel-exact). On the test style, 200 pairs of 64 images of 64×64, over a
// few seeds: fresh or blurred draws of the real style scored 0.06-0.11,
// eight noisy modes 0.07-0.15, three 0.15-0.23, two 0.37-0.45, one mode in
// varied colours 0.9. The threshold sits between: one or two modes are
// flagged; three are not, as sampling noise in the real images' own value
// would otherwise raise false alarms.
const CollapseThreshold = 0.25

// CollapseScore says where generated images sit between the diversity of
// the real images (0) and a set of identical images (1), from the mean
// MS-SSIM of each as Diversity returns it. Below 0 the generated images
// vary more than the real ones, as noise does. It is 0 if the real images
// are themselves all alike (real ≥ 1), since nothing can then be judged.
func CollapseScore(generated, real float64) float64 {
	if real >= 1 {
		return 0
	}
	return (generated - real) / (1 - real)
}

// Collapsed reports whether generated images look mode-collapsed next to
// the real images: whether CollapseScore exceeds CollapseThreshold.
// Compare like with like: the same number of pairs, image size and
// channels for both values.
func Collapsed(generated, real float64) bool {
	return CollapseScore(generated, real) > CollapseThreshold
}

// Diversity returns the mean MS-SSIM over pairs of distinct images of the
// set: near 1 when the images are all alike, lower the more they differ.
// If pairs is at least the number of distinct pairs, every pair is used
// once; otherwise that many pairs are drawn at random with the seed. The
// images must be square, of one size, at least 11 pixels a side, and at
// least two.
func Diversity(images []image.Image, pairs int, seed uint64) (float64, error) {
	b, err := batchFromImages(images)
	if err != nil {
		return 0, fmt.Errorf("quality: diversity: %w", err)
	}
	return diversity(b, pairs, seed)
}

// DiversityFloat is Diversity for a batch laid out NHWC with values in
// [-1, 1], as the trainer produces it: a whole number of
// size×size×channels images.
func DiversityFloat(pixels []float32, size, channels, pairs int, seed uint64) (float64, error) {
	b, err := newBatch(pixels, size, channels)
	if err != nil {
		return 0, fmt.Errorf("quality: diversity: %w", err)
	}
	return diversity(b, pairs, seed)
}

func diversity(b batch, pairs int, seed uint64) (float64, error) {
	if b.n < 2 {
		return 0, fmt.Errorf("quality: diversity: %d images, need two to make a pair: %w",
			b.n, ErrNoImages)
	}
	scales := MSSSIMScales(b.size)
	if scales == 0 {
		return 0, fmt.Errorf("quality: diversity: %d×%d images are under %d pixels: %w",
			b.size, b.size, ssimWindow, ErrImageSize)
	}
	if pairs < 1 {
		return 0, fmt.Errorf("quality: diversity: %d pairs, need at least one: %w",
			pairs, ErrBadOptions)
	}

	list := choosePairs(b.n, pairs, seed)
	use := make([]int, 0, 2*len(list))
	for _, p := range list {
		use = append(use, p[0], p[1])
	}
	workers := defaultWorkers(0)
	prep := newSSIMPrep(b, use, workers)
	scratch := make([]*ssimScratch, workers)
	for w := range scratch {
		scratch[w] = newSSIMScratch(b.size)
	}
	values := make([]float64, len(list))
	parallel(len(list), workers, func(w, k int) {
		values[k] = prep.compare(list[k][0], list[k][1], scratch[w])
	})

	// Summing in pair order keeps the result independent of scheduling.
	var sum float64
	for _, v := range values {
		sum += v
	}
	return sum / float64(len(values)), nil
}

// choosePairs returns every pair of distinct indices below n if there are
// no more than want of them, else want pairs drawn uniformly at random.
func choosePairs(n, want int, seed uint64) [][2]int {
	if all := n * (n - 1) / 2; want >= all {
		list := make([][2]int, 0, all)
		for i := range n {
			for j := i + 1; j < n; j++ {
				list = append(list, [2]int{i, j})
			}
		}
		return list
	}

	rng := rand.New(rand.NewPCG(seed, 0x6469766572736974)) // "diversit"
	list := make([][2]int, want)
	for k := range list {
		i := rng.IntN(n)
		j := rng.IntN(n - 1)
		if j >= i {
			j++
		}
		list[k] = [2]int{i, j}
	}
	return list
}
