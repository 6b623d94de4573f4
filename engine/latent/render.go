package latent

import (
	"context"
	"fmt"
	"image"
)

// Render generates one image per latent through gen, batch latents at a time,
// and returns them in order. It stops between batches when ctx is done and
// returns ctx.Err(). A batch of 0 or less means all latents at once.
func Render(ctx context.Context, gen GenerateFunc, latents [][]float32,
	batch int) ([]image.Image, error) {
	if batch <= 0 {
		batch = max(len(latents), 1)
	}

	images := make([]image.Image, 0, len(latents))
	for start := 0; start < len(latents); start += batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		end := min(start+batch, len(latents))
		got, err := gen(latents[start:end])
		if err != nil {
			return nil, fmt.Errorf("latent: render latents %d to %d: %w", start, end-1, err)
		}
		if len(got) != end-start {
			return nil, fmt.Errorf("latent: render latents %d to %d: %d images for %d latents",
				start, end-1, len(got), end-start)
		}
		images = append(images, got...)
	}
	return images, nil
}
