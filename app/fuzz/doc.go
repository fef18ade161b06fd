// Package fuzz holds the fuzz targets (go test -fuzz) of what reads or shows
// text typed by anyone: the body renderer, the list filter parser and the
// decoders of the contribution, argument, report and moderation forms.
//
// They live here, away from the packages whose tests start PostgreSQL, so
// that every fuzzing worker starts at once. `make fuzz` runs each briefly;
// the seed corpora (f.Add and testdata/fuzz) run with every `go test`.
// The target that posts to every form route of the site, which needs
// PostgreSQL, is app/web's FuzzFormRoutes.
package fuzz
