package nn

import (
	"sync"
	"testing"
)

// TestParallelCoversEachIndexOnce checks that parallel hands every index of
// [0, n) to exactly one chunk, for sizes below, at and above the number of
// workers, also while another goroutine keeps the crew busy.
func TestParallelCoversEachIndexOnce(t *testing.T) {
	var busy sync.WaitGroup
	stop := make(chan struct{})
	busy.Add(1)
	go func() {
		defer busy.Done()
		share := func(int) {}
		for {
			select {
			case <-stop:
				return
			default:
				each(share)
			}
		}
	}()
	defer func() {
		close(stop)
		busy.Wait()
	}()

	for _, n := range []int{0, 1, 2, 3, 7, 64, 1000} {
		for range 20 {
			seen := make([]int, n)
			var mu sync.Mutex
			parallel(n, func(lo, hi int) {
				mu.Lock()
				defer mu.Unlock()
				for i := lo; i < hi; i++ {
					seen[i]++
				}
			})
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("n=%d: index %d covered %d times", n, i, c)
				}
			}
		}
	}
}

// TestEachAllocatesNothing checks that a job whose share function exists
// already costs no allocation, on the crew and on the parallel path.
func TestEachAllocatesNothing(t *testing.T) {
	sums := make([]int, workers)
	share := func(w int) { sums[w]++ }
	fn := func(lo, hi int) {}
	each(share)
	if allocs := testing.AllocsPerRun(100, func() { each(share) }); allocs != 0 {
		t.Errorf("each allocates %v times per job", allocs)
	}
	if allocs := testing.AllocsPerRun(100, func() { parallel(100, fn) }); allocs != 0 {
		t.Errorf("parallel allocates %v times per job", allocs)
	}
}
