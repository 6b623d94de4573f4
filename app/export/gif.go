package export

import (
	"cmp"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"io"
	"slices"
	"sort"
	"time"
)

// Errors WriteGIF returns.
var (
	ErrNoFrames  = errors.New("an animation needs at least one frame")
	ErrFrameSize = errors.New("all frames of an animation must be the same size")
)

// paletteSamples bounds how many pixels the palette is built from: enough to
// see every colour that covers more than a few pixels of an animation.
const paletteSamples = 1 << 18

// minDelay is the shortest frame delay, in hundredths of a second, that
// browsers honour: shorter ones are played as 0.1 s.
const minDelay = 2

// WriteGIF encodes frames as an animated GIF that shows each frame for delay
// (rounded to hundredths of a second, at least 0.02 s) and plays forever
// when loop is true, once otherwise. Every frame must be the same size.
//
// All frames share one palette. When the frames hold at most 256 colours
// between them, the palette is exactly those colours and the frames are kept
// pixel for pixel. Otherwise the palette is cut by median cut from the
// frames' own colours and the frames are Floyd–Steinberg dithered onto it.
// One palette for the whole animation keeps a colour the same from frame to
// frame, where palettes per frame make flat areas flicker as a latent walk
// slowly changes the picture; and a palette taken from the frames suits the
// narrow colour ranges of generated art far better than the fixed plan9
// palette, which spends most of its colours on hues the art does not use.
// Transparency is not kept: transparent pixels turn black.
func WriteGIF(w io.Writer, frames []image.Image, delay time.Duration, loop bool) error {
	if err := writeGIF(w, frames, delay, loop); err != nil {
		return fmt.Errorf("export: write GIF: %w", err)
	}
	return nil
}

func writeGIF(w io.Writer, frames []image.Image, delay time.Duration, loop bool) error {
	if len(frames) == 0 {
		return ErrNoFrames
	}
	size := frames[0].Bounds().Size()
	if size.X > 65535 || size.Y > 65535 {
		return fmt.Errorf("%dx%d frames: %w", size.X, size.Y, ErrTooLarge)
	}
	rgba := make([]*image.RGBA, len(frames))
	for i, frame := range frames {
		if frame.Bounds().Size() != size {
			return fmt.Errorf("frame %d is %v, frame 1 is %v: %w",
				i+1, frame.Bounds().Size(), size, ErrFrameSize)
		}
		rgba[i] = image.NewRGBA(image.Rectangle{Max: size})
		draw.Draw(rgba[i], rgba[i].Bounds(), frame, frame.Bounds().Min, draw.Src)
	}

	palette, exact := exactPalette(rgba)
	if !exact {
		palette = medianCut(rgba, 256)
	}
	search := newNearest(palette)

	centiseconds := int((delay + 5*time.Millisecond) / (10 * time.Millisecond))
	centiseconds = min(max(centiseconds, minDelay), 65535)
	animation := &gif.GIF{LoopCount: -1}
	if loop {
		animation.LoopCount = 0
	}
	for _, frame := range rgba {
		paletted := image.NewPaletted(frame.Bounds(), search.palette)
		if exact {
			mapExactly(paletted, frame, search)
		} else {
			dither(paletted, frame, search)
		}
		animation.Image = append(animation.Image, paletted)
		animation.Delay = append(animation.Delay, centiseconds)
	}

	return gif.EncodeAll(w, animation)
}

// rgb is an opaque colour.
type rgb struct{ r, g, b uint8 }

// exactPalette returns the colours of the frames when there are at most 256.
func exactPalette(frames []*image.RGBA) ([]rgb, bool) {
	seen := make(map[rgb]bool)
	for _, frame := range frames {
		for i := 0; i < len(frame.Pix); i += 4 {
			c := rgb{frame.Pix[i], frame.Pix[i+1], frame.Pix[i+2]}
			if seen[c] {
				continue
			}
			if len(seen) == 256 {
				return nil, false
			}
			seen[c] = true
		}
	}
	palette := make([]rgb, 0, len(seen))
	for c := range seen {
		palette = append(palette, c)
	}
	return palette, true
}

// medianCut returns up to n colours for the frames: the colour cube of a
// sample of their pixels is split again and again at the median of its
// widest side, always splitting the box whose pixel count times side length
// is largest, and each final box gives its mean colour.
func medianCut(frames []*image.RGBA, n int) []rgb {
	total := 0
	for _, frame := range frames {
		total += len(frame.Pix) / 4
	}
	stride := max(1, total/paletteSamples)
	samples := make([]rgb, 0, total/stride+1)
	at := 0
	for _, frame := range frames {
		for i := 0; i < len(frame.Pix); i += 4 {
			if at%stride == 0 {
				samples = append(samples, rgb{frame.Pix[i], frame.Pix[i+1], frame.Pix[i+2]})
			}
			at++
		}
	}

	boxes := []colourBox{newColourBox(samples)}
	for len(boxes) < n {
		widest := -1
		for i, box := range boxes {
			if box.side > 0 && (widest < 0 || box.score() > boxes[widest].score()) {
				widest = i
			}
		}
		if widest < 0 {
			break // every box holds a single colour
		}
		low, high := boxes[widest].split()
		boxes[widest] = low
		boxes = append(boxes, high)
	}

	palette := make([]rgb, len(boxes))
	for i, box := range boxes {
		palette[i] = box.mean()
	}
	return palette
}

// colourBox is a set of sample colours and the longest side of the box
// around them.
type colourBox struct {
	colours []rgb
	channel int // 0, 1, 2 for red, green, blue: the longest side
	side    int // its length
}

func newColourBox(colours []rgb) colourBox {
	lo := [3]int{255, 255, 255}
	hi := [3]int{}
	for _, c := range colours {
		for ch, v := range [3]int{int(c.r), int(c.g), int(c.b)} {
			lo[ch], hi[ch] = min(lo[ch], v), max(hi[ch], v)
		}
	}
	box := colourBox{colours: colours, side: -1}
	for ch := range 3 {
		if hi[ch]-lo[ch] > box.side {
			box.channel, box.side = ch, hi[ch]-lo[ch]
		}
	}
	return box
}

func (b colourBox) score() int {
	return len(b.colours) * b.side
}

// split divides the box at the median of its longest side.
func (b colourBox) split() (colourBox, colourBox) {
	value := func(c rgb) uint8 { return c.at(b.channel) }
	slices.SortFunc(b.colours, func(x, y rgb) int { return cmp.Compare(value(x), value(y)) })

	// Cut between two different values, nearest the median, so that
	// neither half is empty.
	middle := len(b.colours) / 2
	low := sort.Search(len(b.colours), func(i int) bool {
		return value(b.colours[i]) >= value(b.colours[middle])
	})
	high := sort.Search(len(b.colours), func(i int) bool {
		return value(b.colours[i]) > value(b.colours[middle])
	})
	cut := low
	if low == 0 || (high < len(b.colours) && high-middle < middle-low) {
		cut = high
	}
	return newColourBox(b.colours[:cut]), newColourBox(b.colours[cut:])
}

func (b colourBox) mean() rgb {
	var r, g, bl int
	for _, c := range b.colours {
		r, g, bl = r+int(c.r), g+int(c.g), bl+int(c.b)
	}
	n := max(len(b.colours), 1)
	return rgb{uint8((r + n/2) / n), uint8((g + n/2) / n), uint8((bl + n/2) / n)}
}

// nearest finds the palette colour closest to a colour. It divides the
// colour cube into 32×32×32 cells and, the first time a colour falls in a
// cell, lists the palette colours that can be nearest to any point of that
// cell; a search then looks at those few instead of the whole palette.
type nearest struct {
	colours    []rgb
	palette    color.Palette
	exact      map[rgb]uint8
	candidates [32 * 32 * 32][]uint8 // nil until a cell is first used
}

func newNearest(colours []rgb) *nearest {
	n := &nearest{colours: colours, exact: make(map[rgb]uint8, len(colours))}
	for i, c := range colours {
		n.palette = append(n.palette, color.RGBA{c.r, c.g, c.b, 0xff})
		n.exact[c] = uint8(i)
	}
	return n
}

// at returns channel ch of c.
func (c rgb) at(ch int) uint8 {
	return [3]uint8{c.r, c.g, c.b}[ch]
}

// find returns the index of the palette colour nearest to (r, g, b), each in
// [0,255], by squared distance; of equally near colours, the first.
func (n *nearest) find(r, g, b int32) uint8 {
	cell := r>>3<<10 | g>>3<<5 | b>>3
	candidates := n.candidates[cell]
	if candidates == nil {
		candidates = n.cellCandidates(r>>3<<3, g>>3<<3, b>>3<<3)
		n.candidates[cell] = candidates
	}

	best, bestDistance := candidates[0], int32(1<<30)
	for _, i := range candidates {
		c := n.colours[i]
		dr, dg, db := int32(c.r)-r, int32(c.g)-g, int32(c.b)-b
		if d := dr*dr + dg*dg + db*db; d < bestDistance {
			best, bestDistance = i, d
		}
	}
	return best
}

// cellCandidates lists, in palette order, the colours that can be nearest to
// a point of the cell whose corner is (r, g, b): those whose nearest point of
// the cell is no farther than the farthest point of the cell is from the
// colour that is best in the worst case.
func (n *nearest) cellCandidates(r, g, b int32) []uint8 {
	lo := [3]int32{r, g, b}
	near := make([]int32, len(n.colours))
	bound := int32(1 << 30)
	for i, c := range n.colours {
		far := int32(0)
		for ch := range 3 {
			v := int32(c.at(ch))
			toLow, toHigh := v-lo[ch], lo[ch]+7-v
			if toLow < 0 {
				near[i] += toLow * toLow
			} else if toHigh < 0 {
				near[i] += toHigh * toHigh
			}
			worst := max(abs(toLow), abs(toHigh))
			far += worst * worst
		}
		bound = min(bound, far)
	}

	var candidates []uint8
	for i, d := range near {
		if d <= bound {
			candidates = append(candidates, uint8(i))
		}
	}
	return candidates
}

func abs(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// mapExactly fills dst with the palette index of each pixel of src, whose
// colours are all in the palette.
func mapExactly(dst *image.Paletted, src *image.RGBA, n *nearest) {
	for i := range dst.Pix {
		p := src.Pix[4*i : 4*i+3]
		dst.Pix[i] = n.exact[rgb{p[0], p[1], p[2]}]
	}
}

// dither fills dst from src with Floyd–Steinberg error diffusion: the error
// of each pixel goes 7/16 to the right, 3/16 below left, 5/16 below and 1/16
// below right.
func dither(dst *image.Paletted, src *image.RGBA, n *nearest) {
	width, height := src.Rect.Dx(), src.Rect.Dy()
	// Errors in sixteenths, one spare pixel on each side.
	this := make([][3]int32, width+2)
	next := make([][3]int32, width+2)
	for y := range height {
		clear(next)
		for x := range width {
			p := src.Pix[y*src.Stride+4*x:]
			var want [3]int32
			for ch := range 3 {
				want[ch] = min(max(int32(p[ch])+(this[x+1][ch]+8)>>4, 0), 255)
			}
			index := n.find(want[0], want[1], want[2])
			dst.Pix[y*dst.Stride+x] = index
			got := n.colours[index]
			for ch, v := range [3]int32{int32(got.r), int32(got.g), int32(got.b)} {
				e := want[ch] - v
				this[x+2][ch] += 7 * e
				next[x][ch] += 3 * e
				next[x+1][ch] += 5 * e
				next[x+2][ch] += e
			}
		}
		this, next = next, this
	}
}
