package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// geometry describes a square-kernel convolution over NHWC images: it maps
// an image of h×w pixels with c channels to oh×ow positions, each of which
// sees a k×k window of c channels.
type geometry struct {
	n, h, w, c     int
	k, stride, pad int
	oh, ow         int

	// coverY[iy] and coverX[ix] list the windows that see input row iy and
	// column ix, in order, for col2im.
	coverY, coverX [][]tap
}

// tap says that window position out sees an input coordinate at kernel
// offset at.
type tap struct{ out, at int }

func newGeometry(n, h, w, c, k, stride, pad int) (geometry, error) {
	g := geometry{n: n, h: h, w: w, c: c, k: k, stride: stride, pad: pad}
	g.oh = (h+2*pad-k)/stride + 1
	g.ow = (w+2*pad-k)/stride + 1
	if g.oh < 1 || g.ow < 1 || (h+2*pad-k)%stride != 0 || (w+2*pad-k)%stride != 0 {
		return g, fmt.Errorf("nn: kernel %d stride %d pad %d does not tile %dx%d", k, stride, pad, h, w)
	}
	g.coverY = cover(h, g.oh, k, stride, pad)
	g.coverX = cover(w, g.ow, k, stride, pad)
	return g, nil
}

// cover lists, for each of size input coordinates, the window positions
// among out that see it and where in their kernel.
func cover(size, out, k, stride, pad int) [][]tap {
	taps := make([][]tap, size)
	for i := range taps {
		for o := 0; o < out; o++ {
			if at := i + pad - o*stride; at >= 0 && at < k {
				taps[i] = append(taps[i], tap{o, at})
			}
		}
	}
	return taps
}

// rows is the number of window positions; cols the values in one window.
func (g geometry) rows() int { return g.n * g.oh * g.ow }
func (g geometry) cols() int { return g.k * g.k * g.c }

// positions is the number of window positions in one image.
func (g geometry) positions() int { return g.oh * g.ow }

// im2col copies every k×k window of images [b0, b1) of img into one row of
// cols, zero where the window hangs over the border. Columns run over (ky,
// kx, channel); the first row is image b0's first window.
func (g geometry) im2col(img, cols []float32, b0, b1 int) {
	c, width, seg := g.c, g.cols(), g.k*g.c
	for b := b0; b < b1; b++ {
		for oy := 0; oy < g.oh; oy++ {
			// The rows of this line of windows, filled one kernel row at a
			// time: each is a stretch of k pixels of one image row.
			first := ((b-b0)*g.oh + oy) * g.ow
			for ky := 0; ky < g.k; ky++ {
				iy := oy*g.stride - g.pad + ky
				if iy < 0 || iy >= g.h {
					for ox := 0; ox < g.ow; ox++ {
						clear(cols[(first+ox)*width+ky*seg:][:seg])
					}
					continue
				}
				line := img[(b*g.h+iy)*g.w*c:][:g.w*c]
				for ox := 0; ox < g.ow; ox++ {
					dst := cols[(first+ox)*width+ky*seg:][:seg]
					ix0 := ox*g.stride - g.pad
					if ix0 >= 0 && ix0+g.k <= g.w {
						copyShort(dst, line[ix0*c:][:seg])
						continue
					}
					kx0, kx1 := max(-ix0, 0), min(g.k, g.w-ix0)
					clear(dst[:kx0*c])
					copy(dst[kx0*c:kx1*c], line[(ix0+kx0)*c:(ix0+kx1)*c])
					clear(dst[kx1*c:])
				}
			}
		}
	}
}

// copyShort is copy for the windows' stretches, which for a three-channel
// image are a dozen values: a loop beats the call copy makes.
func copyShort(dst, src []float32) {
	if len(dst) > 16 {
		copy(dst, src)
		return
	}
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = v
	}
}

// col2im is the adjoint of im2col: it sets every pixel of images [b0, b1)
// of img to the sum of the window entries of cols that copied it, in window
// order. Each pixel is written once, so img need not be cleared first.
func (g geometry) col2im(cols, img []float32, b0, b1 int) {
	c, width := g.c, g.cols()
	for b := b0; b < b1; b++ {
		first := (b - b0) * g.positions()
		for iy, ys := range g.coverY {
			for ix, xs := range g.coverX {
				dst := img[((b*g.h+iy)*g.w+ix)*c:][:c]
				if len(ys) == 0 || len(xs) == 0 {
					clear(dst)
					continue
				}
				if len(ys) == 2 && len(xs) == 2 {
					// Four windows, as inside a stride-2 kernel-4 image:
					// one pass, summed in the same order as below.
					at := func(ty, tx tap) []float32 {
						row := first + ty.out*g.ow + tx.out
						return cols[row*width+(ty.at*g.k+tx.at)*c:][:c]
					}
					s00, s01 := at(ys[0], xs[0]), at(ys[0], xs[1])
					s10, s11 := at(ys[1], xs[0]), at(ys[1], xs[1])
					for i := range dst {
						dst[i] = s00[i] + s01[i] + s10[i] + s11[i]
					}
					continue
				}
				set := false
				for _, ty := range ys {
					for _, tx := range xs {
						row := first + ty.out*g.ow + tx.out
						src := cols[row*width+(ty.at*g.k+tx.at)*c:][:c]
						if !set {
							copy(dst, src)
							set = true
							continue
						}
						for i, v := range src {
							dst[i] += v
						}
					}
				}
			}
		}
	}
}

// chunkFloats is how much scratch, in float32s, a worker aims to use for
// the chunk of images it handles at once: small enough that a chunk's
// windows are still in cache when the matrix product reads them.
const chunkFloats = 1 << 18

// minChunkRows is the fewest rows a chunk's matrix product should have: a
// product over fewer rows spends too much time packing the weights.
const minChunkRows = 256

// imagesPerChunk returns how many images a worker handles at once, given
// the rows per image and the floats per row of its largest scratch matrix.
func imagesPerChunk(rowsPerImage, floatsPerRow int) int {
	images := chunkFloats / max(1, rowsPerImage*floatsPerRow)
	return max(1, images, (minChunkRows+rowsPerImage-1)/rowsPerImage)
}

// layer is what a convolution and a transposed convolution share: the
// latest inputs and output, the gradients they hand out and the workspace
// of the call in progress.
type layer struct {
	g     geometry
	act   Activation
	chunk int // images per chunk

	x, w   []float32 // inputs of the latest forward pass
	y      *tensor.Dense
	dy     []float32 // output gradient of the backward pass in progress
	needX  bool
	needW  bool
	dx, dw *tensor.Dense
	grads  [2]*tensor.Dense
	ws     *workspace

	// leader, when set, is the layer whose activation masks this one
	// follows (see FollowMasks), and like its latest output's values.
	leader kernel
	like   []float32

	// forwardShare, backwardShare and sumShare are made once so that
	// passing them to each does not allocate.
	forwardShare, backwardShare, sumShare func(w int)
}

func (l *layer) output() G.Value { return l.y }

// sumPartials adds into dw, over worker w's share of its entries, the partial
// weight gradients the other workers left at the start of their arenas.
func (l *layer) sumPartials(w int) {
	dw := data(l.dw)
	lo, hi := span(len(dw), w)
	for other := 1; other < workers; other++ {
		if b0, b1 := span(l.g.n, other); b0 == b1 {
			continue
		}
		part := l.ws.arena[other][:len(dw)]
		for j := lo; j < hi; j++ {
			dw[j] += part[j]
		}
	}
}

// run calls share on every worker with a borrowed workspace.
func (l *layer) run(share func(int)) {
	l.ws = borrow()
	each(share)
	giveBack(l.ws)
	l.ws = nil
}

// backwardPass runs the backward shares, sums the weight gradient and
// returns the gradients in need.
func (l *layer) backwardPass(dy []float32, need []bool, xShape, wShape tensor.Shape) []*tensor.Dense {
	l.dy, l.needX, l.needW = dy, need[0], need[1]
	l.grads = [2]*tensor.Dense{}
	if l.needX {
		l.dx = dense(l.dx, xShape...)
		l.grads[0] = l.dx
	}
	if l.needW {
		l.dw = dense(l.dw, wShape...)
		l.grads[1] = l.dw
	}
	l.ws = borrow()
	each(l.backwardShare)
	if l.needW {
		each(l.sumShare)
	}
	giveBack(l.ws)
	l.ws, l.dy = nil, nil
	return l.grads[:]
}

// weightGradient returns where worker w accumulates its part of the weight
// gradient, out of its arena of size floats: dw itself for worker 0, the
// start of the arena for the others. The rest of the arena is returned as
// scratch.
func (l *layer) weightGradient(w, size int) (part, rest []float32) {
	if !l.needW {
		return nil, l.ws.floats(w, size)
	}
	dw := data(l.dw)
	if w == 0 {
		return dw, l.ws.floats(w, size)
	}
	a := l.ws.floats(w, len(dw)+size)
	return a[:len(dw)], a[len(dw):]
}

// conv is a convolution without bias followed by an activation. Its weight
// is a (k·k·cin)×cout matrix whose rows run over (ky, kx, cin).
//
// Each worker takes a contiguous share of the batch and goes through it a
// few images at a time, copying their windows into scratch and multiplying
// them by the weights; the backward pass copies the windows again rather
// than keeping them, which costs little next to the products and keeps the
// layer's memory to its output and gradients.
type conv struct {
	layer
	cout int
}

func newConv(g geometry, cout int, act Activation) *conv {
	c := &conv{layer: layer{g: g, act: act}, cout: cout}
	c.chunk = imagesPerChunk(g.positions(), g.cols()+cout)
	c.forwardShare = c.forwardPart
	c.backwardShare = c.backwardPart
	c.sumShare = c.sumPartials
	return c
}

func (c *conv) name() string {
	return fmt.Sprintf("conv%d/%d+%s", c.g.k, c.g.stride, c.act)
}

func (c *conv) forward(in []*tensor.Dense) (G.Value, error) {
	c.x, c.w = data(in[0]), data(in[1])
	c.y = dense(c.y, c.g.n, c.g.oh, c.g.ow, c.cout)
	var err error
	if c.like, err = masks(c.leader, c.y); err != nil {
		return nil, err
	}
	c.run(c.forwardShare)
	return c.y, nil
}

func (c *conv) follow(leader kernel) error {
	l, ok := leader.(*conv)
	if !ok || !c.act.piecewiseLinear() || l.act != c.act {
		return fmt.Errorf("nn: %s cannot follow the masks of %s", c.name(), leader.name())
	}
	c.leader = leader
	return nil
}

func (c *conv) forwardPart(w int) {
	g, y := c.g, data(c.y)
	lo, hi := span(g.n, w)
	chunk := min(c.chunk, hi-lo)
	cols := c.ws.floats(w, chunk*g.positions()*g.cols())
	for b0 := lo; b0 < hi; b0 += chunk {
		b1 := min(b0+chunk, hi)
		rows := (b1 - b0) * g.positions()
		g.im2col(c.x, cols, b0, b1)
		out := y[b0*g.positions()*c.cout : b1*g.positions()*c.cout]
		gemm(false, false, rows, c.cout, g.cols(), 1, cols, c.w, 0, out)
		if c.leader != nil {
			c.act.activateLike(out, c.like[b0*g.positions()*c.cout:])
		} else {
			c.act.activate(out)
		}
	}
}

func (c *conv) backward(dy []float32, need []bool) ([]*tensor.Dense, error) {
	g := c.g
	return c.backwardPass(dy, need, tensor.Shape{g.n, g.h, g.w, g.c},
		tensor.Shape{g.cols(), c.cout}), nil
}

// backwardPart computes, for worker w's images, dpre = act'(y)·dy, the
// weight gradient windowsᵀ·dpre and the input gradient col2im(dpre·Wᵀ).
func (c *conv) backwardPart(w int) {
	g, y := c.g, c.like // the output itself, or the leader's
	lo, hi := span(g.n, w)
	chunk := min(c.chunk, hi-lo)
	perChunk := chunk * g.positions()
	dw, scratch := c.weightGradient(w, perChunk*(g.cols()+c.cout))
	cols, dpre := scratch[:perChunk*g.cols()], scratch[perChunk*g.cols():]
	if lo == hi && dw != nil && w == 0 {
		clear(dw)
	}
	for b0 := lo; b0 < hi; b0 += chunk {
		b1 := min(b0+chunk, hi)
		rows := (b1 - b0) * g.positions()
		out := b0 * g.positions() * c.cout
		d := c.act.gradientInto(dpre, y[out:out+rows*c.cout], c.dy[out:out+rows*c.cout])
		if c.needW {
			g.im2col(c.x, cols, b0, b1)
			beta := float32(1)
			if b0 == lo {
				beta = 0
			}
			gemm(true, false, g.cols(), c.cout, rows, 1, cols, d, beta, dw)
		}
		if c.needX {
			gemm(false, true, rows, g.cols(), c.cout, 1, d, c.w, 0, cols)
			g.col2im(cols, data(c.dx), b0, b1)
		}
	}
}

// deconv is a transposed convolution without bias followed by an
// activation: the adjoint of a convolution that maps its output back to its
// input. Its weight is a cin×(k·k·cout) matrix.
//
// Forward, each input pixel times the weights gives the k×k window it adds
// to the output, and col2im sums the windows that overlap each output pixel.
// Backward copies the windows of the output gradient, as a convolution's
// forward pass does, and multiplies them out.
type deconv struct {
	layer
	cin         int
	cols        []float32 // windows of a batch too small to split by image
	columnShare func(w int)
}

func newDeconv(g geometry, cin int, act Activation) *deconv {
	d := &deconv{layer: layer{g: g, act: act}, cin: cin}
	d.chunk = imagesPerChunk(g.positions(), g.cols()+g.h*g.w*g.c/g.positions())
	d.forwardShare = d.forwardPart
	d.columnShare = d.columnsPart
	d.backwardShare = d.backwardPart
	d.sumShare = d.sumPartials
	return d
}

func (d *deconv) name() string {
	return fmt.Sprintf("deconv%d/%d+%s", d.g.k, d.g.stride, d.act)
}

func (d *deconv) forward(in []*tensor.Dense) (G.Value, error) {
	d.x, d.w = data(in[0]), data(in[1])
	d.y = dense(d.y, d.g.n, d.g.h, d.g.w, d.g.c)
	if d.g.n >= workers {
		d.run(d.forwardShare)
		return d.y, nil
	}

	// Too few images to give every worker one, as when a latent slider
	// asks for a single image: the workers split the product's columns
	// instead, and the caller sums the windows.
	g := d.g
	d.ws = borrow()
	d.cols = d.ws.floats(0, g.rows()*g.cols())
	eachSized(g.rows()*g.cols(), d.columnShare)
	g.col2im(d.cols, data(d.y), 0, g.n)
	d.act.activate(data(d.y))
	giveBack(d.ws)
	d.ws, d.cols = nil, nil
	return d.y, nil
}

// columnsPart computes worker w's share of the columns of x·W, the windows
// every input pixel adds to the output, into d.cols.
func (d *deconv) columnsPart(w int) {
	const align = 16 // columns per share start on a whole cache line
	width := d.g.cols()
	lo, hi := span((width+align-1)/align, w)
	c0, c1 := lo*align, min(hi*align, width)
	if c0 >= c1 {
		return
	}
	if d.g.rows() == 1 {
		// One input pixel: a matrix-vector product reads the weights
		// once, where a matrix product would first copy them.
		impl.Sgemv(blas.Trans, d.cin, c1-c0, 1, d.w[c0:], width, d.x, 1, 0, d.cols[c0:c1], 1)
		return
	}
	gemmStrided(d.g.rows(), c1-c0, d.cin, 1, d.x, d.cin, d.w[c0:], width, 0, d.cols[c0:], width)
}

func (d *deconv) forwardPart(w int) {
	g, y := d.g, data(d.y)
	lo, hi := span(g.n, w)
	chunk := min(d.chunk, hi-lo)
	cols := d.ws.floats(w, chunk*g.positions()*g.cols())
	image := g.h * g.w * g.c
	for b0 := lo; b0 < hi; b0 += chunk {
		b1 := min(b0+chunk, hi)
		rows := (b1 - b0) * g.positions()
		gemm(false, false, rows, g.cols(), d.cin, 1, d.x[b0*g.positions()*d.cin:], d.w, 0, cols)
		g.col2im(cols, y, b0, b1)
		d.act.activate(y[b0*image : b1*image])
	}
}

func (d *deconv) backward(dy []float32, need []bool) ([]*tensor.Dense, error) {
	g := d.g
	return d.backwardPass(dy, need, tensor.Shape{g.n, g.oh, g.ow, d.cin},
		tensor.Shape{d.cin, g.cols()}), nil
}

// backwardPart computes, for worker w's images, dpre = act'(y)·dy, its
// windows, the weight gradient xᵀ·windows and the input gradient
// windows·Wᵀ.
func (d *deconv) backwardPart(w int) {
	g, y := d.g, data(d.y)
	lo, hi := span(g.n, w)
	image := g.h * g.w * g.c
	chunk := min(d.chunk, hi-lo)
	perChunk := chunk * g.positions()
	dw, scratch := d.weightGradient(w, perChunk*g.cols()+chunk*image)
	cols, dpre := scratch[:perChunk*g.cols()], scratch[perChunk*g.cols():]
	if lo == hi && dw != nil && w == 0 {
		clear(dw)
	}
	for b0 := lo; b0 < hi; b0 += chunk {
		b1 := min(b0+chunk, hi)
		rows := (b1 - b0) * g.positions()
		// dpre holds images [b0, b1), so its windows are those of images
		// [0, b1-b0).
		pre := d.act.gradientInto(dpre, y[b0*image:b1*image], d.dy[b0*image:b1*image])
		g.im2col(pre, cols, 0, b1-b0)
		x := d.x[b0*g.positions()*d.cin : b1*g.positions()*d.cin]
		if d.needW {
			beta := float32(1)
			if b0 == lo {
				beta = 0
			}
			gemm(true, false, d.cin, g.cols(), rows, 1, x, cols, beta, dw)
		}
		if d.needX {
			dx := data(d.dx)[b0*g.positions()*d.cin : b1*g.positions()*d.cin]
			gemm(false, true, rows, d.cin, g.cols(), 1, cols, d.w, 0, dx)
		}
	}
}

// Conv adds a convolution of x (NHWC) by the weight matrix w, with kernel k,
// stride and padding, followed by act. needX and needW say which gradients
// the graph will use.
func Conv(x, w *G.Node, k, stride, pad int, act Activation, needX, needW bool) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != 4 {
		return nil, fmt.Errorf("nn: conv input has shape %v, want NHWC", s)
	}
	g, err := newGeometry(s[0], s[1], s[2], s[3], k, stride, pad)
	if err != nil {
		return nil, err
	}
	ws := w.Shape()
	if ws.Dims() != 2 || ws[0] != g.cols() {
		return nil, fmt.Errorf("nn: conv weight has shape %v, want (%d, cout)", ws, g.cols())
	}
	c := newConv(g, ws[1], act)
	return apply(c, tensor.Shape{g.n, g.oh, g.ow, c.cout}, []bool{needX, needW}, x, w)
}

// Deconv adds a transposed convolution of x (NHWC) by the weight matrix w
// (cin × k·k·cout), with kernel k, stride and padding, followed by act. The
// output has (h-1)·stride - 2·pad + k pixels a side.
func Deconv(x, w *G.Node, k, stride, pad int, act Activation, needX, needW bool) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != 4 {
		return nil, fmt.Errorf("nn: deconv input has shape %v, want NHWC", s)
	}
	ws := w.Shape()
	if ws.Dims() != 2 || ws[0] != s[3] || ws[1]%(k*k) != 0 {
		return nil, fmt.Errorf("nn: deconv weight has shape %v, want (%d, %d·cout)", ws, s[3], k*k)
	}
	cout := ws[1] / (k * k)
	oh := (s[1]-1)*stride - 2*pad + k
	ow := (s[2]-1)*stride - 2*pad + k
	g, err := newGeometry(s[0], oh, ow, cout, k, stride, pad)
	if err != nil {
		return nil, err
	}
	if g.oh != s[1] || g.ow != s[2] {
		return nil, fmt.Errorf("nn: deconv geometry does not invert: %dx%d", g.oh, g.ow)
	}
	d := newDeconv(g, s[3], act)
	return apply(d, tensor.Shape{g.n, g.h, g.w, g.c}, []bool{needX, needW}, x, w)
}
