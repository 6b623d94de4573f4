package ui

import (
	"math"
	"strconv"
	"testing"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		text string
		want float64
		ok   bool
	}{
		{"0.0002", 2e-4, true},
		{" 2e-4 ", 2e-4, true},
		{"0.5", 0.5, true},
		{"0", 0, false},
		{"1", 0, false},
		{"-0.1", 0, false},
		{"NaN", 0, false},
		{"fast", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := parseRate(tt.text)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseRate(%q) = %g, %v; want %g, ok %v", tt.text, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseSteps(t *testing.T) {
	tests := []struct {
		text string
		want int
		ok   bool
	}{
		{"5000", 5000, true},
		{" 0 ", 0, true},
		{"-1", 0, false},
		{"1e3", 0, false},
		{"12.5", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := parseSteps(tt.text)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSteps(%q) = %d, %v; want %d, ok %v", tt.text, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzParseRate checks that whatever a person types, a rate is either
// refused in words or lies strictly between 0 and 1.
func FuzzParseRate(f *testing.F) {
	for _, seed := range []string{"0.0002", "2e-4", "1", "-0", "Inf", "0x1p-3", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rate, err := parseRate(text)
		if err != nil {
			if err.Error() == "" {
				t.Error("refused without a reason")
			}
			return
		}
		if !(rate > 0 && rate < 1) || math.IsNaN(rate) {
			t.Errorf("parseRate(%q) accepted %g", text, rate)
		}
	})
}

// FuzzParseSteps checks that an accepted step budget is a whole number of
// steps that is not negative and reads back the same.
func FuzzParseSteps(f *testing.F) {
	for _, seed := range []string{"0", "5000", "-3", "+7", "007", " 12 ", "9999999999999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		steps, err := parseSteps(text)
		if err != nil {
			return
		}
		if steps < 0 {
			t.Errorf("parseSteps(%q) accepted %d", text, steps)
		}
		if again, err := parseSteps(strconv.Itoa(steps)); err != nil || again != steps {
			t.Errorf("%d does not read back: %d, %v", steps, again, err)
		}
	})
}
