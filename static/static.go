// Package static embeds the CSS, JavaScript and images served under /static.
// vendor/ is filled from npm by the build (make assets): the State design
// system (DSFR) and htmx.
package static

import "embed"

// FS holds the static files.
//
//go:embed *
var FS embed.FS
