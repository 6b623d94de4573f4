package ui

import (
	"image/color"
	"math"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// Line widths of the drawn series, in Fyne units.
const (
	rawLineWidth    = 1
	smoothLineWidth = 2
	rawAlpha        = 0x40 // of 0xff: how faint the raw line is
)

// chartRenderer lays a Chart out as canvas objects: text and thin lines for
// the title, legend, axes and grid, and one raster for the series, drawn at
// the screen's pixel size so the curves stay sharp.
type chartRenderer struct {
	chart *Chart

	title, caption, empty *canvas.Text
	axisX, axisY, hover   *canvas.Line
	plot                  *canvas.Raster

	swatches       []*canvas.Line
	legend         []*canvas.Text
	grid           []*canvas.Line
	xTicks, yTicks []*canvas.Text

	objects []fyne.CanvasObject

	// The data range shown by the plot area, set by Layout and read by the
	// raster when it draws.
	x0, x1, y0, y1 float64
}

func newChartRenderer(c *Chart) *chartRenderer {
	r := &chartRenderer{
		chart:   c,
		title:   canvas.NewText("", color.Black),
		caption: canvas.NewText("", color.Black),
		empty:   canvas.NewText("", color.Black),
		axisX:   canvas.NewLine(color.Black),
		axisY:   canvas.NewLine(color.Black),
		hover:   canvas.NewLine(color.Black),
	}
	r.title.TextStyle.Bold = true
	r.plot = canvas.NewRaster(r.draw)
	r.Refresh()
	return r
}

func (r *chartRenderer) Destroy() {}

func (r *chartRenderer) Objects() []fyne.CanvasObject {
	return r.objects
}

func (r *chartRenderer) MinSize() fyne.Size {
	th := r.chart.Theme()
	text := th.Size(theme.SizeNameText)
	return fyne.NewSize(text*16, text*10)
}

func (r *chartRenderer) Refresh() {
	r.Layout(r.chart.Size())
	canvas.Refresh(r.plot)
}

// Layout places every object for the size. It also decides the data range
// and the ticks, since both depend on how much room there is.
func (r *chartRenderer) Layout(size fyne.Size) {
	c := r.chart
	th := c.Theme()
	variant := fyne.CurrentApp().Settings().ThemeVariant()
	fg := th.Color(theme.ColorNameForeground, variant)
	faint := th.Color(theme.ColorNamePlaceHolder, variant)
	gridColor := th.Color(theme.ColorNameSeparator, variant)
	pad := th.Size(theme.SizeNamePadding)
	textSize := th.Size(theme.SizeNameText)
	tickSize := th.Size(theme.SizeNameCaptionText)

	// Header: the title left, the legend right.
	hovering, hoverStep := r.hoverStep()
	r.title.Text = c.Title
	if hovering {
		r.title.Text = c.Title + "  ·  " + tr("chart.step_at", map[string]any{
			"Step": strconv.Itoa(int(math.Round(hoverStep))),
		})
	}
	r.title.Color, r.title.TextSize = fg, textSize
	r.title.Move(fyne.NewPos(pad, 0))
	r.title.Resize(r.title.MinSize())
	header := r.title.MinSize().Height + pad
	header += r.layoutLegend(size, pad, textSize, fg, hovering, hoverStep)

	// Data range, then the value ticks, whose labels set the left margin.
	hasData := r.dataRange()
	plotTop := header + pad
	tickHeight := fyne.MeasureText("0", tickSize, fyne.TextStyle{}).Height
	plotBottom := size.Height - tickHeight - pad
	plotHeight := max(plotBottom-plotTop, 1)
	yValues, yStep := ticks(r.y0, r.y1, max(2, int(plotHeight/(2.2*textSize))))
	labelWidth := float32(0)
	for _, v := range yValues {
		w := fyne.MeasureText(formatTick(v, yStep), tickSize, fyne.TextStyle{}).Width
		labelWidth = max(labelWidth, w)
	}
	plotLeft := pad + labelWidth + pad
	plotRight := size.Width - pad
	plotWidth := max(plotRight-plotLeft, 1)
	xValues, xStep := ticks(r.x0, r.x1, max(2, int(plotWidth/(6*textSize))))
	if !hasData {
		yValues, xValues = nil, nil
	}

	toX := func(x float64) float32 {
		return plotLeft + float32((x-r.x0)/(r.x1-r.x0))*plotWidth
	}
	toY := func(y float64) float32 {
		return plotBottom - float32((y-r.y0)/(r.y1-r.y0))*plotHeight
	}

	// Grid lines and value labels.
	r.grid = resizeLines(r.grid, len(yValues))
	r.yTicks = resizeTexts(r.yTicks, len(yValues))
	for i, v := range yValues {
		y := toY(v)
		r.grid[i].StrokeColor, r.grid[i].StrokeWidth = gridColor, 1
		r.grid[i].Position1 = fyne.NewPos(plotLeft, y)
		r.grid[i].Position2 = fyne.NewPos(plotRight, y)
		label := r.yTicks[i]
		label.Text, label.Color, label.TextSize = formatTick(v, yStep), faint, tickSize
		label.Alignment = fyne.TextAlignTrailing
		label.Resize(fyne.NewSize(labelWidth, tickHeight))
		label.Move(fyne.NewPos(pad, y-tickHeight/2))
	}

	// The step caption sits at the right end of the step axis; step labels
	// that would overlap it or their left neighbour are dropped.
	r.caption.Text, r.caption.Color, r.caption.TextSize = tr("chart.step"), faint, tickSize
	cs := r.caption.MinSize()
	r.caption.Move(fyne.NewPos(plotRight-cs.Width, plotBottom+pad/2))
	r.caption.Resize(cs)
	r.caption.Hidden = !hasData
	r.xTicks = resizeTexts(r.xTicks, len(xValues))
	right := float32(math.Inf(-1))
	for i, v := range xValues {
		label := r.xTicks[i]
		label.Text, label.Color, label.TextSize = formatTick(v, xStep), faint, tickSize
		w := label.MinSize().Width
		x := max(toX(v)-w/2, plotLeft-w/2)
		label.Move(fyne.NewPos(x, plotBottom+pad/2))
		label.Resize(fyne.NewSize(w, tickHeight))
		label.Hidden = x < right+pad || x+w > plotRight-cs.Width-pad
		if !label.Hidden {
			right = x + w
		}
	}

	for _, axis := range []*canvas.Line{r.axisX, r.axisY} {
		axis.StrokeColor, axis.StrokeWidth = faint, 1
	}
	r.axisX.Position1 = fyne.NewPos(plotLeft, plotBottom)
	r.axisX.Position2 = fyne.NewPos(plotRight, plotBottom)
	r.axisY.Position1 = fyne.NewPos(plotLeft, plotTop)
	r.axisY.Position2 = fyne.NewPos(plotLeft, plotBottom)

	r.plot.Move(fyne.NewPos(plotLeft, plotTop))
	r.plot.Resize(fyne.NewSize(plotWidth, plotHeight))

	r.hover.Hidden = !hovering || !hasData
	r.hover.StrokeColor, r.hover.StrokeWidth = faint, 1
	hx := toX(hoverStep)
	r.hover.Position1 = fyne.NewPos(hx, plotTop)
	r.hover.Position2 = fyne.NewPos(hx, plotBottom)

	r.empty.Text, r.empty.Color, r.empty.TextSize = tr("chart.empty"), faint, textSize
	r.empty.Hidden = hasData
	es := r.empty.MinSize()
	r.empty.Move(fyne.NewPos(plotLeft+(plotWidth-es.Width)/2, plotTop+(plotHeight-es.Height)/2))
	r.empty.Resize(es)

	r.collect()
}

// layoutLegend places one swatch and label per series at the right of the
// header, last series rightmost, or on a row of its own under the title when
// both do not fit on one; it returns the height that row adds. Labels carry
// the smoothed value at the hovered step, or the latest one.
func (r *chartRenderer) layoutLegend(
	size fyne.Size, pad, textSize float32, fg color.Color, hovering bool, step float64,
) float32 {
	c := r.chart
	r.swatches = resizeLines(r.swatches, len(c.series))
	r.legend = resizeTexts(r.legend, len(c.series))
	swatchLength := 1.5 * textSize
	width := float32(0)
	for i, s := range c.series {
		label := r.legend[i]
		label.Text, label.Color, label.TextSize = s.name, fg, textSize
		smooth := s.smoothed(c.weight(len(s.ys)))
		at := len(smooth) - 1
		if hovering {
			at = s.nearest(step)
		}
		if at >= 0 && finite(smooth[at]) {
			label.Text += " " + strconv.FormatFloat(smooth[at], 'g', 3, 64)
		}
		width += label.MinSize().Width + pad/2 + swatchLength + 2*pad
	}

	rowHeight := r.title.MinSize().Height
	top, added := float32(0), float32(0)
	if r.title.MinSize().Width+pad+width > size.Width {
		top, added = rowHeight, rowHeight
	}
	x := size.Width - pad
	for i := len(c.series) - 1; i >= 0; i-- {
		label := r.legend[i]
		ls := label.MinSize()
		x -= ls.Width
		label.Move(fyne.NewPos(x, top+(rowHeight-ls.Height)/2))
		label.Resize(ls)

		swatch := r.swatches[i]
		swatch.StrokeColor, swatch.StrokeWidth = c.series[i].color, smoothLineWidth+1
		x -= pad / 2
		swatch.Position1 = fyne.NewPos(x-swatchLength, top+rowHeight/2)
		swatch.Position2 = fyne.NewPos(x, top+rowHeight/2)
		x -= swatchLength + 2*pad
	}
	return added
}

// hoverStep converts the pointer's position to a step, if it is over the
// plot area of the last layout.
func (r *chartRenderer) hoverStep() (bool, float64) {
	c := r.chart
	left, width := r.plot.Position().X, r.plot.Size().Width
	if c.hoverX < left || c.hoverX > left+width || width <= 1 || c.Empty() {
		return false, 0
	}
	return true, r.x0 + float64((c.hoverX-left)/width)*(r.x1-r.x0)
}

// dataRange sets the steps and values the plot shows and reports whether
// there is anything to show.
func (r *chartRenderer) dataRange() bool {
	c := r.chart
	r.x0, r.x1 = math.Inf(1), math.Inf(-1)
	var values []float64
	for _, s := range c.series {
		if len(s.xs) == 0 {
			continue
		}
		r.x0 = min(r.x0, s.xs[0])
		r.x1 = max(r.x1, s.xs[len(s.xs)-1])
		values = append(values, s.ys...)
	}
	lo, hi, ok := valueRange(values)
	if !ok {
		r.x0, r.x1, r.y0, r.y1 = 0, 1, 0, 1
		if c.fixed {
			r.y0, r.y1 = c.low, c.high
		}
		return false
	}
	if r.x1 <= r.x0 {
		r.x0, r.x1 = r.x0-1, r.x1+1
	}
	r.y0, r.y1 = padRange(lo, hi, 0.05)
	if c.fixed {
		r.y0, r.y1 = c.low, c.high
	}
	return true
}

// collect gathers the objects in drawing order: grid under the curves, text
// on top.
func (r *chartRenderer) collect() {
	r.objects = r.objects[:0]
	for _, l := range r.grid {
		r.objects = append(r.objects, l)
	}
	r.objects = append(r.objects, r.axisX, r.axisY, r.plot, r.hover, r.title, r.caption, r.empty)
	for i := range r.legend {
		r.objects = append(r.objects, r.swatches[i], r.legend[i])
	}
	for _, t := range r.yTicks {
		r.objects = append(r.objects, t)
	}
	for _, t := range r.xTicks {
		r.objects = append(r.objects, t)
	}
}

// resizeLines returns lines with n entries, reusing what it can.
func resizeLines(lines []*canvas.Line, n int) []*canvas.Line {
	for len(lines) < n {
		lines = append(lines, canvas.NewLine(color.Black))
	}
	return lines[:n]
}

// resizeTexts returns texts with n entries, reusing what it can.
func resizeTexts(texts []*canvas.Text, n int) []*canvas.Text {
	for len(texts) < n {
		texts = append(texts, canvas.NewText("", color.Black))
	}
	return texts[:n]
}
