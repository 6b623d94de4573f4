package ui

import (
	"image/color"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Chart is a line chart of values against training steps. Each series is
// drawn twice: its raw values as a faint line and their exponential moving
// average as a solid line over it. The chart has tick labels on both axes, a
// title, and a legend that shows the latest smoothed values, or the values
// under the pointer while it hovers over the plot.
//
// A chart holds any number of points; it draws at most four per pixel column.
// Like every widget, a Chart must only be used on the Fyne main goroutine.
type Chart struct {
	widget.BaseWidget

	// Title is drawn above the plot, left.
	Title string

	// Smoothing is the weight of the moving average, in [0,1): 0 draws the
	// raw line only, 0.9 averages roughly the last ten points. A long series
	// is smoothed more, over about one point in smoothingSpan, so the trend
	// of a long run reads as clearly as that of a short one.
	Smoothing float64

	series []*chartSeries

	// fixed, with low and high, pins the value axis to [low, high].
	fixed     bool
	low, high float64

	// hoverX is the pointer's x in the widget, or -1 when it is elsewhere.
	hoverX float32
}

// chartSeries is one named line of a Chart.
type chartSeries struct {
	name   string
	color  color.NRGBA
	xs, ys []float64

	// smooth is the moving average of ys[:len(smooth)] with weight
	// smoothWeight; acc and correction carry it on to new points.
	smooth          []float64
	smoothWeight    float64
	acc, correction float64
}

// NewChart returns an empty chart with the title and a moving average of
// weight 0.9.
func NewChart(title string) *Chart {
	loadTranslations()
	c := &Chart{Title: title, Smoothing: 0.9, hoverX: -1}
	c.ExtendBaseWidget(c)
	return c
}

// AddSeries adds an empty series drawn in the colour, named in the legend,
// and returns its index for Append and SetPoints.
func (c *Chart) AddSeries(name string, col color.NRGBA) int {
	c.series = append(c.series, &chartSeries{name: name, color: col})
	return len(c.series) - 1
}

// Append adds the point (step, value) to a series. Steps must not decrease
// within a series. The chart is not redrawn until Refresh.
func (c *Chart) Append(series int, step, value float64) {
	s := c.series[series]
	s.xs = append(s.xs, step)
	s.ys = append(s.ys, value)
}

// SetPoints replaces the points of a series; steps must be ascending. The
// chart is not redrawn until Refresh.
func (c *Chart) SetPoints(series int, steps, values []float64) {
	s := c.series[series]
	s.xs = append(s.xs[:0], steps...)
	s.ys = append(s.ys[:0], values...)
	s.smooth = s.smooth[:0]
}

// Clear removes every point from every series and redraws the chart.
func (c *Chart) Clear() {
	for i := range c.series {
		c.SetPoints(i, nil, nil)
	}
	c.Refresh()
}

// Points returns how many points a series holds.
func (c *Chart) Points(series int) int {
	return len(c.series[series].xs)
}

// Empty reports whether no series has a point.
func (c *Chart) Empty() bool {
	for _, s := range c.series {
		if len(s.xs) > 0 {
			return false
		}
	}
	return true
}

// SetValueRange pins the value axis to [low, high], for values with known
// bounds such as probabilities. Values outside are clipped.
func (c *Chart) SetValueRange(low, high float64) {
	c.fixed, c.low, c.high = true, low, high
}

// MouseIn shows the values under the pointer in the legend.
func (c *Chart) MouseIn(ev *desktop.MouseEvent) {
	c.MouseMoved(ev)
}

// MouseMoved follows the pointer with a marker line and legend values.
func (c *Chart) MouseMoved(ev *desktop.MouseEvent) {
	c.hoverX = ev.Position.X
	c.Refresh()
}

// MouseOut returns the legend to the latest values.
func (c *Chart) MouseOut() {
	c.hoverX = -1
	c.Refresh()
}

// CreateRenderer is a private method to Fyne which links this widget to its
// renderer.
func (c *Chart) CreateRenderer() fyne.WidgetRenderer {
	return newChartRenderer(c)
}

// smoothingSpan is the share of a long series, one in this many points,
// that its moving average spans at least.
const smoothingSpan = 150

// weight returns the weight of the moving average for a series of n points.
func (c *Chart) weight(n int) float64 {
	if c.Smoothing == 0 || n <= smoothingSpan {
		return c.Smoothing
	}
	return max(c.Smoothing, 1-smoothingSpan/float64(n))
}

// smoothed brings the moving average of the series up to date and returns it.
func (s *chartSeries) smoothed(weight float64) []float64 {
	if weight != s.smoothWeight || len(s.smooth) > len(s.ys) {
		s.smooth, s.smoothWeight = s.smooth[:0], weight
	}
	if len(s.smooth) == 0 {
		s.acc, s.correction = 0, 0
	}
	for _, y := range s.ys[len(s.smooth):] {
		if finite(y) {
			s.acc = weight*s.acc + (1-weight)*y
			s.correction = weight*s.correction + (1 - weight)
		}
		if s.correction == 0 {
			s.smooth = append(s.smooth, y)
			continue
		}
		s.smooth = append(s.smooth, s.acc/s.correction)
	}
	return s.smooth
}

// nearest returns the index of the point whose step is closest to x, or -1
// for an empty series.
func (s *chartSeries) nearest(x float64) int {
	if len(s.xs) == 0 {
		return -1
	}
	i := sort.SearchFloat64s(s.xs, x)
	switch {
	case i == 0:
		return 0
	case i == len(s.xs):
		return i - 1
	case x-s.xs[i-1] <= s.xs[i]-x:
		return i - 1
	}
	return i
}
