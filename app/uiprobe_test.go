package app

import (
	"testing"
	"time"
)

func TestQuantile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		values []time.Duration
		q      float64
		want   time.Duration
	}{
		{ms(7), 0.5, 7 * time.Millisecond},
		{ms(7), 0.95, 7 * time.Millisecond},
		{ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{ms(1, 2, 3, 4, 5), 0.5, 3 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20), 0.95, 19 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21), 0.95, 20 * time.Millisecond},
		{ms(1, 2, 3), 0, 1 * time.Millisecond},
		{ms(1, 2, 3), 1, 3 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := quantile(tt.values, tt.q); got != tt.want {
			t.Errorf("quantile(%v, %v) = %v, want %v", tt.values, tt.q, got, tt.want)
		}
	}
}

func TestSummariseWaits(t *testing.T) {
	waits := []time.Duration{40 * time.Millisecond, 2 * time.Millisecond, time.Millisecond, 3 * time.Millisecond}
	want := "4 turns of the main goroutine waited: median 2.0 ms, p95 40.0 ms, max 40.0 ms"
	if got := summariseWaits(waits); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if waits[0] != 40*time.Millisecond {
		t.Error("summariseWaits sorted its argument in place")
	}
	if got := summariseWaits(nil); got != "the main goroutine was never asked for a turn" {
		t.Errorf("with no waits: %q", got)
	}
}
