package quality

import (
	"image"
	"testing"
)

// benchSets is two sets of 256 test-style images of 64×64, the size of a
// sample batch the trainer would measure.
func benchSets() (a, b []image.Image) {
	return set(256, 64, 11, shapes), set(256, 64, 12, shapes)
}

// reportCPU adds the processor time per operation, summed over threads.
func reportCPU(b *testing.B, start int64) {
	b.ReportMetric(float64(int64(cpuTime())-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkSWD(b *testing.B) {
	a, c := benchSets()
	for _, tt := range []struct {
		name string
		opt  SWDOptions
	}{
		{"Quick", Quick()},
		{"Full", Full()},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			start := int64(cpuTime())
			for b.Loop() {
				if _, err := SWD(a, c, tt.opt); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkReference is a training-time measurement: 256 generated images
// against real images prepared once with Quick.
func BenchmarkReference(b *testing.B) {
	a, c := benchSets()
	ref, err := NewReferenceFloat(nhwc(a), 64, 3, Quick())
	if err != nil {
		b.Fatal(err)
	}
	generated := nhwc(c)
	b.ReportAllocs()
	start := int64(cpuTime())
	for b.Loop() {
		if _, err := ref.SWDFloat(generated); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

func BenchmarkSWDFloat(b *testing.B) {
	a, c := benchSets()
	fa, fc := nhwc(a), nhwc(c)
	b.ReportAllocs()
	start := int64(cpuTime())
	for b.Loop() {
		if _, err := SWDFloat(fa, fc, 64, 3, Quick()); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

func BenchmarkDiversity(b *testing.B) {
	images, _ := benchSets()
	for _, pairs := range []int{100, 1000} {
		b.Run(map[int]string{100: "256img_100pairs", 1000: "256img_1000pairs"}[pairs],
			func(b *testing.B) {
				b.ReportAllocs()
				start := int64(cpuTime())
				for b.Loop() {
					if _, err := Diversity(images, pairs, 1); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, start)
			})
	}
}

func BenchmarkMSSSIM(b *testing.B) {
	images, _ := benchSets()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MSSSIM(images[0], images[1]); err != nil {
			b.Fatal(err)
		}
	}
}
