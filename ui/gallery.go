package ui

import (
	"context"
	"fmt"
	"image"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// galleryThumbSize is the side of a favourite's picture in the gallery: the
// size of the thumbnails the favourites store keeps.
const galleryThumbSize = 128

// galleryPanel is the Favourites tab: the favourites of the run explored,
// as thumbnails a person selects (a tap toggles one) to open, rename,
// delete or export. A double tap opens one in the explorer.
type galleryPanel struct {
	studio *Studio

	favs     []Favourite     // the run's favourites, oldest first
	selected map[string]bool // by ID
	loading  int             // counts reloads, so only the newest shows

	grid       *widget.GridWrap
	empty      *widget.Label
	count      *widget.Label
	status     *widget.Label
	selectAll  *widget.Button
	selectNone *widget.Button
	open       *widget.Button
	rename     *widget.Button
	remove     *widget.Button
	exportPNG  *widget.Button
	exportGrid *widget.Button
	content    fyne.CanvasObject
}

func newGalleryPanel(s *Studio) *galleryPanel {
	g := &galleryPanel{
		studio:   s,
		selected: map[string]bool{},
		empty:    widget.NewLabel(tr("favourites.empty")),
		count:    widget.NewLabel(""),
		status:   widget.NewLabel(""),
	}
	g.empty.Alignment = fyne.TextAlignCenter
	g.empty.Wrapping = fyne.TextWrapWord
	g.empty.Importance = widget.LowImportance
	g.status.Truncation = fyne.TextTruncateEllipsis
	g.status.SetText(tr("favourites.hint"))

	g.grid = widget.NewGridWrap(
		func() int { return len(g.favs) },
		func() fyne.CanvasObject { return newDoubleTapThumbnail(galleryThumbSize) },
		g.updateItem,
	)
	g.selectAll = widget.NewButton(tr("favourites.select_all"), g.chooseAll)
	g.selectNone = widget.NewButton(tr("favourites.select_none"), g.chooseNone)
	g.open = widget.NewButtonWithIcon(tr("favourites.open"), theme.VisibilityIcon(), g.openSelected)
	g.rename = widget.NewButtonWithIcon(tr("favourites.rename"), theme.DocumentCreateIcon(), g.renameSelected)
	g.remove = widget.NewButtonWithIcon(tr("favourites.delete"), theme.DeleteIcon(), g.removeSelected)
	g.remove.Importance = widget.DangerImportance
	g.exportPNG = widget.NewButtonWithIcon(tr("favourites.export_png"), theme.DocumentSaveIcon(), g.exportOne)
	g.exportGrid = widget.NewButtonWithIcon(tr("favourites.export_grid"), theme.GridIcon(), g.exportSelected)

	bar := container.NewHBox(g.selectAll, g.selectNone, widget.NewSeparator(),
		g.open, g.rename, g.remove, widget.NewSeparator(), g.exportPNG, g.exportGrid,
		layout.NewSpacer(), g.count)
	empty := container.NewVBox(layout.NewSpacer(), g.empty, layout.NewSpacer())
	g.content = container.NewBorder(container.NewVBox(bar, widget.NewSeparator()), g.status,
		nil, nil, container.NewStack(g.grid, empty))
	return g
}

// updateItem shows favourite id in a gallery cell.
func (g *galleryPanel) updateItem(id widget.GridWrapItemID, item fyne.CanvasObject) {
	if id >= len(g.favs) {
		return
	}
	f := g.favs[id]
	t := item.(*doubleTapThumbnail)
	t.OnTapped = func() { g.toggle(f.ID) }
	t.OnDoubleTapped = func() { g.openFavourite(f) }
	t.set(f.Thumbnail, favouriteName(f))
	t.setSelected(g.selected[f.ID])
}

// clear forgets the favourites, for another run.
func (g *galleryPanel) clear() {
	g.loading++
	g.show(nil)
}

// reload reads the favourites of the run open in the explorer.
func (g *galleryPanel) reload() {
	s := g.studio
	if s.explore.info == nil {
		return
	}
	g.loading++
	loading, opened := g.loading, s.explore.opened
	s.spawn(func(ctx context.Context) func() {
		favs, err := s.explorer.Favourites(ctx)
		return func() {
			if loading != g.loading || opened != s.explore.opened {
				return
			}
			if err != nil {
				g.status.SetText(tr("favourites.read_failed", map[string]any{"Error": err.Error()}))
				return
			}
			g.show(favs)
		}
	})
}

// show puts favs in the gallery and offers them to the other panels,
// keeping the selection of those still there.
func (g *galleryPanel) show(favs []Favourite) {
	old := g.favs
	g.favs = favs
	kept := map[string]bool{}
	for _, f := range favs {
		if g.selected[f.ID] {
			kept[f.ID] = true
		}
	}
	g.selected = kept
	g.grid.Refresh()
	g.studio.explore.interp.favouritesChanged(favs)
	g.studio.explore.breed.favouritesChanged(old, favs)
	g.update()
}

func (g *galleryPanel) toggle(id string) {
	if g.selected[id] {
		delete(g.selected, id)
	} else {
		g.selected[id] = true
	}
	g.grid.Refresh()
	g.update()
}

func (g *galleryPanel) chooseAll() {
	for _, f := range g.favs {
		g.selected[f.ID] = true
	}
	g.grid.Refresh()
	g.update()
}

func (g *galleryPanel) chooseNone() {
	clear(g.selected)
	g.grid.Refresh()
	g.update()
}

// selection returns the selected favourites, oldest first.
func (g *galleryPanel) selection() []Favourite {
	var out []Favourite
	for _, f := range g.favs {
		if g.selected[f.ID] {
			out = append(out, f)
		}
	}
	return out
}

// update enables what can be done with the selection and counts it.
func (g *galleryPanel) update() {
	n := len(g.selection())
	open := g.studio.explore.info != nil
	g.empty.Hidden = len(g.favs) > 0
	if !open && g.studio.explore.dir == "" {
		setLabel(g.empty, tr("explore.no_run"))
	} else {
		setLabel(g.empty, tr("favourites.empty"))
	}
	g.empty.Refresh()
	setEnabled(g.selectAll, len(g.favs) > 0 && n < len(g.favs))
	setEnabled(g.selectNone, n > 0)
	setEnabled(g.open, open && n == 1)
	setEnabled(g.rename, open && n == 1)
	setEnabled(g.remove, open && n > 0)
	setEnabled(g.exportPNG, open && n == 1)
	setEnabled(g.exportGrid, open && n > 0)
	if len(g.favs) == 0 {
		setLabel(g.count, "")
	} else {
		setLabel(g.count, tr("favourites.count", map[string]any{"Selected": n, "Count": len(g.favs)}))
	}
}

// openSelected opens the one selected favourite in the explorer.
func (g *galleryPanel) openSelected() {
	if sel := g.selection(); len(sel) == 1 {
		g.openFavourite(sel[0])
	}
}

// openFavourite shows f in the explorer and turns to its tab.
func (g *galleryPanel) openFavourite(f Favourite) {
	s := g.studio
	if s.explore.info == nil {
		return
	}
	s.explore.showRecipe(f.Recipe)
	s.tabs.Select(s.exploreTab)
	if f.Step != s.explore.info.Step {
		s.explore.status.SetText(tr("favourites.other_step", map[string]any{
			"Step": f.Step, "Now": s.explore.info.Step}))
	}
}

// renameSelected asks for a new name for the one selected favourite.
func (g *galleryPanel) renameSelected() {
	sel := g.selection()
	if len(sel) != 1 {
		return
	}
	s := g.studio
	f := sel[0]
	entry := widget.NewEntry()
	entry.SetText(f.Name)
	entry.SetPlaceHolder(tr("favourites.name_placeholder"))
	items := []*widget.FormItem{widget.NewFormItem(tr("favourites.name"), entry)}
	d := dialog.NewForm(tr("favourites.rename_title"), tr("favourites.rename_confirm"),
		tr("dialog.cancel"), items, func(ok bool) {
			if !ok {
				return
			}
			name := entry.Text
			s.spawn(func(context.Context) func() {
				err := s.explorer.RenameFavourite(f.ID, name)
				return func() {
					if err != nil {
						s.showError(tr("error.rename_title"), err)
					}
					g.reload()
				}
			})
		}, s.window)
	d.Resize(fyne.NewSize(420, 0))
	d.Show()
	s.window.Canvas().Focus(entry)
}

// removeSelected deletes the selected favourites once the person confirms.
func (g *galleryPanel) removeSelected() {
	sel := g.selection()
	if len(sel) == 0 {
		return
	}
	s := g.studio
	ids := make([]string, len(sel))
	for i, f := range sel {
		ids[i] = f.ID
	}
	confirm := dialog.NewConfirm(tr("favourites.delete_title"), trn("favourites.delete_text", len(ids)),
		func(ok bool) {
			if !ok {
				return
			}
			s.spawn(func(context.Context) func() {
				err := s.explorer.RemoveFavourites(ids)
				return func() {
					if err != nil {
						s.showError(tr("error.delete_title"), err)
					} else {
						g.status.SetText(trn("favourites.deleted", len(ids)))
					}
					g.reload()
				}
			})
		}, s.window)
	confirm.SetConfirmText(tr("favourites.delete"))
	confirm.SetDismissText(tr("dialog.cancel"))
	confirm.Show()
}

// exportOne exports the one selected favourite as a PNG.
func (g *galleryPanel) exportOne() {
	sel := g.selection()
	if len(sel) != 1 {
		return
	}
	s, id := g.studio, sel[0].ID
	s.exportPNG("ganvas-"+fileName(favouriteName(sel[0]))+".png",
		func(ctx context.Context, path string, scale int, smooth bool) error {
			return s.explorer.ExportFavourite(ctx, path, id, scale, smooth)
		})
}

// exportSelected exports the selected favourites as one PNG grid.
func (g *galleryPanel) exportSelected() {
	sel := g.selection()
	if len(sel) == 0 {
		return
	}
	s := g.studio
	ids := make([]string, len(sel))
	for i, f := range sel {
		ids[i] = f.ID
	}
	s.chooseSavePath("ganvas-favourites.png", ".png", func(path string) {
		s.runExport(path, func(ctx context.Context) error {
			return s.explorer.ExportGrid(ctx, path, ids)
		})
	})
}

// keepFavourite keeps r, whose image is img (nil when not drawn yet), as a
// favourite of the run explored, and says so.
func (s *Studio) keepFavourite(r Recipe, img image.Image) {
	if s.explore.info == nil {
		return
	}
	r = r.clone()
	opened := s.explore.opened
	s.spawn(func(context.Context) func() {
		f, err := s.explorer.AddFavourite(r, img)
		return func() {
			if err != nil {
				s.showError(tr("error.keep_title"), err)
				return
			}
			s.notify(tr("favourites.kept", map[string]any{"Step": f.Step}))
			if opened == s.explore.opened {
				s.gallery.reload()
			}
		}
	})
}

// favouriteName is what a favourite is called in the window: its name, or
// its step when it has none.
func favouriteName(f Favourite) string {
	if f.Name != "" {
		return f.Name
	}
	return tr("favourites.untitled", map[string]any{"Step": f.Step, "Time": f.Created.Local().Format("15:04:05")})
}

// favouriteNames names each favourite, for a choice of them.
func favouriteNames(favs []Favourite) []string {
	names := make([]string, len(favs))
	for i, f := range favs {
		names[i] = fmt.Sprintf("%d · %s", i+1, favouriteName(f))
	}
	return slices.Clip(names)
}
