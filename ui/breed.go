package ui

import (
	"context"
	"fmt"
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// litterSize is how many children one press of Breed makes.
const litterSize = 8

// defaultVariation keeps a family likeness without making twins.
const defaultVariation = 0.3

// breedPanel makes children of two favourites: a litter of images that mix
// their parents, each of which can be opened in the explorer or kept.
type breedPanel struct {
	explore *explorePanel

	parents   [2]*widget.Select
	previews  [2]*canvas.Image
	variation *widget.Slider
	varValue  *widget.Label
	breed     *widget.Button
	message   *widget.Label
	children  []*thumbnail
	content   fyne.CanvasObject

	recipes []Recipe      // the litter shown
	images  []image.Image // its images, once drawn
	litter  int64         // numbers litters, so each press gives new children
	drawing int           // counts litters, so only the newest shows
	moving  bool          // the panel is setting its widgets, not a person
}

func newBreedPanel(p *explorePanel) *breedPanel {
	b := &breedPanel{
		explore:   p,
		variation: widget.NewSlider(0, 1),
		varValue:  widget.NewLabel(fmt.Sprintf("%.2f", defaultVariation)),
		message:   widget.NewLabel(tr("breed.need_two")),
	}
	b.message.Wrapping = fyne.TextWrapWord
	b.message.Importance = widget.LowImportance
	b.variation.Step = 0.05
	b.variation.SetValue(defaultVariation)
	b.variation.OnChanged = func(v float64) { b.varValue.SetText(fmt.Sprintf("%.2f", v)) }
	b.breed = widget.NewButton(tr("breed.button"), b.makeLitter)
	b.breed.Importance = widget.HighImportance
	for i := range b.parents {
		b.parents[i] = widget.NewSelect(nil, func(string) {
			b.showParent(i)
			if !b.moving {
				b.update()
			}
		})
		b.parents[i].PlaceHolder = tr("breed.choose_parent")
		b.previews[i] = &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScalePixels}
		b.previews[i].SetMinSize(fyne.NewSquareSize(36))
	}

	grid := container.NewGridWithColumns(litterSize / 2)
	for i := range litterSize {
		t := newThumbnail(80)
		t.OnTapped = func() { b.open(i) }
		t.OnKeep = func() { b.keep(i) }
		b.children = append(b.children, t)
		grid.Add(t)
	}
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(tr("breed.first_parent")), container.NewBorder(nil, nil, b.previews[0], nil, b.parents[0]),
		widget.NewLabel(tr("breed.second_parent")), container.NewBorder(nil, nil, b.previews[1], nil, b.parents[1]),
		widget.NewLabel(tr("breed.variation")),
		container.NewBorder(nil, nil, nil, b.varValue, b.variation),
	)
	hint := widget.NewLabel(tr("breed.children_hint"))
	hint.Importance = widget.LowImportance
	hint.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(b.message, form, container.NewHBox(b.breed), grid, hint)
	b.content = container.NewVScroll(body)
	return b
}

// clear forgets the litter, for another run or checkpoint.
func (b *breedPanel) clear() {
	b.drawing++
	b.recipes, b.images = nil, nil
	for _, t := range b.children {
		t.set(nil, "")
	}
}

// favouritesChanged offers the favourites kept now as parents, keeping the
// parents chosen when they are still there. With none chosen yet, the two
// newest favourites are.
func (b *breedPanel) favouritesChanged(old, favs []Favourite) {
	b.moving = true
	defer func() { b.moving = false }()
	names := favouriteNames(favs)
	chosen := 0
	for i, sel := range b.parents {
		id := ""
		if k := sel.SelectedIndex(); k >= 0 && k < len(old) {
			id = old[k].ID
		}
		sel.Options = names
		sel.ClearSelected()
		for k, f := range favs {
			if f.ID == id {
				sel.SetSelectedIndex(k)
				chosen++
			}
		}
		sel.Refresh()
		b.showParent(i)
	}
	if chosen == 0 && len(favs) >= 2 {
		b.parents[0].SetSelectedIndex(len(favs) - 2)
		b.parents[1].SetSelectedIndex(len(favs) - 1)
	}
	b.update()
}

// showParent shows parent i's thumbnail beside its choice.
func (b *breedPanel) showParent(i int) {
	var img image.Image
	favs := b.explore.studio.gallery.favs
	if k := b.parents[i].SelectedIndex(); k >= 0 && k < len(favs) {
		img = favs[k].Thumbnail
	}
	b.previews[i].Image = img
	b.previews[i].Refresh()
}

// parentRecipes returns the chosen parents' recipes, and false until both
// are chosen.
func (b *breedPanel) parentRecipes() (Recipe, Recipe, bool) {
	favs := b.explore.studio.gallery.favs
	i, j := b.parents[0].SelectedIndex(), b.parents[1].SelectedIndex()
	if i < 0 || j < 0 || i >= len(favs) || j >= len(favs) {
		return Recipe{}, Recipe{}, false
	}
	return favs[i].Recipe, favs[j].Recipe, true
}

// makeLitter breeds the parents and draws the children.
func (b *breedPanel) makeLitter() {
	p := b.explore
	s := p.studio
	mother, father, ok := b.parentRecipes()
	if !ok || p.info == nil {
		return
	}
	b.litter++
	recipes, err := s.explorer.Breed(mother, father, litterSize, b.variation.Value, b.litter)
	if err != nil {
		b.message.SetText(err.Error())
		return
	}
	b.message.SetText(tr("breed.drawing"))
	b.drawing++
	drawing, opened := b.drawing, p.opened
	s.spawn(func(ctx context.Context) func() {
		images, err := s.explorer.RenderMany(ctx, recipes)
		return func() {
			if drawing != b.drawing || opened != p.opened {
				return
			}
			if err != nil {
				b.message.SetText(tr("breed.failed", map[string]any{"Error": err.Error()}))
				return
			}
			b.message.SetText(tr("breed.ready"))
			b.recipes, b.images = recipes, images
			for i, t := range b.children {
				t.set(images[i], tr("breed.child", map[string]any{"Index": i + 1}))
			}
		}
	})
}

// open shows child i in the explorer.
func (b *breedPanel) open(i int) {
	if i < len(b.images) {
		b.explore.showRecipe(b.recipes[i])
	}
}

// keep keeps child i as a favourite.
func (b *breedPanel) keep(i int) {
	if i < len(b.images) {
		b.explore.studio.keepFavourite(b.recipes[i], b.images[i])
	}
}

// update enables Breed once two parents are chosen, and says what is
// missing otherwise.
func (b *breedPanel) update() {
	open := b.explore.info != nil
	favs := len(b.parents[0].Options)
	for _, sel := range b.parents {
		setEnabled(sel, open && favs > 0)
	}
	_, _, ok := b.parentRecipes()
	setEnabled(b.breed, open && ok)
	setEnabled(b.variation, open)
	switch {
	case !open:
	case favs < 2 && b.images == nil:
		b.message.SetText(tr("breed.need_two"))
	case !ok && b.images == nil:
		b.message.SetText(tr("breed.choose"))
	}
}
