package export

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"math"
)

// RecipeVersion is the newest recipe format, the one ReadRecipe reads up
// to. Version 2 added Scale. A recipe is stamped with the oldest version
// that holds it: 1 at native size, which every ganvas regenerates alike, and
// 2 when enlarged, so that a ganvas from before Scale refuses it as newer
// instead of regenerating it small.
const RecipeVersion = 2

// version returns the format a recipe needs.
func (r Recipe) version() int {
	if r.Scale > 1 {
		return 2
	}
	return 1
}

// recipeKeyword is the keyword of the text chunk that holds the recipe.
const recipeKeyword = "ganvas"

// maxTextChunk bounds the text chunks ReadRecipe reads into memory. A recipe
// is a few kilobytes; larger text chunks belong to other tools and are
// skipped without being held.
const maxTextChunk = 4 << 20

// Errors ReadRecipe and WritePNG return for known conditions.
var (
	ErrNotPNG      = errors.New("not a PNG file")
	ErrNoRecipe    = errors.New("the PNG carries no ganvas recipe")
	ErrBadCRC      = errors.New("the PNG is damaged: a chunk's checksum does not match")
	ErrTruncated   = errors.New("the PNG is cut short")
	ErrCorruptPNG  = errors.New("the PNG is damaged")
	ErrBadRecipe   = errors.New("the ganvas recipe is incomplete or damaged")
	ErrNewerRecipe = errors.New("the recipe comes from a newer ganvas; update ganvas to read it")
)

// pngSignature opens every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// Recipe is everything needed to make an image again: the run and checkpoint
// of the generator, the latent, and the settings applied to it.
type Recipe struct {
	Run        string    `json:"run"`              // the run directory's name
	Step       int       `json:"step"`             // checkpoint step of the generator
	Latent     []float32 `json:"latent"`           // the latent before sliders and truncation
	Truncation float64   `json:"truncation"`       // psi of the truncation trick, 1 for none
	Class      int       `json:"class"`            // class index of a conditional generator
	Sliders    []float64 `json:"sliders"`          // GANSpace slider positions, in sigmas
	Seed       int64     `json:"seed"`             // seed the latent was drawn with
	Scale      int       `json:"scale,omitempty"`  // how many times the image was enlarged, 0 or 1 for none
	Smooth     bool      `json:"smooth,omitempty"` // enlarged smoothly rather than pixel for pixel
	Version    int       `json:"version"`          // recipe format, RecipeVersion when written
}

// check reports what makes a recipe unusable.
func (r *Recipe) check() error {
	if len(r.Latent) == 0 {
		return errors.New("no latent")
	}
	if r.Step < 0 {
		return fmt.Errorf("step %d", r.Step)
	}
	for i, v := range r.Latent {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("latent value %d is %g", i, v)
		}
	}
	for i, v := range r.Sliders {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("slider %d is %g", i, v)
		}
	}
	if math.IsNaN(r.Truncation) || math.IsInf(r.Truncation, 0) {
		return fmt.Errorf("truncation %g", r.Truncation)
	}
	switch r.Scale {
	case 0, 1, 2, 4, 8:
	default:
		return fmt.Errorf("scale %d: 1, 2, 4 or 8", r.Scale)
	}
	return nil
}

// WritePNG encodes img as a PNG carrying recipe, stamped with the version
// it needs (see RecipeVersion), in an iTXt chunk right after IHDR. Latent values are written in the
// shortest decimal form that reads back to the same float32, so ReadRecipe
// returns them bit for bit. A recipe without a latent, or with a value that
// is not a finite number, is refused with ErrBadRecipe.
func WritePNG(w io.Writer, img image.Image, recipe Recipe) error {
	if err := writePNG(w, img, recipe); err != nil {
		return fmt.Errorf("export: write PNG: %w", err)
	}
	return nil
}

func writePNG(w io.Writer, img image.Image, recipe Recipe) error {
	recipe.Version = recipe.version()
	if err := recipe.check(); err != nil {
		return fmt.Errorf("%w: %w", ErrBadRecipe, err)
	}
	text, err := json.Marshal(&recipe)
	if err != nil {
		return err
	}

	var encoded bytes.Buffer
	if err := png.Encode(&encoded, img); err != nil {
		return err
	}
	afterHeader, err := headerEnd(encoded.Bytes())
	if err != nil {
		return err
	}

	// iTXt: keyword, NUL, no compression (flag and method), an empty
	// language tag and translated keyword, each NUL-ended, then UTF-8 text.
	var chunk bytes.Buffer
	chunk.WriteString(recipeKeyword)
	chunk.Write([]byte{0, 0, 0, 0, 0})
	chunk.Write(text)

	out := encoded.Bytes()
	if _, err := w.Write(out[:afterHeader]); err != nil {
		return err
	}
	if err := writeChunk(w, "iTXt", chunk.Bytes()); err != nil {
		return err
	}
	_, err = w.Write(out[afterHeader:])
	return err
}

// headerEnd returns the offset just past the IHDR chunk of an encoded PNG.
func headerEnd(encoded []byte) (int, error) {
	const start = 8
	if !bytes.HasPrefix(encoded, pngSignature) || len(encoded) < start+8 ||
		string(encoded[start+4:start+8]) != "IHDR" {
		return 0, errors.New("encoder did not start with IHDR")
	}
	length := int(binary.BigEndian.Uint32(encoded[start:]))
	end := start + 8 + length + 4
	if end > len(encoded) {
		return 0, errors.New("encoder wrote a short IHDR")
	}
	return end, nil
}

// writeChunk writes one PNG chunk: length, type, data, CRC of type and data.
func writeChunk(w io.Writer, kind string, data []byte) error {
	header := make([]byte, 8)
	binary.BigEndian.PutUint32(header, uint32(len(data)))
	copy(header[4:], kind)
	crc := crc32.NewIEEE()
	crc.Write(header[4:])
	crc.Write(data)
	trailer := binary.BigEndian.AppendUint32(nil, crc.Sum32())

	for _, part := range [][]byte{header, data, trailer} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// ReadRecipe returns the recipe a PNG carries. It reads chunk by chunk and
// checks each one's CRC until it finds the recipe, so it stops early on an
// image from WritePNG and never holds more than one text chunk in memory.
//
// The errors say what is wrong: ErrNotPNG for another kind of file,
// ErrNoRecipe for a PNG without a recipe, ErrBadCRC, ErrTruncated or
// ErrCorruptPNG for a damaged file, ErrBadRecipe for a recipe that cannot be
// decoded, and ErrNewerRecipe for one written by a later version.
func ReadRecipe(r io.Reader) (Recipe, error) {
	signature := make([]byte, len(pngSignature))
	if _, err := io.ReadFull(r, signature); err != nil || !bytes.Equal(signature, pngSignature) {
		return Recipe{}, fmt.Errorf("export: read recipe: %w", ErrNotPNG)
	}

	for index := 0; ; index++ {
		kind, data, err := readChunk(r)
		if err != nil {
			return Recipe{}, fmt.Errorf("export: read recipe: %w", err)
		}
		switch {
		case index == 0 && kind != "IHDR":
			return Recipe{}, fmt.Errorf("export: read recipe: %w: first chunk is %q, not IHDR",
				ErrCorruptPNG, kind)
		case kind == "IEND":
			return Recipe{}, fmt.Errorf("export: read recipe: %w", ErrNoRecipe)
		case data == nil:
			continue
		}

		text, ok, err := recipeText(kind, data)
		if err != nil {
			return Recipe{}, fmt.Errorf("export: read recipe: %w", err)
		}
		if ok {
			recipe, err := decodeRecipe(text)
			if err != nil {
				return Recipe{}, fmt.Errorf("export: read recipe: %w", err)
			}
			return recipe, nil
		}
	}
}

// readChunk reads the next chunk and checks its CRC. It returns the data of
// text chunks small enough to hold and nil data for every other chunk.
func readChunk(r io.Reader) (kind string, data []byte, err error) {
	header := make([]byte, 8)
	if _, err := io.ReadFull(r, header); err != nil {
		return "", nil, fmt.Errorf("%w: before the IEND chunk", ErrTruncated)
	}
	length := binary.BigEndian.Uint32(header)
	kind = string(header[4:])
	if length > math.MaxInt32 {
		return "", nil, fmt.Errorf("%w: chunk length %d", ErrCorruptPNG, length)
	}
	for _, c := range header[4:] {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return "", nil, fmt.Errorf("%w: chunk type %q", ErrCorruptPNG, kind)
		}
	}

	crc := crc32.NewIEEE()
	crc.Write(header[4:])
	isText := kind == "tEXt" || kind == "iTXt" || kind == "zTXt"
	if isText && length <= maxTextChunk {
		data = make([]byte, length)
		if _, err := io.ReadFull(r, data); err != nil {
			return "", nil, fmt.Errorf("%w: inside the %s chunk", ErrTruncated, kind)
		}
		crc.Write(data)
	} else if _, err := io.CopyN(crc, r, int64(length)); err != nil {
		return "", nil, fmt.Errorf("%w: inside the %s chunk", ErrTruncated, kind)
	}

	trailer := make([]byte, 4)
	if _, err := io.ReadFull(r, trailer); err != nil {
		return "", nil, fmt.Errorf("%w: inside the %s chunk", ErrTruncated, kind)
	}
	if binary.BigEndian.Uint32(trailer) != crc.Sum32() {
		return "", nil, fmt.Errorf("%w: %s chunk", ErrBadCRC, kind)
	}
	return kind, data, nil
}

// recipeText returns the text of a tEXt, zTXt or iTXt chunk when its keyword
// is the recipe's, inflating compressed text.
func recipeText(kind string, data []byte) (text []byte, ok bool, err error) {
	keyword, rest, found := bytes.Cut(data, []byte{0})
	if !found || string(keyword) != recipeKeyword {
		return nil, false, nil
	}

	compressed := false
	switch kind {
	case "tEXt":
		return rest, true, nil
	case "zTXt":
		if len(rest) < 1 || rest[0] != 0 {
			return nil, false, fmt.Errorf("%w: unknown compression in zTXt", ErrBadRecipe)
		}
		compressed, rest = true, rest[1:]
	case "iTXt":
		if len(rest) < 2 || rest[0] > 1 || rest[1] != 0 {
			return nil, false, fmt.Errorf("%w: unknown compression in iTXt", ErrBadRecipe)
		}
		compressed = rest[0] == 1
		rest = rest[2:]
		for range 2 { // language tag, translated keyword
			_, after, found := bytes.Cut(rest, []byte{0})
			if !found {
				return nil, false, fmt.Errorf("%w: iTXt header cut short", ErrBadRecipe)
			}
			rest = after
		}
	}
	if !compressed {
		return rest, true, nil
	}

	inflater, err := zlib.NewReader(bytes.NewReader(rest))
	if err != nil {
		return nil, false, fmt.Errorf("%w: %w", ErrBadRecipe, err)
	}
	defer inflater.Close()
	text, err = io.ReadAll(io.LimitReader(inflater, maxTextChunk+1))
	if err != nil {
		return nil, false, fmt.Errorf("%w: %w", ErrBadRecipe, err)
	}
	if len(text) > maxTextChunk {
		return nil, false, fmt.Errorf("%w: inflates beyond %d bytes", ErrBadRecipe, maxTextChunk)
	}
	return text, true, nil
}

// decodeRecipe parses and checks the JSON of a recipe.
func decodeRecipe(text []byte) (Recipe, error) {
	var recipe Recipe
	if err := json.Unmarshal(text, &recipe); err != nil {
		return Recipe{}, fmt.Errorf("%w: %w", ErrBadRecipe, err)
	}
	switch {
	case recipe.Version > RecipeVersion:
		return Recipe{}, fmt.Errorf("%w: version %d, this ganvas reads %d",
			ErrNewerRecipe, recipe.Version, RecipeVersion)
	case recipe.Version < 1:
		return Recipe{}, fmt.Errorf("%w: no version", ErrBadRecipe)
	case recipe.Version < recipe.version():
		return Recipe{}, fmt.Errorf("%w: version %d has no scale %d", ErrBadRecipe, recipe.Version, recipe.Scale)
	}
	if err := recipe.check(); err != nil {
		return Recipe{}, fmt.Errorf("%w: %w", ErrBadRecipe, err)
	}
	return recipe, nil
}
