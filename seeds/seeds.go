// Package seeds embeds the reference data of the real concertation: the
// consultation with its axes, questions and entries, the French régions and
// départements, and the Hubs. app/seed loads them.
package seeds

import "embed"

// FS holds the seed files.
//
//go:embed *.json *.csv
var FS embed.FS
