// Package static embeds the files served under /static. css/ and js/ are the
// platform's own sources; dist/ is built from them and from npm (the State
// design system, DSFR, and htmx) by make assets (tools/assets): fingerprinted,
// precompressed, with a manifest. Only dist/ is served.
package static

import "embed"

// FS holds the static files.
//
//go:embed *
var FS embed.FS
