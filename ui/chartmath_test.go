package ui

import (
	"math"
	"slices"
	"testing"
)

func TestNiceStep(t *testing.T) {
	tests := []struct {
		span float64
		n    int
		want float64
	}{
		{10, 5, 2},
		{1, 5, 0.2},
		{1, 4, 0.5},
		{5000, 6, 1000},
		{7000, 6, 2000},
		{0.03, 3, 0.01},
		{1, 1, 1},
		{0, 5, 1},
		{3, 0, 1},
	}
	for _, tt := range tests {
		if got := niceStep(tt.span, tt.n); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("niceStep(%g, %d) = %g, want %g", tt.span, tt.n, got, tt.want)
		}
	}
}

func TestTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 1, 5, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{0.05, 0.95, 4, []float64{0.5}},
		{0.05, 0.95, 5, []float64{0.2, 0.4, 0.6, 0.8}},
		{-0.3, 0.3, 3, []float64{-0.2, 0, 0.2}},
		{1, 5000, 5, []float64{1000, 2000, 3000, 4000, 5000}},
	}
	for _, tt := range tests {
		got, _ := ticks(tt.lo, tt.hi, tt.n)
		if !slices.Equal(got, tt.want) {
			t.Errorf("ticks(%g, %g, %d) = %v, want %v", tt.lo, tt.hi, tt.n, got, tt.want)
		}
	}
}

func TestFormatTick(t *testing.T) {
	tests := []struct {
		v, step float64
		want    string
	}{
		{0, 0.2, "0"},
		{0.4, 0.2, "0.4"},
		{0.30000000000000004, 0.1, "0.3"},
		{0.05, 0.05, "0.05"},
		{1e-17, 0.5, "0"},
		{2, 1, "2"},
		{500, 100, "500"},
		{2000, 1000, "2k"},
		{12500, 500, "12.5k"},
		{-1.5, 0.5, "-1.5"},
	}
	for _, tt := range tests {
		if got := formatTick(tt.v, tt.step); got != tt.want {
			t.Errorf("formatTick(%g, %g) = %q, want %q", tt.v, tt.step, got, tt.want)
		}
	}
}

func TestDownsampleKeepsShape(t *testing.T) {
	// 10 000 points of a noisy curve with one spike, on 100 columns.
	n := 10000
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i] = float64(i)
		ys[i] = math.Sin(float64(i)/500) + 0.1*math.Sin(float64(i)*7.3)
	}
	ys[4321] = 50

	keep := downsample(xs, ys, 0, float64(n-1), 100)
	if len(keep) > 400 {
		t.Fatalf("kept %d points, want at most 4 per column (400)", len(keep))
	}
	if keep[0] != 0 || keep[len(keep)-1] != n-1 {
		t.Errorf("first and last kept are %d and %d, want 0 and %d", keep[0], keep[len(keep)-1], n-1)
	}
	if !slices.Contains(keep, 4321) {
		t.Error("the spike at 4321 was dropped")
	}
	if !slices.IsSorted(keep) {
		t.Error("kept points are out of order")
	}

	// Every column's lowest and highest value survive.
	for c := 0; c < 100; c++ {
		lo, hi := c*n/100, (c+1)*n/100
		low := lo + slices.Index(ys[lo:hi], slices.Min(ys[lo:hi]))
		if !slices.Contains(keep, low) {
			t.Errorf("column %d: its lowest point %d was dropped", c, low)
			break
		}
	}
}

func TestDownsampleFewPointsAndGaps(t *testing.T) {
	xs := []float64{0, 1, 2, 3}
	ys := []float64{1, math.NaN(), 3, math.Inf(1)}
	if got := downsample(xs, ys, 0, 3, 100); !slices.Equal(got, []int{0, 2}) {
		t.Errorf("downsample kept %v, want the finite points [0 2]", got)
	}
}

func TestValueRange(t *testing.T) {
	many := make([]float64, 1000)
	for i := range many {
		many[i] = float64(i % 10)
	}
	many[0], many[1] = 1e6, -1e6 // two spikes out of a thousand

	tests := []struct {
		name   string
		values []float64
		lo, hi float64
		ok     bool
	}{
		{"none", nil, 0, 0, false},
		{"only NaN", []float64{math.NaN()}, 0, 0, false},
		{"few", []float64{3, -1, 2, math.NaN()}, -1, 3, true},
		{"spikes ignored", many, 0, 9, true},
	}
	for _, tt := range tests {
		lo, hi, ok := valueRange(tt.values)
		if lo != tt.lo || hi != tt.hi || ok != tt.ok {
			t.Errorf("%s: valueRange = %g, %g, %v; want %g, %g, %v",
				tt.name, lo, hi, ok, tt.lo, tt.hi, tt.ok)
		}
	}
}

func TestPadRange(t *testing.T) {
	if lo, hi := padRange(0, 10, 0.05); lo != -0.5 || hi != 10.5 {
		t.Errorf("padRange(0, 10) = %g, %g; want -0.5, 10.5", lo, hi)
	}
	if lo, hi := padRange(2, 2, 0.05); !(lo < 2 && hi > 2) {
		t.Errorf("padRange(2, 2) = %g, %g; want a range around 2", lo, hi)
	}
}

func TestSmoothed(t *testing.T) {
	tests := []struct {
		name   string
		weight float64
		ys     []float64
		want   []float64
	}{
		{"no smoothing", 0, []float64{1, 5, 2}, []float64{1, 5, 2}},
		// (0.5·0 + 0.5·2) / 0.5 = 2; (0.5·1 + 0.5·4) / 0.75 = 10/3.
		{"corrected start", 0.5, []float64{2, 4}, []float64{2, 10.0 / 3}},
		{"constant stays", 0.9, []float64{3, 3, 3, 3}, []float64{3, 3, 3, 3}},
		{"NaN keeps the average", 0.5, []float64{2, math.NaN(), 4}, []float64{2, 2, 10.0 / 3}},
	}
	for _, tt := range tests {
		s := &chartSeries{ys: tt.ys}
		got := s.smoothed(tt.weight)
		for i := range tt.want {
			if math.Abs(got[i]-tt.want[i]) > 1e-12 {
				t.Errorf("%s: smoothed = %v, want %v", tt.name, got, tt.want)
				break
			}
		}
	}
}

func TestSmoothedIncrementalMatchesWhole(t *testing.T) {
	whole := &chartSeries{}
	parts := &chartSeries{}
	for i := range 50 {
		y := math.Sin(float64(i))
		whole.ys = append(whole.ys, y)
		parts.ys = append(parts.ys, y)
		parts.smoothed(0.8) // brought up to date after every point
	}
	a, b := whole.smoothed(0.8), parts.smoothed(0.8)
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			t.Fatalf("point %d: incremental %g, whole %g", i, b[i], a[i])
		}
	}
}
