package nn

import "sync"

// A workspace holds one scratch arena per worker for the length of one
// kernel call: the image windows, window gradients and partial weight
// gradients that live only while the call runs. Every kernel of every graph
// borrows from the same few workspaces, so scratch memory is that of the
// largest single layer, not the sum over layers and graphs.
type workspace struct {
	arena [][]float32
}

// spare holds the workspaces no call is using. There is one per goroutine
// that has run kernels at the same time, usually one or two.
var spare struct {
	mu   sync.Mutex
	free []*workspace
}

// borrow returns a workspace for the caller's exclusive use until it calls
// giveBack.
func borrow() *workspace {
	spare.mu.Lock()
	defer spare.mu.Unlock()
	if n := len(spare.free); n > 0 {
		ws := spare.free[n-1]
		spare.free = spare.free[:n-1]
		return ws
	}
	return &workspace{arena: make([][]float32, workers)}
}

// giveBack returns ws for other calls to use.
func giveBack(ws *workspace) {
	spare.mu.Lock()
	defer spare.mu.Unlock()
	spare.free = append(spare.free, ws)
}

// floats returns n values of worker w's arena, with whatever they held
// before. The arena grows the first time a layer needs more and then stays,
// so the steady state allocates nothing.
func (ws *workspace) floats(w, n int) []float32 {
	if cap(ws.arena[w]) < n {
		ws.arena[w] = make([]float32, n)
	}
	return ws.arena[w][:n]
}
