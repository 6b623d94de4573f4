package dataset

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
)

// unitValue maps a byte to [-1, 1]: v/127.5 - 1, so 0 is -1 and 255 is 1.
var unitValue = func() (table [256]float32) {
	for v := range table {
		table[v] = float32(v)/127.5 - 1
	}
	return table
}()

// Len returns the number of training examples: every image and its
// horizontal mirror, twice len(d.Paths).
func (d *Dataset) Len() int {
	return 2 * len(d.Paths)
}

// Label returns the class, an index into d.Classes, of example i in [0, Len()).
func (d *Dataset) Label(i int) int {
	image, _ := d.source(i)
	return d.Labels[image]
}

// source maps example i to its image and whether it is mirrored. It panics,
// naming the range, when i is outside [0, Len()).
func (d *Dataset) source(i int) (image int, mirrored bool) {
	n := len(d.Paths)
	if i < 0 || i >= 2*n {
		panic(fmt.Sprintf("dataset: example %d is outside [0, %d)", i, 2*n))
	}
	if i >= n {
		return i - n, true
	}
	return i, false
}

// Fill writes the examples named by indices into dst as one batch in NHWC
// layout (example, row, column, channel R G B), each value in [-1, 1].
// Index i < N is image i; N <= i < 2N is image i-N mirrored left to right.
// dst must hold exactly len(indices)*Resolution*Resolution*3 values. Fill
// allocates nothing and may be called from several goroutines at once.
func (d *Dataset) Fill(dst []float32, indices []int) {
	res := d.Resolution
	size := res * res * 3
	if len(dst) != len(indices)*size {
		panic(fmt.Sprintf("dataset: Fill: dst holds %d values, %d examples need %d",
			len(dst), len(indices), len(indices)*size))
	}

	for b, i := range indices {
		k, mirrored := d.source(i)
		src := d.pix[k*size : (k+1)*size]
		out := dst[b*size : (b+1)*size]
		if !mirrored {
			out = out[:len(src)]
			for j, v := range src {
				out[j] = unitValue[v]
			}
			continue
		}

		row := res * 3
		for y := 0; y < res; y++ {
			srcRow := src[y*row : (y+1)*row]
			outRow := out[y*row : (y+1)*row]
			// Walk the source row backwards one pixel at a time.
			for o, s := 0, row-3; o+2 < len(outRow) && s >= 0 && s+2 < len(srcRow); o, s = o+3, s-3 {
				outRow[o] = unitValue[srcRow[s]]
				outRow[o+1] = unitValue[srcRow[s+1]]
				outRow[o+2] = unitValue[srcRow[s+2]]
			}
		}
	}
}

// Image returns example i, in [0, Len()), as a new opaque RGBA image of
// Resolution x Resolution pixels, mirrored when i names a mirror.
func (d *Dataset) Image(i int) *image.RGBA {
	k, mirrored := d.source(i)
	res := d.Resolution
	size := res * res * 3
	src := d.pix[k*size : (k+1)*size]

	img := image.NewRGBA(image.Rect(0, 0, res, res))
	for y := 0; y < res; y++ {
		for x := 0; x < res; x++ {
			sx := x
			if mirrored {
				sx = res - 1 - x
			}
			s := (y*res + sx) * 3
			p := img.PixOffset(x, y)
			img.Pix[p] = src[s]
			img.Pix[p+1] = src[s+1]
			img.Pix[p+2] = src[s+2]
			img.Pix[p+3] = 255
		}
	}
	return img
}

// Fingerprint returns a hex SHA-256 digest of the resolution, the image count,
// the classes and labels, and every pixel, so a checkpoint can record what it
// was trained on and later tell whether a dataset is the same. Paths do not
// enter it, nor the name of a lone class (a flat folder's own name): moving or
// renaming the folder keeps the fingerprint. It is computed once.
func (d *Dataset) Fingerprint() string {
	d.fingerprintOnce.Do(func() {
		h := sha256.New()
		h.Write([]byte("ganvas dataset v1\n"))

		var word [8]byte
		writeInt := func(v int) {
			binary.LittleEndian.PutUint64(word[:], uint64(v))
			h.Write(word[:])
		}
		writeInt(d.Resolution)
		writeInt(len(d.Paths))
		writeInt(len(d.Classes))
		if len(d.Classes) > 1 {
			for _, c := range d.Classes {
				writeInt(len(c))
				h.Write([]byte(c))
			}
		}
		for _, l := range d.Labels {
			writeInt(l)
		}
		h.Write(d.pix)

		d.fingerprint = hex.EncodeToString(h.Sum(nil))
	})
	return d.fingerprint
}
