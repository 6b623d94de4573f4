package run

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nlpodyssey/safetensors"
)

// encodeFile returns c as the bytes of a checkpoint file.
func encodeFile(t testing.TB, c *Checkpoint) []byte {
	t.Helper()
	head, data, err := encodeCheckpoint(c)
	if err != nil {
		t.Fatal(err)
	}
	return append(head, data...)
}

// sameBits reports whether a and b hold the same float32 bit patterns, so
// that NaN payloads and negative zero count.
func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool {
		return math.Float32bits(x) == math.Float32bits(y)
	})
}

// testCheckpoint returns a small checkpoint of step whose values depend on
// step, including values whose bits a careless encoder would change.
func testCheckpoint(step int) *Checkpoint {
	weights := make([]float32, 2*3*4)
	for i := range weights {
		weights[i] = float32(step)*0.5 + float32(i)/7
	}
	weights[0] = float32(math.Copysign(0, -1))
	weights[1] = math.Float32frombits(0x7fc00abc) // a NaN with a payload
	weights[2] = float32(math.Inf(-1))
	weights[3] = math.Float32frombits(1) // the smallest subnormal
	weights[4] = math.MaxFloat32

	c := &Checkpoint{
		Step: step,
		Tensors: map[string]Tensor{
			"generator/conv1.weight": {Shape: []int{2, 3, 4}, Data: weights},
			"generator/conv1.bias":   {Shape: []int{2}, Data: []float32{1.5, -2.25}},
			"discriminator/scale":    {Shape: []int{}, Data: []float32{0.125}},
			"adam/empty":             {Shape: []int{0, 5}, Data: []float32{}},
		},
		Meta: map[string]string{
			"dataset":  "sha256:00ff",
			"unicode":  "pinceau ✎, \"quoted\"\nnewline",
			"empty":    "",
			"rng":      "AAECAw==",
			"__weird_": "keys are free text",
		},
	}
	return c
}

func checkSameCheckpoint(t *testing.T, got, want *Checkpoint) {
	t.Helper()
	if got.Step != want.Step {
		t.Errorf("step %d, want %d", got.Step, want.Step)
	}
	if !reflect.DeepEqual(got.Meta, want.Meta) {
		t.Errorf("meta %q, want %q", got.Meta, want.Meta)
	}
	if len(got.Tensors) != len(want.Tensors) {
		t.Errorf("%d tensors, want %d", len(got.Tensors), len(want.Tensors))
	}
	for name, w := range want.Tensors {
		g, ok := got.Tensors[name]
		switch {
		case !ok:
			t.Errorf("tensor %q missing", name)
		case !slices.Equal(g.Shape, w.Shape):
			t.Errorf("tensor %q shape %v, want %v", name, g.Shape, w.Shape)
		case !sameBits(g.Data, w.Data):
			t.Errorf("tensor %q data %v, want %v", name, g.Data, w.Data)
		}
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		c    *Checkpoint
	}{
		{"weights and metadata", testCheckpoint(1200)},
		{"step zero, nothing else", &Checkpoint{}},
		{"step past six digits", &Checkpoint{Step: 12345678, Tensors: map[string]Tensor{
			"w": {Shape: []int{3}, Data: []float32{1, 2, 3}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := roundTrip(t, tt.c)
			want := *tt.c
			if want.Meta == nil {
				want.Meta = map[string]string{}
			}
			checkSameCheckpoint(t, got, &want)
		})
	}
}

// roundTrip writes c to a file and reads it back.
func roundTrip(t *testing.T, c *Checkpoint) *Checkpoint {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.safetensors")
	if err := os.WriteFile(path, encodeFile(t, c), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestCheckpointBytes(t *testing.T) {
	state := []byte{0, 1, 2, 250, 255}
	c := &Checkpoint{}
	c.SetBytes("rng", state)

	got := roundTrip(t, c)
	if b, err := got.Bytes("rng"); err != nil || !bytes.Equal(b, state) {
		t.Errorf("Bytes(rng) = %v, %v; want %v", b, err, state)
	}
	if _, err := got.Bytes("missing"); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("Bytes(missing) error %v, want one naming the key", err)
	}
	got.Meta["bad"] = "not base64!"
	if _, err := got.Bytes("bad"); err == nil {
		t.Error("Bytes of a value that is not base64 gave no error")
	}
}

// TestCheckpointReadByOtherTools proves that a library written for the
// safetensors format, not for ganvas, reads our checkpoints.
func TestCheckpointReadByOtherTools(t *testing.T) {
	c := testCheckpoint(300)
	file := encodeFile(t, c)

	st, err := safetensors.Deserialize(file)
	if err != nil {
		t.Fatalf("safetensors reader refused our file: %v", err)
	}
	if st.Len() != len(c.Tensors) {
		t.Errorf("%d tensors, want %d", st.Len(), len(c.Tensors))
	}
	for name, want := range c.Tensors {
		view, ok := st.Tensor(name)
		if !ok {
			t.Errorf("tensor %q missing", name)
			continue
		}
		if view.DType() != safetensors.F32 {
			t.Errorf("tensor %q dtype %v, want F32", name, view.DType())
		}
		shape := make([]int, len(view.Shape()))
		for i, d := range view.Shape() {
			shape[i] = int(d)
		}
		if !slices.Equal(shape, want.Shape) {
			t.Errorf("tensor %q shape %v, want %v", name, shape, want.Shape)
		}
		raw := view.Data()
		got := make([]float32, len(raw)/4)
		for i := range got {
			got[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		if !sameBits(got, want.Data) {
			t.Errorf("tensor %q data %v, want %v", name, got, want.Data)
		}
	}

	_, meta, err := safetensors.ReadMetadata(file)
	if err != nil {
		t.Fatal(err)
	}
	m := meta.Metadata()
	if m[MetaStep] != "300" || m[MetaFormat] != "1" || len(m[MetaChecksum]) != 64 {
		t.Errorf("reserved metadata %q", m)
	}
	if m["dataset"] != c.Meta["dataset"] || m["unicode"] != c.Meta["unicode"] {
		t.Errorf("caller metadata %q, want %q", m, c.Meta)
	}
}

func TestCheckpointHeaderAligned(t *testing.T) {
	// The safetensors convention pads the header so the data starts on an
	// 8-byte boundary; some readers map the data in place and need it.
	for step := range 12 {
		c := &Checkpoint{Step: step, Meta: map[string]string{"pad": strings.Repeat("x", step)}}
		file := encodeFile(t, c)
		if n := binary.LittleEndian.Uint64(file); n%8 != 0 {
			t.Errorf("step %d: header length %d is not a multiple of 8", step, n)
		}
	}
}

// withHeader rewrites the JSON header of a checkpoint file with edit.
func withHeader(file []byte, edit func(string) string) []byte {
	n := binary.LittleEndian.Uint64(file)
	header := edit(string(file[8 : 8+n]))
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, file[8+n:]...)
}

func TestReadCheckpointDamaged(t *testing.T) {
	good := encodeFile(t, testCheckpoint(40))
	headerEnd := 8 + int(binary.LittleEndian.Uint64(good))

	flipped := bytes.Clone(good)
	flipped[len(flipped)-3] ^= 0x04

	foreign, err := safetensors.Serialize(map[string]safetensors.TensorView{}, map[string]string{
		"source": "another program"})
	if err != nil {
		t.Fatal(err)
	}
	pngHeader := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10")

	tests := []struct {
		name string
		file []byte
		want error
		says string
	}{
		{"empty file", nil, ErrCorruptCheckpoint, "only 0 bytes"},
		{"cut in length", good[:5], ErrCorruptCheckpoint, "only 5 bytes"},
		{"cut in header", good[:headerEnd-10], ErrCorruptCheckpoint, "cut short"},
		{"cut in data", good[:len(good)-4], ErrCorruptCheckpoint, "cut short"},
		{"cut after header", good[:headerEnd], ErrCorruptCheckpoint, "cut short"},
		{"bytes added", append(bytes.Clone(good), 0, 0, 0, 0), ErrCorruptCheckpoint,
			"after the last tensor"},
		{"flipped bit in data", flipped, ErrCorruptCheckpoint, "checksum"},
		{"header not JSON", withHeader(good, func(h string) string { return "{" + h[2:] }),
			ErrCorruptCheckpoint, "not valid JSON"},
		{"checksum missing", withHeader(good, func(h string) string {
			return strings.Replace(h, `"data_sha256"`, `"data_sha255"`, 1)
		}), ErrCorruptCheckpoint, "checksum is missing"},
		{"step not a number", withHeader(good, func(h string) string {
			return strings.Replace(h, `"step":"40"`, `"step":"4x"`, 1)
		}), ErrCorruptCheckpoint, "not a step number"},
		{"half precision", withHeader(good, func(h string) string {
			return strings.Replace(h, `"F32"`, `"F16"`, 1)
		}), ErrCorruptCheckpoint, "only F32"},
		{"offsets overlap", withHeader(good, func(h string) string {
			return strings.Replace(h, `"data_offsets":[0,`, `"data_offsets":[4,`, 1)
		}), ErrCorruptCheckpoint, "offsets"},
		{"huge shape", withHeader(good, func(h string) string {
			return strings.Replace(h, `"shape":[2]`,
				`"shape":[4000000000,4000000000,4000000000]`, 1)
		}), ErrCorruptCheckpoint, "impossible shape"},
		{"a PNG", pngHeader, ErrNotCheckpoint, "safetensors format"},
		{"text", []byte("step,loss\n1,2\n"), ErrNotCheckpoint, "safetensors format"},
		{"safetensors from another program", foreign, ErrNotCheckpoint, "another program"},
		{"newer format", withHeader(good, func(h string) string {
			return strings.Replace(h, `"ganvas_checkpoint_format":"1"`,
				`"ganvas_checkpoint_format":"9"`, 1)
		}), ErrNewerFormat, "format 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "step-000040.safetensors")
			if err := os.WriteFile(path, tt.file, 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := ReadCheckpoint(path)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("got %v, %v; want an error wrapping %q saying %q",
					c, err, tt.want, tt.says)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func FuzzReadCheckpoint(f *testing.F) {
	good := encodeFile(f, testCheckpoint(7))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(encodeFile(f, &Checkpoint{}))
	f.Add([]byte{})
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\xff{}"))
	f.Add([]byte("\x02\x00\x00\x00\x00\x00\x00\x00{}"))
	f.Add(withHeader(good, func(h string) string {
		return strings.Replace(h, `"shape":[2]`, `"shape":[9223372036854775807,2]`, 1)
	}))

	f.Fuzz(func(t *testing.T, file []byte) {
		c, err := decodeCheckpoint(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			if c != nil {
				t.Fatal("a checkpoint returned with an error")
			}
			return
		}

		// Whatever decodes must be a consistent checkpoint that encodes
		// back to a file that decodes to the same.
		values := 0
		for name, tensor := range c.Tensors {
			if err := checkTensor(name, tensor); err != nil {
				t.Fatal(err)
			}
			values += len(tensor.Data)
		}
		if 4*values > len(file) {
			t.Fatalf("%d values from a file of %d bytes", values, len(file))
		}
		encoded := encodeFile(t, c)
		again, err := decodeCheckpoint(bytes.NewReader(encoded), int64(len(encoded)))
		if err != nil {
			t.Fatalf("re-encoded checkpoint does not decode: %v", err)
		}
		if again.Step != c.Step || !reflect.DeepEqual(again.Meta, c.Meta) {
			t.Fatalf("re-encoded checkpoint differs: %+v vs %+v", again, c)
		}
	})
}
