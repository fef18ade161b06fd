package frtime

import (
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	tests := []struct {
		at             time.Time
		date, dateTime string
	}{
		{time.Date(2026, 11, 23, 13, 5, 0, 0, time.UTC), "23 novembre 2026", "23 novembre 2026 à 14 h 05"},
		{time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC), "1er décembre 2026", "1er décembre 2026 à 0 h 30"},
		{time.Date(2027, 7, 14, 8, 0, 0, 0, time.UTC), "14 juillet 2027", "14 juillet 2027 à 10 h 00"}, // summer time
	}
	for _, tt := range tests {
		if got := Date(tt.at); got != tt.date {
			t.Errorf("Date(%v) = %q, want %q", tt.at, got, tt.date)
		}
		if got := DateTime(tt.at); got != tt.dateTime {
			t.Errorf("DateTime(%v) = %q, want %q", tt.at, got, tt.dateTime)
		}
	}
}
