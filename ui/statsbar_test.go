package ui

import (
	"testing"
	"time"
)

func TestTimeLeft(t *testing.T) {
	tests := []struct {
		name  string
		p     Progress
		batch int
		want  time.Duration
		ok    bool
	}{
		{"no budget", Progress{Step: 10, ImagesPerSec: 100}, 64, 0, false},
		{"budget reached", Progress{Step: 10, Steps: 10, ImagesPerSec: 100}, 64, 0, false},
		{"from speed", Progress{Step: 100, Steps: 200, ImagesPerSec: 64}, 64, 100 * time.Second, true},
		{"from average", Progress{Step: 50, Steps: 150, Elapsed: time.Minute}, 0, 2 * time.Minute, true},
		{"nothing known", Progress{Step: 0, Steps: 150}, 64, 0, false},
	}
	for _, tt := range tests {
		got, ok := timeLeft(tt.p, tt.batch)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: timeLeft = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0:00"},
		{59*time.Second + 600*time.Millisecond, "1:00"},
		{12*time.Minute + 5*time.Second, "12:05"},
		{3*time.Hour + 2*time.Minute + 1*time.Second, "3:02:01"},
	}
	for _, tt := range tests {
		if got := formatDuration(tt.d); got != tt.want {
			t.Errorf("formatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestFormatRate(t *testing.T) {
	for v, want := range map[float64]string{0.5: "0.50", 12.34: "12.3", 640.4: "640"} {
		if got := formatRate(v); got != want {
			t.Errorf("formatRate(%g) = %q, want %q", v, got, want)
		}
	}
}
