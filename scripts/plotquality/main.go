// Command plotquality draws the sliced Wasserstein distance of several runs
// against their training time, from each run's metrics.csv, and prints a
// Markdown table of the distance at given minutes. docs/quality.md is made
// with it:
//
//	go run ./scripts/plotquality -out plot.png -title "Emoji, 64 px" \
//	    "plain DCGAN=runs/plain" "recipe=runs/recipe"
package main

import (
	"flag"
	"fmt"
	"image/color"
	"log"
	"math"
	"os"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"ganvas/engine/run"
)

func main() {
	out := flag.String("out", "quality.png", "the plot to write")
	title := flag.String("title", "", "the plot's title")
	marks := flag.String("minutes", "5,10,15,20", "minutes at which the table reads the distance")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("usage: plotquality [-out PNG] [-title T] LABEL=RUNDIR ...")
	}

	p := plot.New()
	p.Title.Text = *title
	p.X.Label.Text = "training time (minutes)"
	p.Y.Label.Text = "SWD ×1e3 (lower is closer to the data)"
	p.Add(plotter.NewGrid())
	colours := []color.RGBA{{220, 90, 50, 255}, {40, 120, 220, 255}, {60, 170, 90, 255}, {150, 80, 200, 255}}

	var minutes []float64
	for _, m := range strings.Split(*marks, ",") {
		var v float64
		fmt.Sscan(m, &v)
		minutes = append(minutes, v)
	}
	fmt.Printf("| run |")
	for _, m := range minutes {
		fmt.Printf(" %g min |", m)
	}
	fmt.Printf(" steps |\n|---|")
	for range minutes {
		fmt.Printf("---|")
	}
	fmt.Println("---|")

	for i, arg := range flag.Args() {
		label, dir, ok := strings.Cut(arg, "=")
		if !ok {
			log.Fatalf("%q: want LABEL=RUNDIR", arg)
		}
		d, err := run.Open(dir)
		if err != nil {
			log.Fatal(err)
		}
		m, err := d.ReadMetrics()
		if err != nil {
			log.Fatal(err)
		}
		secs, swd, steps := m.Column("seconds"), m.Column("swd"), m.Column("step")
		var pts plotter.XYs
		for j := range swd {
			if swd[j] > 0 && !math.IsNaN(swd[j]) {
				pts = append(pts, plotter.XY{X: secs[j] / 60, Y: swd[j]})
			}
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			log.Fatalf("%s: %v", dir, err)
		}
		line.Color = colours[i%len(colours)]
		line.Width = vg.Points(2)
		p.Add(line)
		p.Legend.Add(label, line)

		fmt.Printf("| %s |", label)
		for _, mark := range minutes {
			fmt.Printf(" %s |", at(pts, mark))
		}
		fmt.Printf(" %.0f |\n", steps[len(steps)-1])
	}
	p.Legend.Top = true
	if err := p.Save(7*vg.Inch, 4.5*vg.Inch, *out); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintln(os.Stderr, "wrote", *out)
}

// at returns the latest measurement at or before minute m, or a dash.
func at(pts plotter.XYs, m float64) string {
	best := -1
	for i, p := range pts {
		if p.X <= m+1e-9 {
			best = i
		}
	}
	if best < 0 || m-pts[best].X > 2 {
		return "–"
	}
	return fmt.Sprintf("%.1f", pts[best].Y)
}
