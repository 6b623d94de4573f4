package ui

import (
	"context"
	"fmt"
	"image"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// stripFrames is how many images the interpolation strip shows, A and B
// included.
const stripFrames = 8

// pathEnd is one end of the interpolation path: A or B. A person sets it
// from the image in the explorer, from a favourite, or from a seed.
type pathEnd struct {
	recipe  *Recipe // nil until chosen
	caption string  // where it came from

	thumb      *thumbnail
	useCurrent *widget.Button
	favourite  *widget.Select
	seed       *widget.Entry
	content    fyne.CanvasObject
}

// interpolatePanel shows the spherical path between two images as a strip
// of thumbnails, and a slider that moves the explorer's image along it.
type interpolatePanel struct {
	explore *explorePanel
	ends    [2]*pathEnd

	strip   []*thumbnail
	recipes []Recipe      // the strip's recipes
	images  []image.Image // the strip's images, once drawn
	drawing int           // counts strip drawings, so only the newest shows

	scrub      *widget.Slider
	scrubValue *widget.Label
	export     *widget.Button
	message    *widget.Label
	content    fyne.CanvasObject
	moving     bool // the panel is setting its widgets, not a person
}

func newInterpolatePanel(p *explorePanel) *interpolatePanel {
	ip := &interpolatePanel{
		explore:    p,
		scrub:      widget.NewSlider(0, 1),
		scrubValue: widget.NewLabel("0.00"),
		message:    widget.NewLabel(tr("interpolate.hint")),
	}
	ip.message.Wrapping = fyne.TextWrapWord
	ip.message.Importance = widget.LowImportance
	ip.scrub.Step = 0.01
	ip.scrub.OnChanged = ip.scrubbed
	ip.export = widget.NewButtonWithIcon(tr("interpolate.export"), theme.MediaVideoIcon(), ip.exportGIF)

	ip.ends[0] = ip.newEnd(0, tr("interpolate.a"))
	ip.ends[1] = ip.newEnd(1, tr("interpolate.b"))

	strip := container.NewGridWithColumns(stripFrames)
	for i := range stripFrames {
		t := newThumbnail(56)
		t.OnTapped = func() { ip.scrubTo(float64(i) / (stripFrames - 1)) }
		t.OnKeep = func() { ip.keep(i) }
		ip.strip = append(ip.strip, t)
		strip.Add(t)
	}
	scrubLabel := widget.NewLabel(tr("interpolate.scrub"))
	scrub := container.NewBorder(nil, nil, scrubLabel, ip.scrubValue, ip.scrub)
	ends := container.NewGridWithColumns(2, ip.ends[0].content, ip.ends[1].content)
	body := container.NewVBox(ip.message, ends, widget.NewSeparator(), strip, scrub,
		container.NewHBox(ip.export))
	ip.content = container.NewVScroll(body)
	return ip
}

// newEnd builds the controls of end i, titled A or B.
func (ip *interpolatePanel) newEnd(i int, title string) *pathEnd {
	e := &pathEnd{thumb: newThumbnail(88), seed: widget.NewEntry()}
	e.thumb.set(nil, title)
	e.useCurrent = widget.NewButton(tr("interpolate.use_current"), func() {
		ip.setEnd(i, ip.explore.recipe.clone(), describeRecipe(ip.explore.recipe))
	})
	e.favourite = widget.NewSelect(nil, func(string) {
		if ip.moving {
			return
		}
		favs := ip.explore.studio.gallery.favs
		if k := e.favourite.SelectedIndex(); k >= 0 && k < len(favs) {
			ip.setEnd(i, favs[k].Recipe.clone(), favouriteName(favs[k]))
		}
	})
	e.favourite.PlaceHolder = tr("interpolate.favourite")
	e.seed.SetPlaceHolder(tr("interpolate.seed"))
	e.seed.OnSubmitted = func(text string) {
		seed, err := parseSeed(text)
		if err != nil || ip.explore.info == nil {
			ip.message.SetText(tr("explore.seed_invalid"))
			return
		}
		r := ip.explore.studio.explorer.SeedRecipe(seed)
		r.Truncation = ip.explore.recipe.Truncation
		ip.setEnd(i, r, describeRecipe(r))
	}
	heading := widget.NewLabel(title)
	heading.TextStyle.Bold = true
	e.content = container.NewVBox(heading, e.thumb, e.useCurrent, e.favourite, e.seed)
	return e
}

// clear forgets both ends and the strip, for another run or checkpoint.
func (ip *interpolatePanel) clear() {
	ip.drawing++
	for i, e := range ip.ends {
		e.recipe = nil
		e.thumb.set(nil, []string{tr("interpolate.a"), tr("interpolate.b")}[i])
		e.seed.SetText("")
	}
	ip.recipes, ip.images = nil, nil
	for _, t := range ip.strip {
		t.set(nil, "")
	}
	ip.message.SetText(tr("interpolate.hint"))
}

// start sets the ends to the first two seeds when none is chosen, so the
// panel shows a path from the first.
func (ip *interpolatePanel) start() {
	s := ip.explore.studio
	if ip.ends[0].recipe != nil || ip.ends[1].recipe != nil {
		ip.drawStrip()
		return
	}
	for i := range ip.ends {
		r := s.explorer.SeedRecipe(firstSeed + int64(i))
		ip.ends[i].recipe, ip.ends[i].caption = &r, describeRecipe(r)
	}
	ip.drawStrip()
}

// setEnd sets end i and draws the path anew.
func (ip *interpolatePanel) setEnd(i int, r Recipe, caption string) {
	ip.ends[i].recipe, ip.ends[i].caption = &r, caption
	ip.ends[i].thumb.set(nil, caption)
	ip.drawStrip()
}

// drawStrip renders the path between the ends, when both are set.
func (ip *interpolatePanel) drawStrip() {
	p := ip.explore
	s := p.studio
	a, b := ip.ends[0].recipe, ip.ends[1].recipe
	ip.update()
	if p.info == nil || a == nil || b == nil {
		return
	}
	recipes := make([]Recipe, stripFrames)
	for i := range recipes {
		r, err := s.explorer.Between(*a, *b, float64(i)/(stripFrames-1))
		if err != nil {
			ip.message.SetText(err.Error())
			return
		}
		recipes[i] = r
	}
	ip.message.SetText(tr("interpolate.drawing"))
	ip.recipes, ip.images = recipes, nil
	ip.drawing++
	drawing, opened := ip.drawing, p.opened
	s.spawn(func(ctx context.Context) func() {
		images, err := s.explorer.RenderMany(ctx, recipes)
		return func() {
			if drawing != ip.drawing || opened != p.opened {
				return
			}
			if err != nil {
				ip.message.SetText(tr("interpolate.failed", map[string]any{"Error": err.Error()}))
				return
			}
			ip.message.SetText(tr("interpolate.ready"))
			ip.images = images
			for i, t := range ip.strip {
				t.set(images[i], fmt.Sprintf("%.1f", float64(i)/(stripFrames-1)))
			}
			ip.ends[0].thumb.set(images[0], ip.ends[0].caption)
			ip.ends[1].thumb.set(images[stripFrames-1], ip.ends[1].caption)
			ip.update()
		}
	})
}

// scrubbed shows the image at the slider's place on the path, large.
func (ip *interpolatePanel) scrubbed(t float64) {
	ip.scrubValue.SetText(fmt.Sprintf("%.2f", t))
	if ip.moving {
		return
	}
	a, b := ip.ends[0].recipe, ip.ends[1].recipe
	if a == nil || b == nil {
		return
	}
	r, err := ip.explore.studio.explorer.Between(*a, *b, t)
	if err != nil {
		ip.message.SetText(err.Error())
		return
	}
	ip.explore.showRecipe(r)
}

// scrubTo moves the slider to t and shows that image.
func (ip *interpolatePanel) scrubTo(t float64) {
	ip.scrub.SetValue(t)
}

// keep keeps the strip's image i as a favourite.
func (ip *interpolatePanel) keep(i int) {
	if i < len(ip.images) {
		ip.explore.studio.keepFavourite(ip.recipes[i], ip.images[i])
	}
}

// favouritesChanged offers the favourites kept now as ends.
func (ip *interpolatePanel) favouritesChanged(favs []Favourite) {
	ip.moving = true
	defer func() { ip.moving = false }()
	names := favouriteNames(favs)
	for _, e := range ip.ends {
		e.favourite.Options = names
		e.favourite.ClearSelected()
		e.favourite.Refresh()
	}
	ip.update()
}

// update enables what can be done now.
func (ip *interpolatePanel) update() {
	open := ip.explore.info != nil
	ready := open && ip.ends[0].recipe != nil && ip.ends[1].recipe != nil
	for _, e := range ip.ends {
		setEnabled(e.useCurrent, open && ip.explore.recipe.Latent != nil)
		setEnabled(e.favourite, open && len(e.favourite.Options) > 0)
		setEnabled(e.seed, open)
	}
	setEnabled(ip.scrub, ready)
	setEnabled(ip.export, ready)
}

// exportGIF writes the path as an animated GIF.
func (ip *interpolatePanel) exportGIF() {
	a, b := ip.ends[0].recipe, ip.ends[1].recipe
	if a == nil || b == nil {
		return
	}
	s := ip.explore.studio
	ends := [2]Recipe{a.clone(), b.clone()}
	s.exportAnimation(tr("interpolate.export_title"), "ganvas-path.gif", true,
		func(ctx context.Context, path string, anim Animation) error {
			return s.explorer.ExportPath(ctx, path, ends[0], ends[1], anim)
		})
}

// describeRecipe names where a recipe came from, for a caption.
func describeRecipe(r Recipe) string {
	if r.Seed == NoSeed {
		return tr("recipe.mixed")
	}
	return tr("recipe.seed", map[string]any{"Seed": strconv.FormatInt(r.Seed, 10)})
}
