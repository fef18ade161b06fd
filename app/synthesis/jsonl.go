package synthesis

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"time"
)

// writeJSONL writes one JSON object per line, keyed by the column names.
// Integers and booleans keep their JSON types; empty ids and dates are null.
func writeJSONL(ctx context.Context, w io.Writer, t table) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	keys := make([][]byte, len(t.columns))
	for i, c := range t.columns {
		k, _ := json.Marshal(c.Name)
		keys[i] = k
	}
	var line []byte
	err := t.rows(ctx, func(cells []any, _ int64) error {
		line = append(line[:0], '{')
		for i, v := range cells {
			if i > 0 {
				line = append(line, ',')
			}
			line = append(line, keys[i]...)
			line = append(line, ':')
			line = appendJSON(line, v)
		}
		line = append(line, '}', '\n')
		_, err := bw.Write(line)
		return err
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		if x == "" {
			return append(b, `""`...)
		}
		s, _ := json.Marshal(x)
		return append(b, s...)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case bool:
		return strconv.AppendBool(b, x)
	case time.Time:
		if x.IsZero() {
			return append(b, "null"...)
		}
		return strconv.AppendQuote(b, x.In(Paris).Format(time.RFC3339))
	case dateOnly:
		return strconv.AppendQuote(b, time.Time(x).Format(time.DateOnly))
	}
	s, _ := json.Marshal(v)
	return append(b, s...)
}

type dpField struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Description string   `json:"description"`
	Format      string   `json:"format,omitempty"`
	TrueValues  []string `json:"trueValues,omitempty"`
	FalseValues []string `json:"falseValues,omitempty"`
}

type dpResource struct {
	Name      string         `json:"name"`
	Title     string         `json:"title"`
	Path      string         `json:"path"`
	Format    string         `json:"format"`
	MediaType string         `json:"mediatype"`
	Encoding  string         `json:"encoding"`
	Dialect   map[string]any `json:"dialect,omitempty"`
	Schema    struct {
		Fields []dpField `json:"fields"`
	} `json:"schema"`
}

// LicenceName is the licence of the open data.
const LicenceName = "Licence Ouverte 2.0 (Etalab)"

// LicenceURL is where the licence is published.
const LicenceURL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"

func writeDatapackage(w io.Writer, tables []table, public bool, format Format, prefix string) error {
	pkg := map[string]any{
		"profile":        "tabular-data-package",
		"name":           "concertation-inclusion-numerique",
		"title":          "Concertation nationale sur l'inclusion numérique – contributions",
		"version":        SchemaVersion,
		"schema_version": SchemaVersion,
		"description":    "Contributions publiées, soutiens, réactions et arguments. Les auteurs sont désignés par un pseudonyme propre à chaque export, absent pour les propositions des Hubs ; les personnes qui soutiennent ont des pseudonymes distincts de ceux des auteurs. Aucune adresse électronique, aucun nom de personne, aucune adresse IP.",
		"licenses": []map[string]string{{
			"name": "etalab-2.0", "title": LicenceName, "path": LicenceURL,
		}},
	}
	if !public {
		pkg["title"] = "Concertation nationale sur l'inclusion numérique – export des rapporteurs"
		pkg["description"] = "Export de travail des rapporteurs : il peut contenir des contributions masquées par la modération, signalées dans la colonne « masquee ». Les auteurs sont désignés par un pseudonyme propre à cet export."
	}
	var resources []dpResource
	for _, t := range tables {
		r := dpResource{Name: t.name, Title: t.title, Path: prefix + t.name + "." + format.Ext(), Encoding: "utf-8"}
		switch format {
		case FormatJSONL:
			r.Format, r.MediaType = "jsonl", "application/x-ndjson"
		default:
			r.Format, r.MediaType = "csv", "text/csv"
			r.Dialect = map[string]any{"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "doubleQuote": true, "header": true}
			if format == FormatExcelCSV {
				r.Encoding = "utf-8-sig"
				r.Dialect["delimiter"] = ";"
			}
		}
		for _, c := range t.columns {
			f := dpField{Name: c.Name, Type: c.Type, Description: c.Description}
			if c.Type == "datetime" && format == FormatExcelCSV {
				f.Format = "%Y-%m-%d %H:%M:%S"
			}
			if c.Type == "boolean" && format != FormatJSONL {
				f.TrueValues, f.FalseValues = []string{"oui"}, []string{"non"}
			}
			r.Schema.Fields = append(r.Schema.Fields, f)
		}
		resources = append(resources, r)
	}
	pkg["resources"] = resources
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(pkg)
}
