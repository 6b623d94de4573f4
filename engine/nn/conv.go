package nn

import (
	"fmt"

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
}

func newGeometry(n, h, w, c, k, stride, pad int) (geometry, error) {
	g := geometry{n: n, h: h, w: w, c: c, k: k, stride: stride, pad: pad}
	g.oh = (h+2*pad-k)/stride + 1
	g.ow = (w+2*pad-k)/stride + 1
	if g.oh < 1 || g.ow < 1 || (h+2*pad-k)%stride != 0 || (w+2*pad-k)%stride != 0 {
		return g, fmt.Errorf("nn: kernel %d stride %d pad %d does not tile %dx%d", k, stride, pad, h, w)
	}
	return g, nil
}

// rows is the number of window positions; cols the values in one window.
func (g geometry) rows() int { return g.n * g.oh * g.ow }
func (g geometry) cols() int { return g.k * g.k * g.c }

// im2col copies every k×k window of img into one row of cols, zero where
// the window hangs over the border. Columns run over (ky, kx, channel).
func (g geometry) im2col(img, cols []float32) {
	parallel(g.n, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			for oy := 0; oy < g.oh; oy++ {
				for ox := 0; ox < g.ow; ox++ {
					row := cols[((b*g.oh+oy)*g.ow+ox)*g.cols():][:g.cols()]
					g.window(img, row, b, oy, ox, true)
				}
			}
		}
	})
}

// col2im is the adjoint of im2col: it adds every row of cols back into the
// window it came from. img is overwritten.
func (g geometry) col2im(cols, img []float32) {
	parallel(g.n, func(lo, hi int) {
		clear(img[lo*g.h*g.w*g.c : hi*g.h*g.w*g.c])
		for b := lo; b < hi; b++ {
			for oy := 0; oy < g.oh; oy++ {
				for ox := 0; ox < g.ow; ox++ {
					row := cols[((b*g.oh+oy)*g.ow+ox)*g.cols():][:g.cols()]
					g.window(img, row, b, oy, ox, false)
				}
			}
		}
	})
}

// window copies the window at (oy, ox) of image b into row (gather), or
// adds row into it (scatter).
func (g geometry) window(img, row []float32, b, oy, ox int, gather bool) {
	c := g.c
	for ky := 0; ky < g.k; ky++ {
		iy := oy*g.stride - g.pad + ky
		seg := row[ky*g.k*c : (ky+1)*g.k*c]
		if iy < 0 || iy >= g.h {
			if gather {
				clear(seg)
			}
			continue
		}
		line := img[(b*g.h+iy)*g.w*c : (b*g.h+iy+1)*g.w*c]
		ix0 := ox*g.stride - g.pad
		kx0, kx1 := 0, g.k
		if ix0 < 0 {
			kx0 = -ix0
		}
		if ix0+g.k > g.w {
			kx1 = g.w - ix0
		}
		if gather {
			clear(seg[:kx0*c])
			copy(seg[kx0*c:kx1*c], line[(ix0+kx0)*c:(ix0+kx1)*c])
			clear(seg[kx1*c:])
			continue
		}
		dst := line[(ix0+kx0)*c : (ix0+kx1)*c]
		for i, v := range seg[kx0*c : kx1*c] {
			dst[i] += v
		}
	}
}

// conv is a convolution without bias followed by an activation. Its weight
// is a (k·k·cin)×cout matrix whose rows run over (ky, kx, cin).
type conv struct {
	g    geometry
	cout int
	act  Activation

	x, cols, y *tensor.Dense // cached from the forward pass
	w          *tensor.Dense
	dpre, dcol *tensor.Dense // scratch for the backward pass
	dx, dw     *tensor.Dense
}

func (c *conv) name() string {
	return fmt.Sprintf("conv%d/%d+%s", c.g.k, c.g.stride, c.act)
}

func (c *conv) output() G.Value { return c.y }

func (c *conv) forward(in []*tensor.Dense) (G.Value, error) {
	c.x, c.w = in[0], in[1]
	g := c.g
	c.cols = dense(c.cols, g.rows(), g.cols())
	c.y = dense(c.y, g.n, g.oh, g.ow, c.cout)
	g.im2col(data(c.x), data(c.cols))
	gemm(false, false, g.rows(), c.cout, g.cols(), 1, data(c.cols), data(c.w), 0, data(c.y))
	c.act.activate(data(c.y))
	return c.y, nil
}

func (c *conv) backward(dy []float32, need []bool) ([]*tensor.Dense, error) {
	g := c.g
	c.dpre = dense(c.dpre, g.rows(), c.cout)
	dpre := data(c.dpre)
	c.act.gradient(dpre, data(c.y), dy)
	grads := make([]*tensor.Dense, 2)
	if need[1] {
		// dW = colsᵀ · dpre
		c.dw = dense(c.dw, g.cols(), c.cout)
		gemm(true, false, g.cols(), c.cout, g.rows(), 1, data(c.cols), dpre, 0, data(c.dw))
		grads[1] = c.dw
	}
	if need[0] {
		// dX = col2im(dpre · Wᵀ)
		c.dcol = dense(c.dcol, g.rows(), g.cols())
		gemm(false, true, g.rows(), g.cols(), c.cout, 1, dpre, data(c.w), 0, data(c.dcol))
		c.dx = dense(c.dx, g.n, g.h, g.w, g.c)
		g.col2im(data(c.dcol), data(c.dx))
		grads[0] = c.dx
	}
	return grads, nil
}

// deconv is a transposed convolution without bias followed by an
// activation: the adjoint of a convolution that maps its output back to its
// input. Its weight is a cin×(k·k·cout) matrix.
type deconv struct {
	g   geometry // the convolution from this layer's output to its input
	cin int
	act Activation

	x, w, cols, y *tensor.Dense
	dpre, dcol    *tensor.Dense
	dx, dw        *tensor.Dense
}

func (d *deconv) name() string {
	return fmt.Sprintf("deconv%d/%d+%s", d.g.k, d.g.stride, d.act)
}

func (d *deconv) output() G.Value { return d.y }

func (d *deconv) forward(in []*tensor.Dense) (G.Value, error) {
	d.x, d.w = in[0], in[1]
	g := d.g
	// Each input pixel spreads over a k×k window of the output.
	d.cols = dense(d.cols, g.rows(), g.cols())
	gemm(false, false, g.rows(), g.cols(), d.cin, 1, data(d.x), data(d.w), 0, data(d.cols))
	d.y = dense(d.y, g.n, g.h, g.w, g.c)
	g.col2im(data(d.cols), data(d.y))
	d.act.activate(data(d.y))
	return d.y, nil
}

func (d *deconv) backward(dy []float32, need []bool) ([]*tensor.Dense, error) {
	g := d.g
	d.dpre = dense(d.dpre, g.n, g.h, g.w, g.c)
	d.act.gradient(data(d.dpre), data(d.y), dy)
	d.dcol = dense(d.dcol, g.rows(), g.cols())
	g.im2col(data(d.dpre), data(d.dcol))
	grads := make([]*tensor.Dense, 2)
	if need[1] {
		// dW = xᵀ · im2col(dpre)
		d.dw = dense(d.dw, d.cin, g.cols())
		gemm(true, false, d.cin, g.cols(), g.rows(), 1, data(d.x), data(d.dcol), 0, data(d.dw))
		grads[1] = d.dw
	}
	if need[0] {
		// dX = im2col(dpre) · Wᵀ
		d.dx = dense(d.dx, g.n, g.oh, g.ow, d.cin)
		gemm(false, true, g.rows(), d.cin, g.cols(), 1, data(d.dcol), data(d.w), 0, data(d.dx))
		grads[0] = d.dx
	}
	return grads, nil
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
	c := &conv{g: g, cout: ws[1], act: act}
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
	d := &deconv{g: g, cin: s[3], act: act}
	return apply(d, tensor.Shape{g.n, g.h, g.w, g.c}, []bool{needX, needW}, x, w)
}
