package ui

import (
	"image/color"
	"math"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// lossChart returns a chart of two made-up loss curves over n points: D
// falling from 2 towards 0.5, G rising towards 1.5, both noisy.
func lossChart(n int) *Chart {
	c := NewChart("Losses")
	d := c.AddSeries("D", colorLossD)
	g := c.AddSeries("G", colorLossG)
	for i := range n {
		x := float64(i) / float64(n)
		step := float64(i * 10000 / n)
		c.Append(d, step, 0.5+1.5*math.Exp(-4*x)+0.15*math.Sin(float64(i)*1.7))
		c.Append(g, step, 1.5-0.8*math.Exp(-3*x)+0.2*math.Sin(float64(i)*2.3))
	}
	return c
}

func TestChartRendersCurves(t *testing.T) {
	c := lossChart(2000)
	c.Resize(fyne.NewSize(480, 220))
	test.AssertObjectRendersToImage(t, "chart_losses.png", c)
}

func TestChartRendersProbabilities(t *testing.T) {
	c := NewChart("Discriminator outputs")
	real := c.AddSeries("D(real)", colorDReal)
	fake := c.AddSeries("D(fake)", colorDFake)
	c.SetValueRange(0, 1)
	for i := range 300 {
		c.Append(real, float64(i), 0.5+0.3*math.Tanh(float64(i)/80))
		c.Append(fake, float64(i), 0.5-0.3*math.Tanh(float64(i)/80)+0.05*math.Sin(float64(i)))
	}
	c.Resize(fyne.NewSize(360, 180))
	test.AssertObjectRendersToImage(t, "chart_outputs.png", c)
}

func TestChartEmpty(t *testing.T) {
	c := NewChart("Losses")
	c.AddSeries("D", colorLossD)
	c.Resize(fyne.NewSize(300, 150))
	markup := test.RenderObjectToMarkup(c)
	if !strings.Contains(markup, "No steps yet") {
		t.Errorf("an empty chart should say so:\n%s", markup)
	}
}

func TestChartAxesAndLegend(t *testing.T) {
	c := lossChart(1000)
	c.Resize(fyne.NewSize(600, 300))
	r := test.WidgetRenderer(c).(*chartRenderer)
	r.Layout(c.Size())

	// The step axis runs from 0 to the last step, with labels in thousands.
	var steps []string
	for _, label := range r.xTicks {
		if !label.Hidden {
			steps = append(steps, label.Text)
		}
	}
	if len(steps) < 3 || steps[0] != "0" || !strings.HasSuffix(steps[len(steps)-1], "k") {
		t.Errorf("step labels %v, want 0 up to some thousands", steps)
	}

	// Value labels are increasing numbers that cover the curves' range.
	var values []float64
	for _, label := range r.yTicks {
		v, err := strconv.ParseFloat(label.Text, 64)
		if err != nil {
			t.Fatalf("value label %q is not a number", label.Text)
		}
		values = append(values, v)
	}
	if len(values) < 3 || values[0] > 0.7 || values[len(values)-1] < 1.4 {
		t.Errorf("value labels %v do not cover the losses (about 0.5 to 2)", values)
	}
	// Lower values sit lower on screen.
	if r.yTicks[0].Position().Y <= r.yTicks[len(r.yTicks)-1].Position().Y {
		t.Error("value labels run the wrong way")
	}

	// The legend names each series with its latest smoothed value.
	if !strings.HasPrefix(r.legend[0].Text, "D 0.") || !strings.HasPrefix(r.legend[1].Text, "G 1.") {
		t.Errorf("legend %q, %q; want D about 0.5, G about 1.4", r.legend[0].Text, r.legend[1].Text)
	}
}

func TestChartHoverShowsValuesAtStep(t *testing.T) {
	c := NewChart("Losses")
	s := c.AddSeries("D", colorLossD)
	c.Smoothing = 0
	for i := range 11 {
		c.Append(s, float64(i*100), float64(i))
	}
	c.Resize(fyne.NewSize(500, 200))
	r := test.WidgetRenderer(c).(*chartRenderer)
	r.Layout(c.Size())

	// Point at the middle of the plot: step 500, where the value is 5.
	middle := r.plot.Position().X + r.plot.Size().Width/2
	c.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(middle, 100)}})
	if !strings.Contains(r.title.Text, "step 500") || r.legend[0].Text != "D 5" {
		t.Errorf("hovering mid-plot shows %q and %q, want step 500 and D 5",
			r.title.Text, r.legend[0].Text)
	}
	if r.hover.Hidden {
		t.Error("no marker line under the pointer")
	}

	c.MouseOut()
	if strings.Contains(r.title.Text, "step") || r.legend[0].Text != "D 10" || !r.hover.Hidden {
		t.Errorf("after the pointer leaves: %q, %q; want the title and the latest value",
			r.title.Text, r.legend[0].Text)
	}
}

func TestChartDrawsManyPoints(t *testing.T) {
	c := lossChart(100000)
	c.Resize(fyne.NewSize(400, 200))
	r := test.WidgetRenderer(c).(*chartRenderer)
	r.Layout(c.Size())

	img := r.draw(400, 170)
	seen := map[color.NRGBA]bool{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			if c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA); c.A == 0xff {
				seen[c] = true
			}
		}
	}
	if !seen[colorLossD] || !seen[colorLossG] {
		t.Error("the smoothed lines are not drawn in their series' colours")
	}
}

func BenchmarkChartDraw(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			c := lossChart(n)
			c.Resize(fyne.NewSize(600, 300))
			r := test.WidgetRenderer(c).(*chartRenderer)
			r.Layout(c.Size())
			b.ResetTimer()
			for range b.N {
				r.Layout(c.Size())
				r.draw(600, 260)
			}
		})
	}
}

func TestChartSmoothsLongSeriesMore(t *testing.T) {
	c := NewChart("Losses")
	tests := []struct {
		points int
		want   float64
	}{
		{10, 0.9}, {1500, 0.9}, {15000, 0.99}, {150000, 0.999},
	}
	for _, tt := range tests {
		if got := c.weight(tt.points); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("weight for %d points = %g, want %g", tt.points, got, tt.want)
		}
	}
	c.Smoothing = 0
	if got := c.weight(15000); got != 0 {
		t.Errorf("with smoothing off, weight = %g, want 0", got)
	}
}

// TestQualityLegendShowsTheLatestMeasurement: the quality chart's points are
// measurements hundreds of steps apart, so its legend reads the newest one,
// not an average that lags behind it.
func TestQualityLegendShowsTheLatestMeasurement(t *testing.T) {
	p := newChartsPanel()
	for i, swd := range []float64{117, 87, 69, 55, 44, 38.5} {
		p.add(Progress{Step: (i + 1) * 500, SWD: swd, HasSWD: true})
	}
	p.refresh()
	p.quality.Resize(fyne.NewSize(400, 150))
	r := test.WidgetRenderer(p.quality).(*chartRenderer)
	r.Layout(p.quality.Size())
	if got := r.legend[p.swd].Text; got != "SWD 38.5" {
		t.Errorf("the quality legend reads %q, want the latest measurement, SWD 38.5", got)
	}
}
