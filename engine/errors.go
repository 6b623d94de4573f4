package engine

import "errors"

// ErrDiverged reports that a training step produced a loss that is not a
// finite number: the networks have diverged.
var ErrDiverged = errors.New("engine: training diverged (the loss is not a finite number)")
