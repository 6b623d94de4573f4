package ui

import (
	"image"
)

// renderRequest asks for the explorer's large image. opened is the
// explorer's open count when it was asked, so an answer for a checkpoint
// that has since been replaced is dropped; seq numbers the requests.
type renderRequest struct {
	recipe Recipe
	opened int
	seq    int
}

// renderLoop draws the explorer's large image on a goroutine of its own, so
// dragging a slider never waits for the generator. Requests are latest-wins:
// the mailbox holds one, and a request replaces one not yet taken, so
// however fast a slider moves, the generator runs at most once for the
// request it is busy with and once for the newest.
//
// The loop is owned by the studio: it runs until the studio's context ends,
// and the studio's worker group waits for it on close.
type renderLoop struct {
	mailbox chan renderRequest
}

func newRenderLoop() *renderLoop {
	return &renderLoop{mailbox: make(chan renderRequest, 1)}
}

// request posts r, replacing a request still waiting. It must only be
// called from the main goroutine, the mailbox's only sender.
func (l *renderLoop) request(r renderRequest) {
	r.recipe = r.recipe.clone()
	for {
		select {
		case l.mailbox <- r:
			return
		default:
		}
		// Full: take the stale request out. The loop may take it first, in
		// which case there is nothing to take and the send succeeds next.
		select {
		case <-l.mailbox:
		default:
		}
	}
}

// run renders requests until the studio closes, handing each image to
// show on the main goroutine.
func (l *renderLoop) run(s *Studio, show func(r renderRequest, img image.Image, err error)) {
	defer s.workers.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case r := <-l.mailbox:
			img, err := s.explorer.Render(r.recipe)
			if s.ctx.Err() != nil {
				return
			}
			s.do(func() {
				if s.ctx.Err() == nil {
					show(r, img, err)
				}
			})
		}
	}
}
