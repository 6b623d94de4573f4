package run

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
)

// CheckpointFormat is the version of the checkpoint layout this build writes
// and the newest it reads.
const CheckpointFormat = 1

// Metadata keys that SaveCheckpoint writes itself. A Checkpoint's Meta may
// not use them, and a loaded Checkpoint's Meta does not contain them.
const (
	MetaFormat   = "ganvas_checkpoint_format" // CheckpointFormat, in decimal
	MetaStep     = "step"                     // Checkpoint.Step, in decimal
	MetaChecksum = "data_sha256"              // SHA-256 of the data section, in hex
)

// maxHeaderBytes caps the JSON header a reader will accept. Ours is a few
// kilobytes; the cap keeps a foreign or damaged length from costing memory.
const maxHeaderBytes = 16 << 20

// maxValues bounds the values a tensor's shape may claim while it is checked,
// far above any real file and far below overflowing 4 bytes per value.
const maxValues = math.MaxInt64 / 8

// ErrCorruptCheckpoint reports a checkpoint that is damaged: cut short,
// with an unreadable header, or with data that fails its checksum.
var ErrCorruptCheckpoint = errors.New("the checkpoint is damaged")

// ErrNotCheckpoint reports a file that is not a ganvas checkpoint at all:
// not in the safetensors format, or a safetensors file written by another
// program.
var ErrNotCheckpoint = errors.New("not a ganvas checkpoint")

// ErrNewerFormat reports a run or checkpoint written by a newer version of
// ganvas than this one, which cannot be read safely.
var ErrNewerFormat = errors.New("made by a newer version of ganvas; update ganvas to open it")

// Tensor is a named array of float32 in row-major order. The product of
// Shape is len(Data); an empty Shape is a scalar holding one value.
type Tensor struct {
	Shape []int
	Data  []float32
}

// Checkpoint is the state of a training run at a step: named tensors
// (generator and discriminator weights, optimiser moments, ...) and string
// metadata (RNG state, dataset fingerprint, ...). Meta may not use the
// reserved keys MetaFormat, MetaStep and MetaChecksum.
type Checkpoint struct {
	Step    int
	Tensors map[string]Tensor
	Meta    map[string]string
}

// SetBytes stores b in Meta under key as standard base64, creating Meta if
// needed. It suits opaque state such as a random number generator's.
func (c *Checkpoint) SetBytes(key string, b []byte) {
	if c.Meta == nil {
		c.Meta = make(map[string]string)
	}
	c.Meta[key] = base64.StdEncoding.EncodeToString(b)
}

// Bytes returns the bytes stored under key by SetBytes. A missing key or a
// value that is not base64 is an error naming the key.
func (c *Checkpoint) Bytes(key string) ([]byte, error) {
	s, ok := c.Meta[key]
	if !ok {
		return nil, fmt.Errorf("run: checkpoint metadata has no %q", key)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("run: checkpoint metadata %q is not base64: %w", key, err)
	}
	return b, nil
}

// tensorEntry is one tensor's line in the safetensors JSON header.
type tensorEntry struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// encodeCheckpoint lays c out in the safetensors format: an 8-byte
// little-endian header length, the JSON header padded with spaces to a
// multiple of 8 bytes, then the tensors' float32 values, little-endian, in
// the order of their sorted names. It returns the first two parts together
// and the data apart, so the data is not copied again.
func encodeCheckpoint(c *Checkpoint) (head, data []byte, err error) {
	if c.Step < 0 {
		return nil, nil, fmt.Errorf("negative step %d", c.Step)
	}
	for key := range c.Meta {
		if key == MetaFormat || key == MetaStep || key == MetaChecksum {
			return nil, nil, fmt.Errorf("metadata key %q is reserved", key)
		}
	}

	names := make([]string, 0, len(c.Tensors))
	size := 0
	for name, t := range c.Tensors {
		if err := checkTensor(name, t); err != nil {
			return nil, nil, err
		}
		names = append(names, name)
		size += 4 * len(t.Data)
	}
	slices.Sort(names)

	header := make(map[string]any, len(names)+1)
	data = make([]byte, size)
	offset := 0
	for _, name := range names {
		t := c.Tensors[name]
		end := offset + 4*len(t.Data)
		out := data[offset:end]
		for i, v := range t.Data {
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{} // a scalar: the format wants [], not null
		}
		header[name] = tensorEntry{"F32", shape, [2]int64{int64(offset), int64(end)}}
		offset = end
	}

	sum := sha256.Sum256(data)
	meta := make(map[string]string, len(c.Meta)+3)
	for k, v := range c.Meta {
		meta[k] = v
	}
	meta[MetaFormat] = strconv.Itoa(CheckpointFormat)
	meta[MetaStep] = strconv.Itoa(c.Step)
	meta[MetaChecksum] = hex.EncodeToString(sum[:])
	header["__metadata__"] = meta

	js, err := json.Marshal(header)
	if err != nil {
		return nil, nil, fmt.Errorf("encode header: %w", err)
	}
	padded := (len(js) + 7) &^ 7
	head = make([]byte, 8, 8+padded)
	binary.LittleEndian.PutUint64(head, uint64(padded))
	head = append(head, js...)
	head = append(head, bytes.Repeat([]byte{' '}, padded-len(js))...)
	return head, data, nil
}

// checkTensor reports a tensor that cannot be stored as it stands.
func checkTensor(name string, t Tensor) error {
	if name == "" || name == "__metadata__" {
		return fmt.Errorf("tensor name %q is not allowed", name)
	}
	count := 1
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("tensor %q: negative dimension in shape %v", name, t.Shape)
		}
		if d > 0 && count > maxValues/d {
			return fmt.Errorf("tensor %q: shape %v is impossibly large", name, t.Shape)
		}
		count *= d
	}
	if count != len(t.Data) {
		return fmt.Errorf("tensor %q: shape %v holds %d values, data has %d",
			name, t.Shape, count, len(t.Data))
	}
	return nil
}

// ReadCheckpoint reads and verifies the checkpoint file at path. A damaged
// file gives an error wrapping ErrCorruptCheckpoint, a file that is not a
// ganvas checkpoint ErrNotCheckpoint, one from a newer ganvas ErrNewerFormat.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	c, err := readCheckpointFile(path)
	if err != nil {
		return nil, fmt.Errorf("run: read checkpoint %s: %w", path, err)
	}
	return c, nil
}

// readCheckpointFile is ReadCheckpoint with errors that do not name the file.
func readCheckpointFile(path string) (*Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, fmt.Errorf("%w: it is a directory", ErrNotCheckpoint)
	}
	return decodeCheckpoint(f, info.Size())
}

// decodeCheckpoint reads a checkpoint of size bytes from r, checking every
// length and offset against size before it allocates, so that no input,
// however malformed, makes it panic or ask for more memory than size.
func decodeCheckpoint(r io.ReaderAt, size int64) (*Checkpoint, error) {
	var prefix [8]byte
	if size < 8 {
		return nil, fmt.Errorf("%w: only %d bytes long", ErrCorruptCheckpoint, size)
	}
	if _, err := r.ReadAt(prefix[:], 0); err != nil {
		return nil, err
	}
	headerLen := binary.LittleEndian.Uint64(prefix[:])
	if headerLen < 2 || headerLen > maxHeaderBytes {
		return nil, fmt.Errorf("%w: not in the safetensors format", ErrNotCheckpoint)
	}
	if int64(headerLen) > size-8 {
		return nil, fmt.Errorf("%w: cut short inside its header (%d bytes of %d)",
			ErrCorruptCheckpoint, size, 8+headerLen)
	}

	head := make([]byte, headerLen)
	if _, err := r.ReadAt(head, 8); err != nil {
		return nil, err
	}
	if trimmed := bytes.TrimLeft(head, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: not in the safetensors format", ErrNotCheckpoint)
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(head, &header); err != nil {
		return nil, fmt.Errorf("%w: header is not valid JSON: %w", ErrCorruptCheckpoint, err)
	}

	c, checksum, err := decodeMeta(header["__metadata__"])
	if err != nil {
		return nil, err
	}
	delete(header, "__metadata__")

	dataLen := size - 8 - int64(headerLen)
	layout, err := decodeLayout(header, dataLen)
	if err != nil {
		return nil, err
	}

	data := make([]byte, dataLen)
	if n, err := r.ReadAt(data, 8+int64(headerLen)); n < len(data) {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != checksum {
		return nil, fmt.Errorf("%w: the tensor data does not match its checksum",
			ErrCorruptCheckpoint)
	}

	values := make([]float32, dataLen/4)
	for i := range values {
		values[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	c.Tensors = make(map[string]Tensor, len(layout))
	for _, e := range layout {
		from, to := e.DataOffsets[0]/4, e.DataOffsets[1]/4
		c.Tensors[e.name] = Tensor{Shape: e.Shape, Data: values[from:to:to]}
	}
	return c, nil
}

// decodeMeta reads the "__metadata__" entry: it checks that the file is a
// ganvas checkpoint of a format this build reads, and returns the
// checkpoint with its Step and Meta filled in, and the data checksum.
func decodeMeta(raw json.RawMessage) (c *Checkpoint, checksum string, err error) {
	if raw == nil {
		return nil, "", fmt.Errorf("%w: a safetensors file with no metadata", ErrNotCheckpoint)
	}
	var meta map[string]string
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, "", fmt.Errorf("%w: metadata is not a map of strings: %w",
			ErrCorruptCheckpoint, err)
	}

	formatText, ok := meta[MetaFormat]
	if !ok {
		return nil, "", fmt.Errorf("%w: a safetensors file written by another program",
			ErrNotCheckpoint)
	}
	format, err := strconv.Atoi(formatText)
	if err != nil || format < 1 {
		return nil, "", fmt.Errorf("%w: format %q is not a version number",
			ErrCorruptCheckpoint, formatText)
	}
	if format > CheckpointFormat {
		return nil, "", fmt.Errorf("%w (checkpoint format %d, this build reads %d or older)",
			ErrNewerFormat, format, CheckpointFormat)
	}

	step, err := strconv.Atoi(meta[MetaStep])
	if err != nil || step < 0 {
		return nil, "", fmt.Errorf("%w: step %q is not a step number",
			ErrCorruptCheckpoint, meta[MetaStep])
	}
	checksum, ok = meta[MetaChecksum]
	if !ok {
		return nil, "", fmt.Errorf("%w: the data checksum is missing", ErrCorruptCheckpoint)
	}

	delete(meta, MetaFormat)
	delete(meta, MetaStep)
	delete(meta, MetaChecksum)
	return &Checkpoint{Step: step, Meta: meta}, checksum, nil
}

// namedEntry is a tensorEntry with its name, for sorting by offset.
type namedEntry struct {
	name string
	tensorEntry
}

// decodeLayout checks the tensor entries of a header against each other and
// against dataLen: every tensor is F32, its offsets match its shape, and the
// tensors fill the data section exactly, in order, with no gap or overlap.
func decodeLayout(header map[string]json.RawMessage, dataLen int64) ([]namedEntry, error) {
	entries := make([]namedEntry, 0, len(header))
	for name, raw := range header {
		if name == "" {
			return nil, fmt.Errorf("%w: a tensor has no name", ErrCorruptCheckpoint)
		}
		var e tensorEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("%w: tensor %q: %w", ErrCorruptCheckpoint, name, err)
		}
		if e.DType != "F32" {
			return nil, fmt.Errorf("%w: tensor %q has type %q; ganvas stores only F32",
				ErrCorruptCheckpoint, name, e.DType)
		}
		if e.Shape == nil {
			e.Shape = []int{}
		}

		// Count the values with a bound, so that a shape like [1e18, 1e18]
		// is refused instead of overflowing.
		count := int64(1)
		for _, d := range e.Shape {
			if d < 0 || (d > 0 && count > maxValues/int64(d)) {
				return nil, fmt.Errorf("%w: tensor %q has impossible shape %v",
					ErrCorruptCheckpoint, name, e.Shape)
			}
			count *= int64(d)
		}
		from, to := e.DataOffsets[0], e.DataOffsets[1]
		if from < 0 || to < from || to-from != 4*count {
			return nil, fmt.Errorf("%w: tensor %q: offsets %v do not fit shape %v",
				ErrCorruptCheckpoint, name, e.DataOffsets, e.Shape)
		}
		entries = append(entries, namedEntry{name, e})
	}

	slices.SortFunc(entries, func(a, b namedEntry) int {
		if c := cmp.Compare(a.DataOffsets[0], b.DataOffsets[0]); c != 0 {
			return c
		}
		return cmp.Compare(a.DataOffsets[1], b.DataOffsets[1])
	})
	next := int64(0)
	for _, e := range entries {
		if e.DataOffsets[0] != next {
			return nil, fmt.Errorf("%w: tensor %q does not start where the previous one ends",
				ErrCorruptCheckpoint, e.name)
		}
		next = e.DataOffsets[1]
	}
	switch {
	case next > dataLen:
		return nil, fmt.Errorf("%w: cut short (%d bytes of tensor data, the header "+
			"promises %d)", ErrCorruptCheckpoint, dataLen, next)
	case next < dataLen:
		return nil, fmt.Errorf("%w: %d bytes after the last tensor", ErrCorruptCheckpoint,
			dataLen-next)
	}
	return entries, nil
}
