package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// Colours of the curves, chosen to tell apart on dark and light themes and
// for the common kinds of colour blindness.
var (
	colorLossD = color.NRGBA{R: 0xe8, G: 0x74, B: 0x3b, A: 0xff} // orange
	colorLossG = color.NRGBA{R: 0x4c, G: 0x9b, B: 0xe8, A: 0xff} // blue
	colorDReal = color.NRGBA{R: 0x3f, G: 0xb2, B: 0x7f, A: 0xff} // green
	colorDFake = color.NRGBA{R: 0xc4, G: 0x5b, B: 0xaa, A: 0xff} // purple
	colorSWD   = color.NRGBA{R: 0x19, G: 0xa7, B: 0xa8, A: 0xff} // teal
)

// chartsPanel holds the curves of a run: the two losses, the
// discriminator's outputs on real and generated images, and, once the run
// measures it, the sliced Wasserstein distance.
type chartsPanel struct {
	losses, outputs, quality *Chart

	lossD, lossG, dReal, dFake, swd int // series indexes

	content fyne.CanvasObject
}

func newChartsPanel() *chartsPanel {
	p := &chartsPanel{
		losses:  NewChart(tr("chart.losses")),
		outputs: NewChart(tr("chart.outputs")),
		quality: NewChart(tr("chart.quality")),
	}
	p.lossD = p.losses.AddSeries(tr("chart.loss_d"), colorLossD)
	p.lossG = p.losses.AddSeries(tr("chart.loss_g"), colorLossG)
	p.dReal = p.outputs.AddSeries(tr("chart.d_real"), colorDReal)
	p.dFake = p.outputs.AddSeries(tr("chart.d_fake"), colorDFake)
	p.outputs.SetValueRange(0, 1)
	p.swd = p.quality.AddSeries(tr("chart.swd"), colorSWD)
	// A quality measurement comes every few hundred steps and is already
	// an average over many images: a moving average would only lag it.
	p.quality.Smoothing = 0
	p.quality.Hide()

	// One column; the quality chart is a small one under the others, and
	// while it is hidden they share its room.
	p.content = container.New(&weightedColumn{weights: []float32{2, 2, 1}},
		p.losses, p.outputs, p.quality)
	return p
}

// add appends a step to the curves; refresh draws them. A Progress that
// does not move past the last step drawn, such as the report of a pause,
// adds nothing.
func (p *chartsPanel) add(pr Progress) {
	step := float64(pr.Step)
	if n := p.losses.Points(p.lossD); n > 0 && step <= p.losses.series[p.lossD].xs[n-1] {
		return
	}
	p.losses.Append(p.lossD, step, pr.LossD)
	p.losses.Append(p.lossG, step, pr.LossG)
	p.outputs.Append(p.dReal, step, pr.DReal)
	p.outputs.Append(p.dFake, step, pr.DFake)
	if pr.HasSWD {
		p.quality.Append(p.swd, step, pr.SWD)
	}
}

// refresh redraws the curves, showing the quality chart once it has a point.
func (p *chartsPanel) refresh() {
	p.losses.Refresh()
	p.outputs.Refresh()
	if p.quality.Empty() {
		p.quality.Hide()
		return
	}
	p.quality.Show()
	p.quality.Refresh()
}

// setMetrics replaces the curves with the logged progress of a run.
func (p *chartsPanel) setMetrics(rows []Progress) {
	p.clearPoints()
	for _, row := range rows {
		p.add(row)
	}
	p.refresh()
}

// clear empties every curve, for a new run.
func (p *chartsPanel) clear() {
	p.clearPoints()
	p.refresh()
}

func (p *chartsPanel) clearPoints() {
	for _, c := range []*Chart{p.losses, p.outputs, p.quality} {
		c.Clear()
	}
}

// weightedColumn lays objects out top to bottom, sharing the height among
// the visible ones in proportion to their weights, with padding between.
type weightedColumn struct {
	weights []float32
}

func (l *weightedColumn) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	total, visible := float32(0), 0
	for i, o := range objects {
		if o.Visible() {
			total += l.weights[i]
			visible++
		}
	}
	free := size.Height - pad*float32(max(visible-1, 0))
	y := float32(0)
	for i, o := range objects {
		if !o.Visible() {
			continue
		}
		h := free * l.weights[i] / total
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + pad
	}
}

func (l *weightedColumn) MinSize(objects []fyne.CanvasObject) fyne.Size {
	out := fyne.NewSize(0, 0)
	visible := 0
	for _, o := range objects {
		if o.Visible() {
			m := o.MinSize()
			out.Width = max(out.Width, m.Width)
			out.Height += m.Height
			visible++
		}
	}
	out.Height += theme.Padding() * float32(max(visible-1, 0))
	return out
}
