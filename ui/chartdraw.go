package ui

import (
	"image"
	"image/color"
	"math"

	"golang.org/x/image/vector"
)

// draw renders the series into a w×h image: per series the raw line, faint
// and thin, then its moving average over it.
func (r *chartRenderer) draw(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	c := r.chart
	if w < 2 || h < 2 || r.x1 <= r.x0 || r.y1 <= r.y0 {
		return img
	}
	scale := float64(w) / float64(max(r.plot.Size().Width, 1))
	toPixel := func(x, y float64) (float32, float32) {
		px := (x - r.x0) / (r.x1 - r.x0) * float64(w-1)
		py := (1 - (y-r.y0)/(r.y1-r.y0)) * float64(h-1)
		// Far-off values are pulled in so the rasterizer's sums stay exact;
		// they are outside the image either way.
		return float32(px), float32(min(max(py, -4*float64(h)), 5*float64(h)))
	}

	var z vector.Rasterizer
	mask := image.NewAlpha(img.Bounds())
	for _, s := range c.series {
		faint := s.color
		faint.A = uint8(uint16(faint.A) * rawAlpha / 0xff)
		smooth := s.smoothed(c.weight(len(s.ys)))
		passes := []struct {
			ys    []float64
			color color.NRGBA
			width float64
		}{
			{s.ys, faint, rawLineWidth},
			{smooth, s.color, smoothLineWidth},
		}
		if c.Smoothing == 0 {
			passes = passes[1:]
		}
		for _, p := range passes {
			keep := downsample(s.xs, p.ys, r.x0, r.x1, w)
			if len(keep) == 0 {
				continue
			}
			z.Reset(w, h)
			half := float32(p.width * scale / 2)
			px, py := toPixel(s.xs[keep[0]], p.ys[keep[0]])
			if len(keep) == 1 {
				strokeSegment(&z, px-half, py, px+half, py, half)
			}
			for _, i := range keep[1:] {
				qx, qy := toPixel(s.xs[i], p.ys[i])
				strokeSegment(&z, px, py, qx, qy, half)
				px, py = qx, qy
			}
			clear(mask.Pix)
			z.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
			paintMask(img, mask, p.color)
		}
	}
	return img
}

// strokeSegment adds to z a rectangle of half-width half around the segment
// from (ax, ay) to (bx, by), lengthened by half at both ends so consecutive
// segments meet without a notch. Every rectangle winds the same way, so
// overlaps add up instead of cancelling.
func strokeSegment(z *vector.Rasterizer, ax, ay, bx, by, half float32) {
	dx, dy := bx-ax, by-ay
	length := float32(math.Hypot(float64(dx), float64(dy)))
	if length < 1e-3 {
		dx, dy, length = 1, 0, 1
	}
	ux, uy := dx/length*half, dy/length*half // along the segment
	nx, ny := -uy, ux                        // across it
	z.MoveTo(ax-ux+nx, ay-uy+ny)
	z.LineTo(bx+ux+nx, by+uy+ny)
	z.LineTo(bx+ux-nx, by+uy-ny)
	z.LineTo(ax-ux-nx, ay-uy-ny)
	z.ClosePath()
}

// paintMask paints col over dst wherever mask covers it, as far as it
// covers it. Lines cover a small part of a chart, and skipping the rest
// makes this several times faster than compositing every pixel.
func paintMask(dst *image.RGBA, mask *image.Alpha, col color.NRGBA) {
	for i, m := range mask.Pix {
		if m == 0 {
			continue
		}
		a := uint32(m) * uint32(col.A) / 0xff // coverage times the colour's alpha
		p := dst.Pix[4*i : 4*i+4 : 4*i+4]
		p[0] = uint8((uint32(col.R)*a + uint32(p[0])*(0xff-a)) / 0xff)
		p[1] = uint8((uint32(col.G)*a + uint32(p[1])*(0xff-a)) / 0xff)
		p[2] = uint8((uint32(col.B)*a + uint32(p[2])*(0xff-a)) / 0xff)
		p[3] = uint8((0xff*a + uint32(p[3])*(0xff-a)) / 0xff)
	}
}
