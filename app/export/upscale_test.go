package export

import (
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"testing"
)

// bigImage claims a huge size without holding any pixels.
type bigImage struct{}

func (bigImage) ColorModel() color.Model { return color.RGBAModel }
func (bigImage) Bounds() image.Rectangle { return image.Rect(0, 0, 30000, 30000) }
func (bigImage) At(x, y int) color.Color { return color.Black }

func TestUpscaleNearestIsPixelExact(t *testing.T) {
	nrgba := testImage(5, 3)
	nrgba.SetNRGBA(1, 1, color.NRGBA{200, 100, 50, 77}) // translucent: must not be rounded
	rgba := image.NewRGBA(image.Rect(0, 0, 4, 4))
	gray := image.NewGray(image.Rect(0, 0, 3, 5))
	paletted := image.NewPaletted(image.Rect(0, 0, 4, 3), palette.Plan9)
	for i := range rgba.Pix {
		rgba.Pix[i] = uint8(i * 37)
	}
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 17)
	}
	for i := range paletted.Pix {
		paletted.Pix[i] = uint8(i * 21)
	}
	offset := testImage(8, 8).SubImage(image.Rect(3, 2, 7, 5))

	sources := []struct {
		name string
		img  image.Image
	}{
		{"NRGBA", nrgba}, {"RGBA", rgba}, {"Gray", gray}, {"Paletted", paletted},
		{"sub-image", offset},
	}
	for _, src := range sources {
		for _, factor := range []int{1, 2, 4, 8} {
			out, err := Upscale(src.img, factor, false)
			if err != nil {
				t.Fatalf("%s ×%d: %v", src.name, factor, err)
			}
			b := src.img.Bounds()
			if got, want := out.Bounds(), image.Rect(0, 0, b.Dx()*factor, b.Dy()*factor); got != want {
				t.Fatalf("%s ×%d: bounds %v, want %v", src.name, factor, got, want)
			}
			for y := range b.Dy() * factor {
				for x := range b.Dx() * factor {
					want := src.img.At(b.Min.X+x/factor, b.Min.Y+y/factor)
					if !sameColour(out.At(x, y), want) {
						t.Fatalf("%s ×%d: pixel (%d,%d) is %v, want %v", src.name, factor,
							x, y, out.At(x, y), want)
					}
				}
			}
		}
	}
}

func TestUpscaleSmooth(t *testing.T) {
	// A left-to-right ramp: a smooth upscale keeps it a ramp without the
	// steps of pixel blocks, and never runs backwards.
	ramp := image.NewGray(image.Rect(0, 0, 8, 2))
	for x := range 8 {
		ramp.SetGray(x, 0, color.Gray{uint8(x * 32)})
		ramp.SetGray(x, 1, color.Gray{uint8(x * 32)})
	}
	out, err := Upscale(ramp, 4, true)
	if err != nil {
		t.Fatal(err)
	}
	if out.Bounds() != image.Rect(0, 0, 32, 8) {
		t.Fatalf("bounds %v, want 32×8", out.Bounds())
	}
	distinct := map[uint32]bool{}
	previous := uint32(0)
	for x := 4; x < 28; x++ {
		r, _, _, _ := out.At(x, 4).RGBA()
		if r < previous {
			t.Errorf("the ramp runs backwards at x=%d: %d after %d", x, r, previous)
		}
		previous = r
		distinct[r] = true
	}
	if len(distinct) < 20 {
		t.Errorf("%d distinct shades over 24 pixels: the upscale is blocky, not smooth",
			len(distinct))
	}

	same, err := Upscale(ramp, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	for x := range 8 {
		if !sameColour(same.At(x, 0), ramp.At(x, 0)) {
			t.Errorf("a smooth upscale by 1 changed pixel %d", x)
		}
	}
}

func TestUpscaleErrors(t *testing.T) {
	tests := []struct {
		name   string
		img    image.Image
		factor int
		want   error
	}{
		{"factor 0", testImage(2, 2), 0, ErrBadFactor},
		{"factor 3", testImage(2, 2), 3, ErrBadFactor},
		{"factor 16", testImage(2, 2), 16, ErrBadFactor},
		{"negative", testImage(2, 2), -2, ErrBadFactor},
		{"too large", bigImage{}, 8, ErrTooLarge},
	}
	for _, tt := range tests {
		for _, smooth := range []bool{false, true} {
			if _, err := Upscale(tt.img, tt.factor, smooth); !errors.Is(err, tt.want) {
				t.Errorf("%s, smooth %v: error %v, want %v", tt.name, smooth, err, tt.want)
			}
		}
	}
}
