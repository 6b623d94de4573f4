package run

import (
	"errors"
	"testing"
)

func TestKeptCheckpointSurvivesPruning(t *testing.T) {
	d, err := Create(t.TempDir(), map[string]int{"width": 8})
	if err != nil {
		t.Fatal(err)
	}
	save := func(step int) {
		c := &Checkpoint{Step: step, Tensors: map[string]Tensor{
			"w": {Shape: []int{2}, Data: []float32{float32(step), 1}}}}
		if _, err := d.SaveCheckpoint(c); err != nil {
			t.Fatal(err)
		}
	}
	save(10)
	if _, err := d.KeepCheckpoint(10); err != nil {
		t.Fatal(err)
	}
	if _, err := d.KeepCheckpoint(10); err != nil {
		t.Fatalf("keeping twice: %v", err)
	}
	for _, s := range []int{20, 30, 40} {
		save(s)
	}
	files, _ := d.ListCheckpoints()
	if len(files) != 2 || files[0].Step != 30 {
		t.Fatalf("pruning kept %v, want steps 30 and 40", files)
	}
	c, err := d.CheckpointAt(10)
	if err != nil || c.Tensors["w"].Data[0] != 10 {
		t.Fatalf("the kept step 10 reads back as %v, %v", c, err)
	}
	if c, err := d.CheckpointAt(40); err != nil || c.Step != 40 {
		t.Fatalf("step 40: %v, %v", c, err)
	}
	if _, err := d.CheckpointAt(20); !errors.Is(err, ErrStepGone) {
		t.Fatalf("pruned step 20 gave %v, want ErrStepGone", err)
	}
	if _, err := d.KeepCheckpoint(20); !errors.Is(err, ErrStepGone) {
		t.Fatalf("keeping pruned step 20 gave %v, want ErrStepGone", err)
	}
}
