package export

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testImage is a small image with a different colour in every pixel.
func testImage(width, height int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	for y := range height {
		for x := range width {
			img.Set(x, y, color.NRGBA{uint8(x * 40), uint8(y * 40), uint8(x*y + 7), 0xff})
		}
	}
	return img
}

func sampleRecipe() Recipe {
	return Recipe{
		Run:        "runs/ink-washes",
		Step:       42000,
		Latent:     []float32{0.1, -1.75, 2.5e-3, 0, 3.1415927},
		Truncation: 0.7,
		Class:      3,
		Sliders:    []float64{1.5, -0.25, 0},
		Seed:       -9001,
	}
}

func encodePNG(t testing.TB, img image.Image, recipe Recipe) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePNG(&buf, img, recipe); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// chunkTypes lists the chunk types of a PNG in order.
func chunkTypes(t *testing.T, data []byte) []string {
	t.Helper()
	var types []string
	for at := 8; at+8 <= len(data); {
		length := int(binary.BigEndian.Uint32(data[at:]))
		types = append(types, string(data[at+4:at+8]))
		at += 12 + length
	}
	return types
}

func sameColour(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func TestRecipeRoundTrip(t *testing.T) {
	many := make([]float32, 512)
	for i := range many {
		many[i] = float32(math.Sin(float64(i)*1.618)) * float32(math.Pow(10, float64(i%9-4)))
	}
	tests := []struct {
		name   string
		change func(r *Recipe)
	}{
		{"typical", func(r *Recipe) {}},
		{"extreme floats", func(r *Recipe) {
			r.Latent = []float32{math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
				math.MaxFloat32, -math.MaxFloat32, float32(math.Copysign(0, -1)),
				1.1754944e-38, 0.1, 1.0 / 3, 16777217}
		}},
		{"long latent", func(r *Recipe) { r.Latent = many }},
		{"no sliders", func(r *Recipe) { r.Sliders = nil }},
		{"enlarged x8", func(r *Recipe) { r.Scale = 8 }},
		{"unicode run", func(r *Recipe) { r.Run = "läufe/Ölgemälde 墨 🎨\"\\\n" }},
		{"extreme integers", func(r *Recipe) {
			r.Step, r.Class, r.Seed = math.MaxInt32, -1, math.MinInt64
		}},
		{"precise slider", func(r *Recipe) {
			r.Sliders = []float64{math.Nextafter(1, 2), 1e-300, -math.MaxFloat64}
		}},
	}
	img := testImage(5, 4)
	for _, tt := range tests {
		want := sampleRecipe()
		tt.change(&want)
		data := encodePNG(t, img, want)

		got, err := ReadRecipe(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		want.Version = want.version()
		if !sameBits(got.Latent, want.Latent) {
			t.Errorf("%s: latent %v came back as %v", tt.name, want.Latent, got.Latent)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: recipe\n got %+v\nwant %+v", tt.name, got, want)
		}

		// The picture itself is untouched and the recipe sits after IHDR.
		decoded, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: the PNG no longer decodes: %v", tt.name, err)
		}
		for y := range 4 {
			for x := range 5 {
				if !sameColour(decoded.At(x, y), img.At(x, y)) {
					t.Fatalf("%s: pixel (%d,%d) is %v, want %v", tt.name, x, y,
						decoded.At(x, y), img.At(x, y))
				}
			}
		}
		if types := chunkTypes(t, data); len(types) < 3 || types[0] != "IHDR" ||
			types[1] != "iTXt" {
			t.Errorf("%s: chunks %v, want IHDR then iTXt", tt.name, types)
		}
	}
}

func TestWritePNGRefusesUnusableRecipes(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *Recipe)
	}{
		{"no latent", func(r *Recipe) { r.Latent = nil }},
		{"NaN latent", func(r *Recipe) { r.Latent[2] = float32(math.NaN()) }},
		{"infinite slider", func(r *Recipe) { r.Sliders[0] = math.Inf(1) }},
		{"negative step", func(r *Recipe) { r.Step = -1 }},
	}
	for _, tt := range tests {
		recipe := sampleRecipe()
		tt.change(&recipe)
		var buf bytes.Buffer
		if err := WritePNG(&buf, testImage(2, 2), recipe); !errors.Is(err, ErrBadRecipe) {
			t.Errorf("%s: error %v, want ErrBadRecipe", tt.name, err)
		}
	}
}

// withChunk returns a PNG of img with a chunk of the given type and data
// inserted right after IHDR.
func withChunk(t *testing.T, kind string, data []byte) []byte {
	t.Helper()
	var plain bytes.Buffer
	if err := png.Encode(&plain, testImage(3, 3)); err != nil {
		t.Fatal(err)
	}
	end, err := headerEnd(plain.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.Write(plain.Bytes()[:end])
	if err := writeChunk(&out, kind, data); err != nil {
		t.Fatal(err)
	}
	out.Write(plain.Bytes()[end:])
	return out.Bytes()
}

func deflate(text string) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write([]byte(text))
	w.Close()
	return buf.Bytes()
}

const recipeJSON = `{"run":"r","step":7,"latent":[0.5,-2],"truncation":1,"class":0,` +
	`"sliders":[],"seed":3,"version":1}`

func TestReadRecipeFromOtherTextChunks(t *testing.T) {
	want := Recipe{Run: "r", Step: 7, Latent: []float32{0.5, -2}, Truncation: 1,
		Sliders: []float64{}, Seed: 3, Version: 1}
	tests := []struct {
		name string
		kind string
		data []byte
	}{
		{"tEXt", "tEXt", []byte("ganvas\x00" + recipeJSON)},
		{"zTXt", "zTXt", append([]byte("ganvas\x00\x00"), deflate(recipeJSON)...)},
		{"compressed iTXt", "iTXt", append([]byte("ganvas\x00\x01\x00en\x00Rezept\x00"),
			deflate(recipeJSON)...)},
	}
	for _, tt := range tests {
		got, err := ReadRecipe(bytes.NewReader(withChunk(t, tt.kind, tt.data)))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: recipe %+v, want %+v", tt.name, got, want)
		}
	}
}

func TestReadRecipeErrors(t *testing.T) {
	good := encodePNG(t, testImage(4, 4), sampleRecipe())
	var plain bytes.Buffer
	png.Encode(&plain, testImage(4, 4))
	damaged := func(at int) []byte {
		data := bytes.Clone(good)
		data[at] ^= 0x20
		return data
	}
	recipeAt := bytes.Index(good, []byte("ganvas"))

	tests := []struct {
		name string
		file []byte
		want error
	}{
		{"empty", nil, ErrNotPNG},
		{"JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), ErrNotPNG},
		{"text", []byte("this is not an image at all"), ErrNotPNG},
		{"plain PNG", plain.Bytes(), ErrNoRecipe},
		{"other text chunk", withChunk(t, "tEXt", []byte("Software\x00GIMP")), ErrNoRecipe},
		{"damaged header", damaged(20), ErrBadCRC},
		{"damaged recipe", damaged(recipeAt + 30), ErrBadCRC},
		{"cut in the recipe", good[:recipeAt+20], ErrTruncated},
		{"cut after the header", good[:33], ErrTruncated},
		{"first chunk not IHDR", append(bytes.Clone(pngSignature),
			withChunk(t, "tEXt", nil)[33:]...), ErrCorruptPNG},
		{"absurd length", append(bytes.Clone(pngSignature), 0xff, 0xff, 0xff, 0xff,
			'I', 'H', 'D', 'R'), ErrCorruptPNG},
		{"recipe not JSON", withChunk(t, "tEXt", []byte("ganvas\x00{latent:")), ErrBadRecipe},
		{"recipe without latent", withChunk(t, "tEXt",
			[]byte(`ganvas`+"\x00"+`{"version":1,"step":3}`)), ErrBadRecipe},
		{"recipe without version", withChunk(t, "tEXt",
			[]byte(`ganvas`+"\x00"+`{"latent":[1]}`)), ErrBadRecipe},
		{"newer recipe", withChunk(t, "tEXt",
			[]byte(`ganvas`+"\x00"+`{"latent":[1],"version":3}`)), ErrNewerRecipe},
		{"first format enlarged", withChunk(t, "tEXt",
			[]byte(`ganvas`+"\x00"+`{"latent":[1],"version":1,"scale":4}`)), ErrBadRecipe},
		{"unknown compression", withChunk(t, "zTXt", []byte("ganvas\x00\x07xx")), ErrBadRecipe},
		{"bad deflate", withChunk(t, "iTXt", []byte("ganvas\x00\x01\x00\x00\x00garbage")),
			ErrBadRecipe},
	}
	for _, tt := range tests {
		_, err := ReadRecipe(bytes.NewReader(tt.file))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestRecipeVersionFollowsScale: a native-size export keeps the first
// format, which every ganvas regenerates alike, and an enlarged one is
// stamped with the format that has the scale, so a ganvas from before it
// refuses the image as newer instead of regenerating it at native size.
func TestRecipeVersionFollowsScale(t *testing.T) {
	for _, scale := range []int{0, 1, 2, 4, 8} {
		r := sampleRecipe()
		r.Scale = scale
		got, err := ReadRecipe(bytes.NewReader(encodePNG(t, testImage(4, 4), r)))
		if err != nil {
			t.Fatalf("scale %d: %v", scale, err)
		}
		want := 1
		if scale > 1 {
			want = 2
		}
		if got.Version != want || got.Scale != scale {
			t.Errorf("scale %d: stamped version %d with scale %d, want version %d", scale, got.Version, got.Scale, want)
		}
	}
}

// TestGoldenRecipe reads a PNG written by the first recipe format, so that
// images people exported stay readable by later versions.
func TestGoldenRecipe(t *testing.T) {
	path := filepath.Join("testdata", "recipe-v1.png")
	want := sampleRecipe()
	want.Version = 1
	if *update {
		if err := os.WriteFile(path, encodePNG(t, testImage(6, 6), want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadRecipe(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) || !sameBits(got.Latent, want.Latent) {
		t.Errorf("golden recipe\n got %+v\nwant %+v", got, want)
	}
}

func FuzzReadRecipe(f *testing.F) {
	good := encodePNG(f, testImage(3, 2), sampleRecipe())
	f.Add(good)
	f.Add(good[:len(good)/2])
	var plain bytes.Buffer
	png.Encode(&plain, testImage(2, 2))
	f.Add(plain.Bytes())
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	if golden, err := os.ReadFile(filepath.Join("testdata", "recipe-v1.png")); err == nil {
		f.Add(golden)
	}

	known := []error{ErrNotPNG, ErrNoRecipe, ErrBadCRC, ErrTruncated, ErrCorruptPNG,
		ErrBadRecipe, ErrNewerRecipe}
	f.Fuzz(func(t *testing.T, data []byte) {
		recipe, err := ReadRecipe(bytes.NewReader(data))
		if err != nil {
			for _, k := range known {
				if errors.Is(err, k) {
					return
				}
			}
			t.Fatalf("error %v is none of the documented ones", err)
		}

		// An accepted recipe can be written into a new image and read back.
		var buf bytes.Buffer
		if err := WritePNG(&buf, testImage(1, 1), recipe); err != nil {
			t.Fatalf("accepted recipe cannot be written: %v", err)
		}
		again, err := ReadRecipe(&buf)
		if err != nil {
			t.Fatalf("rewritten recipe cannot be read: %v", err)
		}
		if !reflect.DeepEqual(again, recipe) || !sameBits(again.Latent, recipe.Latent) {
			t.Fatalf("recipe changed on a second round trip:\n%+v\n%+v", recipe, again)
		}
	})
}

// FuzzRecipeChunk fuzzes what sits inside a text chunk with a correct CRC,
// which FuzzReadRecipe rarely reaches because random changes break the CRC.
func FuzzRecipeChunk(f *testing.F) {
	f.Add("tEXt", []byte("ganvas\x00"+recipeJSON))
	f.Add("iTXt", []byte("ganvas\x00\x00\x00\x00\x00"+recipeJSON))
	f.Add("zTXt", append([]byte("ganvas\x00\x00"), deflate(recipeJSON)...))
	f.Add("iTXt", append([]byte("ganvas\x00\x01\x00de\x00\x00"), deflate(recipeJSON)...))
	f.Fuzz(func(t *testing.T, kind string, data []byte) {
		if len(kind) != 4 {
			return
		}
		for _, c := range []byte(kind) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				return
			}
		}
		recipe, err := ReadRecipe(bytes.NewReader(withChunk(t, kind, data)))
		if err != nil {
			if !errors.Is(err, ErrBadRecipe) && !errors.Is(err, ErrNewerRecipe) &&
				!errors.Is(err, ErrNoRecipe) {
				t.Fatalf("chunk %s: error %v is none of the documented ones", kind, err)
			}
			return
		}
		if err := recipe.check(); err != nil || recipe.Version < recipe.version() || recipe.Version > RecipeVersion {
			t.Fatalf("accepted a recipe that is not usable: %+v", recipe)
		}
	})
}
