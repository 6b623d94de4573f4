package nn

import (
	"runtime"
	"sync"
)

// workers is how many goroutines the element-wise kernels split work over.
var workers = runtime.GOMAXPROCS(0)

// parallel calls fn over [0,n) split into contiguous chunks, one per worker,
// and returns when all are done. Small n runs inline.
func parallel(n int, fn func(lo, hi int)) {
	w := workers
	if w > n {
		w = n
	}
	if w <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + w - 1) / w
	for lo := chunk; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	fn(0, min(chunk, n))
	wg.Wait()
}
