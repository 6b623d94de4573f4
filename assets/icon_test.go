package assets

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"math"
	"os"
	"testing"
)

var updateIcon = flag.Bool("update-icon", false, "redraw icon.png with drawIcon")

// iconSize is the side of the icon in pixels.
const iconSize = 512

// drawIcon paints the application icon: a dark rounded square holding a 3x3
// grid of rounded tiles whose hue turns step by step from coral at the top
// left, through pink and violet, to sky blue at the bottom right, like a
// sample grid walking across latent space. Edges are antialiased by sampling
// each pixel 4x4 times.
func drawIcon(size int) *image.NRGBA {
	s := float64(size)
	margin := s * 0.04
	plate := roundedRect{margin, margin, s - margin, s - margin, s * 0.19}
	plateColour := [3]float64{0.13, 0.15, 0.20}

	const tiles = 3
	inner := s * 0.15
	gap := s * 0.035
	tile := (s - 2*inner - gap*(tiles-1)) / tiles
	var cells []roundedRect
	var colours [][3]float64
	for row := 0; row < tiles; row++ {
		for col := 0; col < tiles; col++ {
			x0 := inner + float64(col)*(tile+gap)
			y0 := inner + float64(row)*(tile+gap)
			cells = append(cells, roundedRect{x0, y0, x0 + tile, y0 + tile, tile * 0.2})
			colours = append(colours, hsv(375-45*float64(row+col), 0.58, 0.95))
		}
	}

	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const sub = 4
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < sub; sy++ {
				for sx := 0; sx < sub; sx++ {
					x := float64(px) + (float64(sx)+0.5)/sub
					y := float64(py) + (float64(sy)+0.5)/sub
					if !plate.contains(x, y) {
						continue
					}
					// Only the tile in this sample's row and column can hold it.
					col := min(max(int((x-inner)/(tile+gap)), 0), tiles-1)
					row := min(max(int((y-inner)/(tile+gap)), 0), tiles-1)
					c := plateColour
					if i := row*tiles + col; cells[i].contains(x, y) {
						c = colours[i]
					}
					r, g, b, a = r+c[0], g+c[1], b+c[2], a+1
				}
			}
			if a == 0 {
				continue
			}
			o := img.PixOffset(px, py)
			img.Pix[o] = unit(r / a)
			img.Pix[o+1] = unit(g / a)
			img.Pix[o+2] = unit(b / a)
			img.Pix[o+3] = unit(a / sub / sub)
		}
	}
	return img
}

// hsv converts a hue in degrees, a saturation and a value in [0,1] to RGB.
func hsv(hue, saturation, value float64) [3]float64 {
	chroma := value * saturation
	h := math.Mod(hue, 360) / 60
	x := chroma * (1 - math.Abs(math.Mod(h, 2)-1))
	var c [3]float64
	switch int(h) {
	case 0:
		c = [3]float64{chroma, x, 0}
	case 1:
		c = [3]float64{x, chroma, 0}
	case 2:
		c = [3]float64{0, chroma, x}
	case 3:
		c = [3]float64{0, x, chroma}
	case 4:
		c = [3]float64{x, 0, chroma}
	default:
		c = [3]float64{chroma, 0, x}
	}
	m := value - chroma
	return [3]float64{c[0] + m, c[1] + m, c[2] + m}
}

func unit(v float64) uint8 {
	return uint8(math.Round(math.Max(0, math.Min(1, v)) * 255))
}

type roundedRect struct{ x0, y0, x1, y1, radius float64 }

// contains reports whether (x, y) lies inside the rounded rectangle.
func (r roundedRect) contains(x, y float64) bool {
	if x < r.x0 || x > r.x1 || y < r.y0 || y > r.y1 {
		return false
	}
	cx := math.Max(r.x0+r.radius, math.Min(x, r.x1-r.radius))
	cy := math.Max(r.y0+r.radius, math.Min(y, r.y1-r.radius))
	return math.Hypot(x-cx, y-cy) <= r.radius
}

// TestIconIsDrawn checks that icon.png is what drawIcon paints, so the icon
// in the repository never drifts from its recipe. Run with -update-icon to
// redraw it after changing drawIcon.
func TestIconIsDrawn(t *testing.T) {
	want := drawIcon(iconSize)
	if *updateIcon {
		var buf bytes.Buffer
		if err := png.Encode(&buf, want); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("icon.png", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("icon.png redrawn")
		return
	}

	decoded, err := png.Decode(bytes.NewReader(Icon))
	if err != nil {
		t.Fatalf("Icon is not a PNG: %v", err)
	}
	got, ok := decoded.(*image.NRGBA)
	if !ok || got.Bounds() != want.Bounds() {
		t.Fatalf("Icon is a %T of %v, want an RGBA PNG of %v", decoded, decoded.Bounds(), want.Bounds())
	}
	// Allow one step: a platform that fuses multiply-adds may round apart.
	for i, g := range got.Pix {
		if w := want.Pix[i]; int(g) > int(w)+1 || int(w) > int(g)+1 {
			x, y := i/4%iconSize, i/4/iconSize
			t.Fatalf("Icon pixel (%d,%d) is %v, drawIcon paints %v; run -update-icon",
				x, y, got.NRGBAAt(x, y), want.NRGBAAt(x, y))
		}
	}

	// What a person sees: transparent corners, a dark plate, coloured tiles.
	if a := want.NRGBAAt(2, 2).A; a != 0 {
		t.Errorf("corner alpha %d, want a transparent corner outside the rounded plate", a)
	}
	if c := want.NRGBAAt(iconSize/2, iconSize*9/100); c.R > 60 || c.A != 255 {
		t.Errorf("plate colour %v, want dark and opaque", c)
	}
	topLeft := want.NRGBAAt(iconSize/4, iconSize/4)
	bottomRight := want.NRGBAAt(iconSize*3/4, iconSize*3/4)
	if topLeft.R < 200 || bottomRight.B < 180 {
		t.Errorf("tiles %v and %v, want coral top left and sky blue bottom right", topLeft, bottomRight)
	}
}
