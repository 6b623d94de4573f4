package engine

import (
	"fmt"

	"ganvas/engine/dataset"
)

// MinClassImages is the fewest images every class needs before a folder
// trains one class per subfolder. A class of a handful of images gives the
// generator almost nothing to vary, and a folder with a stray subfolder (or
// a few loose images beside its subfolders) is better learned as one
// style.
const MinClassImages = 10

// TrainedClasses returns the classes a conditional run trains on d: d's
// classes when it has two or more and each holds at least MinClassImages
// images, else nil. why says, in words for the person, why a folder with
// subfolders is trained as one style; it is empty when there is nothing to
// explain.
func TrainedClasses(d *dataset.Dataset) (classes []string, why string) {
	if len(d.Classes) < 2 {
		return nil, ""
	}
	count := make([]int, len(d.Classes))
	for _, c := range d.Labels {
		count[c]++
	}
	for i, n := range count {
		if n < MinClassImages {
			return nil, fmt.Sprintf("%q holds only %s, fewer than the %d a class needs: "+
				"the folder is learned as one style, not one class per subfolder.",
				d.Classes[i], images(n), MinClassImages)
		}
	}
	return d.Classes, ""
}

func images(n int) string {
	if n == 1 {
		return "1 image"
	}
	return fmt.Sprintf("%d images", n)
}
