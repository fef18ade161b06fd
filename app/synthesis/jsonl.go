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
		return strconv.AppendQuote(b, x.UTC().Format(DatetimeLayout))
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

type dpSchema struct {
	Fields        []dpField `json:"fields"`
	MissingValues []string  `json:"missingValues"`
	PrimaryKey    string    `json:"primaryKey,omitempty"`
}

type dpResource struct {
	Profile     string         `json:"profile"`
	Name        string         `json:"name"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Path        string         `json:"path"`
	Format      string         `json:"format"`
	MediaType   string         `json:"mediatype"`
	Encoding    string         `json:"encoding"`
	Dialect     map[string]any `json:"dialect,omitempty"`
	Schema      dpSchema       `json:"schema"`
}

// LicenceName is the licence of the open data.
const LicenceName = "Licence Ouverte 2.0 (Etalab)"

// LicenceURL is where the licence is published.
const LicenceURL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"

// DatetimeLayout is the layout of the dates and times of the open data and
// JSON Lines files: UTC, ISO 8601 with the Z suffix (the default format of
// Table Schema).
const DatetimeLayout = "2006-01-02T15:04:05Z"

// Notes on the files, in the datapackage.json and on /donnees.
const (
	NoteNewlines = "Les textes gardent leurs retours à la ligne tels qu'écrits (caractère LF) ; une cellule qui en contient est entre guillemets, et chaque ligne du fichier se termine par CRLF (RFC 4180)."
	NoteFormula  = "Aucun texte n'est modifié : une cellule peut commencer par =, +, - ou @. Les tableurs peuvent la prendre pour une formule ; le CSV « Excel français » des rapporteurs la préfixe d'une apostrophe, le CSV de données ouvertes jamais."
	NoteExcel    = "CSV « Excel français » : UTF-8 avec marque d'ordre des octets (BOM), séparateur point-virgule, lignes terminées par CRLF, dates en heure de Paris (AAAA-MM-JJ HH:MM:SS) ; une apostrophe précède les textes qui commencent par =, +, -, @, une tabulation ou un retour chariot, pour qu'un tableur ne les exécute pas comme des formules."
	NoteNull     = "Une cellule vide (CSV) ou null (JSON Lines) signifie « sans objet » : pas de proposition visée, pas de modification, pas de réponse."
	NoteDatetime = "Dates et heures en temps universel (UTC), au format ISO 8601 AAAA-MM-JJTHH:MM:SSZ ; jours au format AAAA-MM-JJ (heure de Paris)."
)

func writeDatapackage(w io.Writer, tables []table, public bool, format Format, prefix string) error {
	pkg := map[string]any{
		"profile":        "tabular-data-package",
		"name":           "concertation-inclusion-numerique",
		"title":          "Concertation nationale sur l'inclusion numérique – contributions",
		"version":        SchemaVersion,
		"schema_version": SchemaVersion,
		"description": "Contributions publiées, soutiens, réactions et arguments. Les auteurs sont désignés par un pseudonyme propre à chaque export, absent pour les propositions des Hubs ; les personnes qui soutiennent ont des pseudonymes distincts de ceux des auteurs. Aucune adresse électronique, aucun nom de personne, aucune adresse IP. " +
			NoteDatetime + " " + NoteNull,
		"licenses": []map[string]string{{
			"name": "etalab-2.0", "title": LicenceName, "path": LicenceURL,
		}},
	}
	if !public {
		pkg["title"] = "Concertation nationale sur l'inclusion numérique – export des rapporteurs"
		pkg["description"] = "Export de travail des rapporteurs : il peut contenir des contributions masquées par la modération, signalées dans la colonne « masquee ». Les auteurs sont désignés par un pseudonyme propre à cet export. " + NoteNull
	}
	var resources []dpResource
	for _, t := range tables {
		r := dpResource{Profile: "tabular-data-resource", Name: t.name, Title: t.title, Path: prefix + t.name + "." + format.Ext(), Encoding: "utf-8",
			Schema: dpSchema{MissingValues: []string{""}}}
		switch format {
		case FormatJSONL:
			r.Format, r.MediaType = "jsonl", "application/jsonl"
			r.Description = "JSON Lines : un objet JSON par ligne, dont les clés sont les noms des champs ; les nombres et booléens ont leur type JSON, les valeurs absentes sont null. " + NoteDatetime
		default:
			r.Format, r.MediaType = "csv", "text/csv"
			r.Dialect = map[string]any{"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "doubleQuote": true, "header": true}
			r.Description = "CSV (RFC 4180, UTF-8 sans BOM, séparateur virgule, première ligne d'en-tête). " + NoteNewlines + " " + NoteFormula + " " + NoteDatetime
			if format == FormatExcelCSV {
				r.Dialect["delimiter"] = ";"
				r.Description = NoteExcel + " " + NoteNewlines
			}
		}
		for _, c := range t.columns {
			f := dpField{Name: c.Name, Type: c.Type, Description: c.Description}
			switch {
			case c.Type == "datetime" && format == FormatExcelCSV:
				f.Format = "%Y-%m-%d %H:%M:%S"
			case c.Type == "datetime", c.Type == "date":
				f.Format = "default"
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
