package nn

import (
	"runtime"
	"sync"
)

// workers is how many shares the kernels split their work into: one per
// core Go may use. It is fixed for the life of the process, so a kernel
// splits the same work the same way every time and its sums come out the
// same, bit for bit, run after run.
var workers = runtime.GOMAXPROCS(0)

// crew is a fixed set of goroutines that run the shares of a job together
// with the caller. The kernels call it dozens of times per training step;
// starting goroutines for each call would cost allocations and scheduler
// work, where a crew costs two channel operations per worker.
//
// The crew's goroutines start with the first parallel job and live as long
// as the process, idle on their channels between jobs. One job runs at a
// time: a caller that finds the crew busy (the trainer and a latent slider
// generating at once) runs every share itself instead of waiting.
type crew struct {
	mu    sync.Mutex
	start []chan func(int) // to worker w, for w ≥ 1
	done  chan struct{}

	// The job of parallel in progress, and rangePart made once.
	rangeN     int
	rangeFn    func(lo, hi int)
	rangeShare func(w int)
}

var (
	theCrew  crew
	crewOnce sync.Once
)

func (c *crew) init() {
	c.rangeShare = c.rangePart
	c.done = make(chan struct{}, workers)
	c.start = make([]chan func(int), workers)
	for w := 1; w < workers; w++ {
		c.start[w] = make(chan func(int))
		go func() {
			for fn := range c.start[w] {
				fn(w)
				c.done <- struct{}{}
			}
		}()
	}
}

// each calls share(w) once for every w in [0, workers), concurrently, and
// returns when all calls have returned. It does not allocate: a kernel keeps
// its share functions in fields made once, and each(k.someShare) passes an
// existing func value. The share of worker w must not depend on which
// goroutine runs it.
func each(share func(w int)) {
	if workers == 1 {
		share(0)
		return
	}
	crewOnce.Do(theCrew.init)
	if !theCrew.mu.TryLock() {
		for w := range workers {
			share(w)
		}
		return
	}
	theCrew.run(share)
	theCrew.mu.Unlock()
}

// run calls share on every worker, the caller being worker 0. The caller
// holds c.mu.
func (c *crew) run(share func(int)) {
	for w := 1; w < workers; w++ {
		c.start[w] <- share
	}
	share(0)
	for w := 1; w < workers; w++ {
		<-c.done
	}
}

// smallJob is the size, in values touched, under which a job runs every
// share on the calling goroutine: waking the crew would cost about as much
// as the work, and far more on a busy machine where a worker waits for a
// core. The shares are the same either way, so are the results.
const smallJob = 1 << 14

// eachSized is each for a job that touches size values.
func eachSized(size int, share func(w int)) {
	if size >= smallJob {
		each(share)
		return
	}
	for w := range workers {
		share(w)
	}
}

// span returns the part [lo, hi) of [0, n) that worker w of workers takes:
// contiguous, in order, and as even as n allows.
func span(n, w int) (lo, hi int) {
	return n * w / workers, n * (w + 1) / workers
}

// parallel calls fn over [0,n) split into contiguous chunks, one per worker,
// and returns when all are done. Small n runs inline. A closure passed here
// escapes, so a caller that builds one per call allocates per call; the
// kernels on the training path use each with share functions made once.
func parallel(n int, fn func(lo, hi int)) {
	if n <= 1 || workers == 1 {
		fn(0, n)
		return
	}
	crewOnce.Do(theCrew.init)
	if !theCrew.mu.TryLock() {
		for w := range workers {
			if lo, hi := span(n, w); lo < hi {
				fn(lo, hi)
			}
		}
		return
	}
	// The job lives in the crew while it holds the lock, so that handing
	// it over allocates nothing more.
	theCrew.rangeN, theCrew.rangeFn = n, fn
	theCrew.run(theCrew.rangeShare)
	theCrew.rangeFn = nil
	theCrew.mu.Unlock()
}

// rangePart runs worker w's chunk of the crew's parallel job.
func (c *crew) rangePart(w int) {
	if lo, hi := span(c.rangeN, w); lo < hi {
		c.rangeFn(lo, hi)
	}
}

// Each calls share(w) once for every worker w, concurrently, and returns
// when all calls have returned; Span says which part of a job is worker
// w's. There is one worker per core Go may use. Each allocates nothing when
// share is a func value made once and kept, so code outside this package
// on the training path (the optimiser) can split its work the same way the
// kernels do.
func Each(share func(w int)) { each(share) }

// Span returns the part [lo, hi) of [0, n) that worker w takes under Each:
// contiguous, in worker order, the same every call.
func Span(n, w int) (lo, hi int) { return span(n, w) }
