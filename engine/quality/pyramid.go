package quality

// The Laplacian pyramid of the progressive GAN paper: each level is blurred
// with the 5-tap binomial filter [1 4 6 4 1]/16 along rows and columns and
// halved; a band-pass level is a Gaussian level minus the next one brought
// back up. Borders mirror without repeating the edge pixel (d c b | a b c d),
// as OpenCV's pyrDown and pyrUp do.

// binomial5 is the 1-D binomial filter; its outer product is the paper's
// 5×5 Gaussian.
var binomial5 = [5]float32{1.0 / 16, 4.0 / 16, 6.0 / 16, 4.0 / 16, 1.0 / 16}

// mirror maps an index up to two steps outside [0, n) back inside by
// reflection about the edge pixel. n must be at least 3.
func mirror(i, n int) int {
	if i < 0 {
		return -i
	}
	if i >= n {
		return 2*(n-1) - i
	}
	return i
}

// halfSize is the side of the level below a level of side s.
func halfSize(s int) int { return (s + 1) / 2 }

// pyramidSizes lists the sides of the levels of a pyramid for images of
// side size, finest first, halving while the next level is at least
// minSide. An image smaller than minSide has the single level size.
func pyramidSizes(size, minSide int) []int {
	sizes := []int{size}
	for s := size; halfSize(s) >= minSide && halfSize(s) < s; {
		s = halfSize(s)
		sizes = append(sizes, s)
	}
	return sizes
}

// pyrDown blurs the s×s plane src and keeps the pixels at even rows and
// columns, writing the halfSize(s) square plane dst. tmp must hold
// s*halfSize(s) values.
func pyrDown(dst, src, tmp []float32, s int) {
	d := halfSize(s)
	k0, k1, k2 := binomial5[0], binomial5[1], binomial5[2]

	// Rows first, only at the even columns that survive.
	for y := range s {
		row := src[y*s : (y+1)*s]
		out := tmp[y*d : (y+1)*d]
		for x := range d {
			c := 2 * x
			if c >= 2 && c+2 < s {
				out[x] = k0*(row[c-2]+row[c+2]) + k1*(row[c-1]+row[c+1]) + k2*row[c]
				continue
			}
			var acc float32
			for t := -2; t <= 2; t++ {
				acc += binomial5[t+2] * row[mirror(c+t, s)]
			}
			out[x] = acc
		}
	}

	// Then columns, only at the even rows that survive.
	for y := range d {
		c := 2 * y
		r0 := tmp[mirror(c-2, s)*d:][:d]
		r1 := tmp[mirror(c-1, s)*d:][:d]
		r2 := tmp[c*d:][:d]
		r3 := tmp[mirror(c+1, s)*d:][:d]
		r4 := tmp[mirror(c+2, s)*d:][:d]
		out := dst[y*d : (y+1)*d]
		for x := range out {
			out[x] = k0*(r0[x]+r4[x]) + k1*(r1[x]+r3[x]) + k2*r2[x]
		}
	}
}

// pyrUp doubles the halfSize(s) square plane src to the s×s plane dst: it
// puts each pixel at even coordinates with zeros between, then blurs with
// four times the Gaussian so that a constant plane stays constant. tmp must
// hold s*halfSize(s) values.
func pyrUp(dst, src, tmp []float32, s int) {
	d := halfSize(s)
	// Even outputs sit on a source pixel and take taps 1 6 1 of it and its
	// neighbours; odd outputs sit between two and take 4 4. Doubled twice,
	// once per direction, the taps sum to one.
	e0, e1, o := 2*binomial5[0], 2*binomial5[2], 2*binomial5[1]

	// Rows: each source row spreads over s columns.
	for y := range d {
		row := src[y*d : (y+1)*d]
		out := tmp[y*s : (y+1)*s]
		for x := range s {
			m := x / 2
			switch {
			case x < 2 || x+2 >= s:
				out[x] = upEdge(row, x, s)
			case x%2 == 0:
				out[x] = e0*(row[m-1]+row[m+1]) + e1*row[m]
			default:
				out[x] = o * (row[m] + row[m+1])
			}
		}
	}

	// Columns: the same spreading from the d rows of tmp to s rows.
	for y := range s {
		out := dst[y*s : (y+1)*s]
		m := y / 2
		switch {
		case y < 2 || y+2 >= s:
			clear(out)
			for t := -2; t <= 2; t++ {
				j := mirror(y+t, s)
				if j%2 != 0 {
					continue
				}
				w := 2 * binomial5[t+2]
				in := tmp[(j/2)*s:][:s]
				for x := range out {
					out[x] += w * in[x]
				}
			}
		case y%2 == 0:
			r0, r1, r2 := tmp[(m-1)*s:][:s], tmp[m*s:][:s], tmp[(m+1)*s:][:s]
			for x := range out {
				out[x] = e0*(r0[x]+r2[x]) + e1*r1[x]
			}
		default:
			r0, r1 := tmp[m*s:][:s], tmp[(m+1)*s:][:s]
			for x := range out {
				out[x] = o * (r0[x] + r1[x])
			}
		}
	}
}

// upEdge is one output of pyrUp's row pass near a border, where taps
// mirror: the zero-filled row has values at even columns only.
func upEdge(row []float32, x, s int) float32 {
	var acc float32
	for t := -2; t <= 2; t++ {
		if j := mirror(x+t, s); j%2 == 0 {
			acc += binomial5[t+2] * row[j/2]
		}
	}
	return 2 * acc
}

// pyramidScratch holds the buffers one goroutine needs to build pyramids of
// images of one size.
type pyramidScratch struct {
	load        []float32 // one NHWC image, when it must be converted
	gauss, next []float32 // planar Gaussian levels, channels × side²
	up, tmp     []float32 // one plane each
}

func newPyramidScratch(size, channels int) *pyramidScratch {
	return &pyramidScratch{
		load:  make([]float32, channels*size*size),
		gauss: make([]float32, channels*size*size),
		next:  make([]float32, channels*size*size),
		up:    make([]float32, size*size),
		tmp:   make([]float32, size*halfSize(size)),
	}
}

// laplacian writes the Laplacian pyramid of one NHWC image (pixels) into
// levels: levels[l] receives channels planes of side sizes[l], one after
// the other. All levels but the last are band-pass; the last is the
// Gaussian low-pass level.
func laplacian(levels [][]float32, pixels []float32, sizes []int, channels int,
	sc *pyramidScratch) {
	s := sizes[0]
	plane := s * s
	for c := range channels {
		g := sc.gauss[c*plane : (c+1)*plane]
		for i := range g {
			g[i] = pixels[i*channels+c]
		}
	}

	for l := 0; l+1 < len(sizes); l++ {
		s, d := sizes[l], sizes[l+1]
		for c := range channels {
			g := sc.gauss[c*s*s : (c+1)*s*s]
			low := sc.next[c*d*d : (c+1)*d*d]
			band := levels[l][c*s*s : (c+1)*s*s]
			pyrDown(low, g, sc.tmp, s)
			pyrUp(sc.up, low, sc.tmp, s)
			for i, v := range g {
				band[i] = v - sc.up[i]
			}
		}
		sc.gauss, sc.next = sc.next, sc.gauss
	}

	last := len(sizes) - 1
	s = sizes[last]
	copy(levels[last], sc.gauss[:channels*s*s])
}
