package export

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// walkFrames imitates a latent walk through muted, narrow-gamut art: soft
// teal and ochre gradients that drift a little from frame to frame.
func walkFrames(count, size int) []image.Image {
	frames := make([]image.Image, count)
	for f := range frames {
		img := image.NewRGBA(image.Rect(0, 0, size, size))
		shift := float64(f) / float64(count)
		for y := range size {
			for x := range size {
				u, v := float64(x)/float64(size), float64(y)/float64(size)
				wave := 0.5 + 0.5*math.Sin(6*u+4*v+2*math.Pi*shift)
				img.SetRGBA(x, y, color.RGBA{
					R: uint8(60 + 110*wave*v),
					G: uint8(90 + 60*u + 30*wave),
					B: uint8(80 + 50*(1-wave)*u),
					A: 0xff,
				})
			}
		}
		frames[f] = img
	}
	return frames
}

func decodeGIF(t *testing.T, data []byte) *gif.GIF {
	t.Helper()
	animation, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the GIF does not decode: %v", err)
	}
	return animation
}

// meanSquaredError compares a decoded frame with the original, per channel
// in 8-bit units.
func meanSquaredError(a, b image.Image) float64 {
	sum, n := 0.0, 0
	bounds := a.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			for _, d := range []float64{
				float64(r1>>8) - float64(r2>>8),
				float64(g1>>8) - float64(g2>>8),
				float64(b1>>8) - float64(b2>>8),
			} {
				sum += d * d
				n++
			}
		}
	}
	return sum / float64(n)
}

func TestGIFTimingAndLooping(t *testing.T) {
	frames := walkFrames(5, 8)
	tests := []struct {
		delay     time.Duration
		loop      bool
		wantDelay int
		wantLoop  int
	}{
		{delay: 40 * time.Millisecond, loop: true, wantDelay: 4, wantLoop: 0},
		{delay: time.Second, loop: false, wantDelay: 100, wantLoop: -1},
		{delay: 0, loop: true, wantDelay: 2, wantLoop: 0},
		{delay: 14 * time.Millisecond, loop: true, wantDelay: 2, wantLoop: 0},
		{delay: 66 * time.Millisecond, loop: true, wantDelay: 7, wantLoop: 0},
		{delay: time.Hour, loop: true, wantDelay: 65535, wantLoop: 0},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		if err := WriteGIF(&buf, frames, tt.delay, tt.loop); err != nil {
			t.Fatal(err)
		}
		animation := decodeGIF(t, buf.Bytes())
		if len(animation.Image) != len(frames) {
			t.Errorf("delay %v: %d frames, want %d", tt.delay, len(animation.Image), len(frames))
		}
		for i, d := range animation.Delay {
			if d != tt.wantDelay {
				t.Errorf("delay %v: frame %d shows for %d/100 s, want %d", tt.delay, i, d,
					tt.wantDelay)
			}
		}
		if animation.LoopCount != tt.wantLoop {
			t.Errorf("loop %v: loop count %d, want %d", tt.loop, animation.LoopCount, tt.wantLoop)
		}
	}
}

func TestGIFKeepsFewColoursExactly(t *testing.T) {
	// Upscaled pixel art: 200 colours in all, spread over three frames.
	frames := make([]image.Image, 3)
	for f := range frames {
		img := image.NewRGBA(image.Rect(0, 0, 10, 7))
		for i := 0; i < len(img.Pix); i += 4 {
			c := (i/4 + f*65) % 200
			copy(img.Pix[i:], []uint8{uint8(c), uint8(255 - c), uint8(c * 7), 0xff})
		}
		frames[f] = img
	}
	var buf bytes.Buffer
	if err := WriteGIF(&buf, frames, 50*time.Millisecond, true); err != nil {
		t.Fatal(err)
	}
	for i, decoded := range decodeGIF(t, buf.Bytes()).Image {
		if mse := meanSquaredError(decoded, frames[i]); mse != 0 {
			t.Errorf("frame %d changed: mean squared error %g, want 0", i, mse)
		}
	}
}

func TestGIFPaletteBeatsPlan9(t *testing.T) {
	frames := walkFrames(4, 48)
	var buf bytes.Buffer
	if err := WriteGIF(&buf, frames, 50*time.Millisecond, true); err != nil {
		t.Fatal(err)
	}
	animation := decodeGIF(t, buf.Bytes())

	ours, plan9 := 0.0, 0.0
	for i, frame := range frames {
		ours += meanSquaredError(animation.Image[i], frame)
		fixed := image.NewPaletted(frame.Bounds(), palette.Plan9)
		draw.FloydSteinberg.Draw(fixed, fixed.Bounds(), frame, image.Point{})
		plan9 += meanSquaredError(fixed, frame)
	}
	ours /= float64(len(frames))
	plan9 /= float64(len(frames))
	t.Logf("mean squared error per channel: median cut %.2f, plan9 %.2f", ours, plan9)
	if ours > plan9/3 {
		t.Errorf("median cut error %.2f is not well below plan9's %.2f", ours, plan9)
	}

	// One palette for every frame, so colours do not flicker.
	for i, frame := range animation.Image[1:] {
		if !reflect.DeepEqual(frame.Palette, animation.Image[0].Palette) {
			t.Errorf("frame %d has a palette of its own", i+2)
		}
	}
}

func TestGIFErrors(t *testing.T) {
	tests := []struct {
		name   string
		frames []image.Image
		want   error
	}{
		{"no frames", nil, ErrNoFrames},
		{"mixed sizes", []image.Image{testImage(4, 4), testImage(4, 5)}, ErrFrameSize},
	}
	for _, tt := range tests {
		if err := WriteGIF(&bytes.Buffer{}, tt.frames, time.Second, true); !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestMedianCutSplitsAtTies(t *testing.T) {
	// Mostly one colour with a few others: every colour still gets a slot.
	frame := image.NewRGBA(image.Rect(0, 0, 100, 1))
	for x := range 100 {
		frame.SetRGBA(x, 0, color.RGBA{10, 10, 10, 255})
	}
	frame.SetRGBA(97, 0, color.RGBA{11, 10, 10, 255})
	frame.SetRGBA(98, 0, color.RGBA{200, 10, 10, 255})
	frame.SetRGBA(99, 0, color.RGBA{10, 10, 250, 255})
	got := medianCut([]*image.RGBA{frame}, 8)
	if len(got) != 4 {
		t.Errorf("%d colours %v, want the 4 in the image", len(got), got)
	}
}

func BenchmarkWriteGIF(b *testing.B) {
	frames := walkFrames(30, 256)
	for b.Loop() {
		if err := WriteGIF(&bytes.Buffer{}, frames, 40*time.Millisecond, true); err != nil {
			b.Fatal(err)
		}
	}
}

func TestNearestMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	palettes := map[string][]rgb{
		"wide":   make([]rgb, 256),
		"narrow": make([]rgb, 256),
		"two":    {{0, 0, 0}, {255, 255, 255}},
	}
	for i := range 256 {
		palettes["wide"][i] = rgb{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256))}
		palettes["narrow"][i] = rgb{uint8(100 + rng.IntN(30)), uint8(120 + rng.IntN(20)),
			uint8(90 + rng.IntN(40))}
	}
	for name, colours := range palettes {
		n := newNearest(colours)
		for range 20000 {
			r, g, b := rng.Int32N(256), rng.Int32N(256), rng.Int32N(256)
			if name == "narrow" && rng.IntN(2) == 0 {
				r, g, b = 95+rng.Int32N(40), 115+rng.Int32N(30), 85+rng.Int32N(50)
			}
			best, bestDistance := 0, int32(math.MaxInt32)
			for i, c := range colours {
				dr, dg, db := int32(c.r)-r, int32(c.g)-g, int32(c.b)-b
				if d := dr*dr + dg*dg + db*db; d < bestDistance {
					best, bestDistance = i, d
				}
			}
			if got := n.find(r, g, b); int(got) != best {
				t.Fatalf("%s palette: nearest to (%d,%d,%d) is %d %v, brute force says %d %v",
					name, r, g, b, got, colours[got], best, colours[best])
			}
		}
	}
}
