// Package views embeds the html/template files: layout.html, partials/ shared by
// every page, and one folder per area with one file per page.
package views

import "embed"

// FS holds the templates.
//
//go:embed *.html */*.html
var FS embed.FS
