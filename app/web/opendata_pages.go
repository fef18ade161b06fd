package web

import (
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/gofiber/fiber/v2"
)

const tplOpenData = "opendata/index"

type openDataPage struct {
	Page
	Files       []link
	Bundles     []link
	Licence     string
	LicenceURL  string
	Version     string
	Definitions []synthesis.Column
	Notes       []string // line breaks, formulas, missing values, dates
	Refresh     string   // how often the files are written again ("10 minutes"), "" when at every download
}

// openData presents the public dataset and its licence.
func (s *Server) openData(c *fiber.Ctx) error {
	p, err := s.page(c, "Données ouvertes")
	if err != nil {
		return err
	}
	data := openDataPage{Page: p, Licence: synthesis.LicenceName, LicenceURL: synthesis.LicenceURL, Version: synthesis.SchemaVersion,
		Definitions: synthesis.ContributionColumns(true),
		Notes:       []string{synthesis.NoteNewlines, synthesis.NoteFormula, synthesis.NoteNull, synthesis.NoteDatetime}}
	if s.openFiles != nil {
		data.Refresh = durationFrench(s.Config.OpenDataTTL)
	}
	data.Bundles = []link{
		{"Archive CSV (.zip)", "/donnees/donnees-csv.zip", "contributions, soutiens, réactions, arguments et datapackage.json ; les pseudonymes des auteurs sont communs aux fichiers ; ceux des personnes qui soutiennent sont distincts, et les propositions des Hubs n'ont pas de pseudonyme d'auteur"},
		{"Archive JSON Lines (.zip)", "/donnees/donnees-json.zip", "les mêmes fichiers au format JSON Lines, avec leur datapackage.json"},
	}
	for _, t := range []struct{ name, label string }{{"contributions", "Contributions"}, {"soutiens", "Soutiens"}, {"reactions", "Réactions aux propositions des Hubs"}, {"arguments", "Arguments"}} {
		data.Files = append(data.Files,
			link{t.label + " (CSV)", "/donnees/" + t.name + ".csv", ""},
			link{t.label + " (JSON Lines)", "/donnees/" + t.name + ".jsonl", ""})
	}
	data.Files = append(data.Files, link{"Description des fichiers CSV (datapackage.json)", "/donnees/datapackage.json", ""})
	return s.render.Render(c, http.StatusOK, tplOpenData, data)
}

// limitOpenData is the rule (ratelimit.DefaultRules, overridable by
// RATE_LIMITS) of the open-data downloads, counted per address.
const limitOpenData = "opendata:ip"

var openDataBundles = map[string]synthesis.Format{
	"donnees-csv.zip":  synthesis.FormatCSV,
	"donnees-json.zip": synthesis.FormatJSONL,
}

// openDataFile streams one file of the public dataset: published
// contributions only, authors as pseudonyms, no rapporteur mark.
func (s *Server) openDataFile(c *fiber.Ctx) error {
	name := c.Params("file")
	refs, err := s.Synthesis.LoadRefs(c.UserContext())
	if err != nil {
		return err
	}
	f := synthesis.ParseFilter(nil, refs, true)
	if name == "datapackage.json" {
		c.Set(fiber.HeaderContentType, "application/json; charset=utf-8")
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
		return s.Synthesis.WriteDatapackage(c, refs, f, synthesis.FormatCSV, "")
	}
	file, ok := exportFiles[name]
	if format, isBundle := openDataBundles[name]; isBundle {
		file, ok = exportFile{"", format}, true
	}
	if !ok || file.format == synthesis.FormatExcelCSV || file.format == synthesis.FormatXLSX || file.format == synthesis.FormatODS {
		return fiber.ErrNotFound
	}
	// Each download streams the whole dataset: limited per address. It is
	// public data, so an anonymous download is not written to the audit
	// journal (floods would bury it); a signed-in viewer's still is.
	if err := s.limit(c, limitOpenData, c.IP()); err != nil {
		return err
	}
	if v := viewer(c); v != nil {
		if err := s.audit(c.UserContext(), v, moderation.AuditExport, "donnees/"+name, refs, f); err != nil {
			return err
		}
	}
	if s.openFiles == nil {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return s.writeExport(c, "concertation-donnees", name, file, refs, f)
	}
	contentType, write := s.exportWriter(file, refs, f)
	path, written, size, err := s.openFiles.get(c.UserContext(), name, write)
	if err != nil {
		return err
	}
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+exportName("concertation-donnees", f.FileSlug(refs), written.In(paris).Format("2006-01-02"), name)+`"`)
	c.Set(fiber.HeaderLastModified, written.UTC().Format(http.TimeFormat))
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	c.Response().SetBodyStream(fh, int(size)) // closed by fasthttp once sent
	return nil
}

// durationFrench says d after "toutes les": "10 minutes", "minutes" for
// one minute, "2 heures", "30 secondes".
func durationFrench(d time.Duration) string {
	n, unit := int(d/time.Second), "secondes"
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		n, unit = int(d/time.Hour), "heures"
	case d >= time.Minute && d%time.Minute == 0:
		n, unit = int(d/time.Minute), "minutes"
	}
	if n == 1 {
		return unit
	}
	return strconv.Itoa(n) + " " + unit
}
