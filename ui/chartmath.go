package ui

import (
	"math"
	"slices"
	"strconv"
)

// finite reports whether v is a number that can be drawn.
func finite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}

// downsample reduces the points (xs[i], ys[i]), xs ascending, to at most four
// per column when the range [x0, x1] is split into columns: the first, the
// lowest, the highest and the last point of each column, in their original
// order. A line through the result looks the same at that width as a line
// through every point. It returns indexes into xs.
func downsample(xs, ys []float64, x0, x1 float64, columns int) []int {
	if columns < 1 || len(xs) <= 4*columns {
		out := make([]int, 0, len(xs))
		for i := range xs {
			if finite(ys[i]) {
				out = append(out, i)
			}
		}
		return out
	}

	span := x1 - x0
	if span <= 0 {
		span = 1
	}
	out := make([]int, 0, 4*columns)
	column, first, low, high, last := -1, -1, -1, -1, -1
	flush := func() {
		if first < 0 {
			return
		}
		picked := []int{first, low, high, last}
		slices.Sort(picked)
		out = append(out, slices.Compact(picked)...)
	}
	for i, x := range xs {
		if !finite(ys[i]) {
			continue
		}
		c := int(float64(columns) * (x - x0) / span)
		c = min(max(c, 0), columns-1)
		if c != column {
			flush()
			column, first, low, high = c, i, i, i
		}
		if ys[i] < ys[low] {
			low = i
		}
		if ys[i] > ys[high] {
			high = i
		}
		last = i
	}
	flush()
	return out
}

// niceStep returns a step of 1, 2 or 5 times a power of ten that splits
// span into at most n intervals.
func niceStep(span float64, n int) float64 {
	if span <= 0 || n < 1 {
		return 1
	}
	raw := span / float64(n)
	power := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*power >= raw*(1-1e-9) {
			return m * power
		}
	}
	return 10 * power
}

// ticks returns the multiples of niceStep(hi-lo, n) within [lo, hi], and
// the step.
func ticks(lo, hi float64, n int) ([]float64, float64) {
	step := niceStep(hi-lo, n)
	var out []float64
	for v := math.Ceil(lo/step-1e-9) * step; v <= hi+step*1e-9; v += step {
		out = append(out, snap(math.Round(v/step)*step))
	}
	return out, step
}

// snap rounds away the last digits of floating-point error, so a tick at
// 3×0.2 is 0.6 and not 0.6000000000000001, and turns -0 into 0.
func snap(v float64) float64 {
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	return v + 0
}

// formatTick writes a tick value with as many decimals as its step needs.
// Values of ten thousand and more are written in thousands with a k, as
// steps usually are: 12k, 12.5k.
func formatTick(v, step float64) string {
	if math.Abs(v) < step*1e-9 {
		return "0"
	}
	suffix := ""
	if math.Abs(v) >= 10000 || (step >= 1000 && v != 0) {
		v, step, suffix = v/1000, step/1000, "k"
	}
	decimals := 0
	if step < 1 {
		decimals = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	return strconv.FormatFloat(v, 'f', decimals, 64) + suffix
}

// rangeSample is how many values valueRange looks at, at most: percentiles
// of an evenly spread sample of that size are as good as exact on screen,
// and sorting it stays cheap for a chart redrawn many times a second.
const rangeSample = 4096

// valueRange returns the range a chart's value axis should show for the
// values: from the 1st to the 99th percentile when there are at least 200
// of them, so a few early spikes do not flatten the rest of the curve, and
// from the lowest to the highest otherwise. ok is false when no value is
// finite.
func valueRange(values []float64) (lo, hi float64, ok bool) {
	stride := max(1, len(values)/rangeSample)
	sorted := make([]float64, 0, min(len(values), rangeSample+1))
	for i := 0; i < len(values); i += stride {
		if v := values[i]; finite(v) {
			sorted = append(sorted, v)
		}
	}
	if len(sorted) == 0 {
		return 0, 0, false
	}
	slices.Sort(sorted)
	if len(sorted) < 200 {
		return sorted[0], sorted[len(sorted)-1], true
	}
	last := len(sorted) - 1
	return sorted[last/100], sorted[last-last/100], true
}

// padRange widens [lo, hi] by a fraction of its span on each side, and gives
// an empty range a span of its own so a flat line sits in the middle.
func padRange(lo, hi, fraction float64) (float64, float64) {
	if hi-lo < 1e-12 {
		half := math.Max(math.Abs(lo)*0.1, 0.5)
		return lo - half, hi + half
	}
	pad := (hi - lo) * fraction
	return lo - pad, hi + pad
}
