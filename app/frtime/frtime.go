// Package frtime formats times as French readers expect them, in Paris time:
// "1er décembre 2026", "23 novembre 2026 à 14 h 05".
package frtime

import (
	"strconv"
	"time"
)

// Paris is the time zone of every date shown or parsed by the platform.
var Paris = loadParis()

func loadParis() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

var months = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// Date formats t as "23 novembre 2026" (the first of a month as "1er").
func Date(t time.Time) string {
	t = t.In(Paris)
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return day + " " + months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// DateTime formats t as "23 novembre 2026 à 14 h 05".
func DateTime(t time.Time) string {
	t = t.In(Paris)
	m := strconv.Itoa(t.Minute())
	if len(m) == 1 {
		m = "0" + m
	}
	return Date(t) + " à " + strconv.Itoa(t.Hour()) + " h " + m
}
