// Package ui is the ganvas studio: the Fyne window in which a person picks a
// style folder, trains a GAN on it and watches it learn.
//
// The package knows nothing of the training engine. It drives training through
// the Backend interface and learns what happens from the Update values the
// backend sends on its channel; the app package adapts the engine to both.
//
// Threading: every Fyne call happens on the Fyne main goroutine. The studio
// owns one listener goroutine that drains Backend.Updates, coalesces what it
// reads (progress is batched, sample grids are latest-wins) and applies each
// batch inside fyne.Do at most about 60 times a second. Slow backend calls
// (scanning a folder, starting, stopping, reading an old run) run on short-lived
// worker goroutines that also hand their results back through fyne.Do, so the
// window never waits on the backend.
//
// With an Explorer in Options, the studio also has Explore and Favourites
// tabs. The explorer's large image is drawn by one render goroutine fed
// through a mailbox of one, latest request wins, so a slider dragged fast
// costs at most one image behind; everything else the tabs ask of the
// Explorer runs on worker goroutines like the backend's calls.
//
// Start the studio with Run, or with NewStudio when the caller wants the
// window before it is shown.
package ui
