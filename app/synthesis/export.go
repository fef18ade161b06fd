package synthesis

import (
	"archive/zip"
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// Format is an export format.
type Format string

// Export formats.
const (
	FormatCSV      Format = "csv"       // open data: RFC 4180, UTF-8, comma, CRLF
	FormatExcelCSV Format = "excel-csv" // "Excel français": UTF-8 with BOM, semicolon, CRLF
	FormatXLSX     Format = "xlsx"
	FormatODS      Format = "ods"
	FormatJSONL    Format = "jsonl"
)

// Ext is the file extension of the format.
func (f Format) Ext() string {
	switch f {
	case FormatCSV, FormatExcelCSV:
		return "csv"
	}
	return string(f)
}

// ContentType is the media type of a file in the format.
func (f Format) ContentType() string {
	switch f {
	case FormatCSV, FormatExcelCSV:
		return "text/csv; charset=utf-8"
	case FormatXLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case FormatODS:
		return "application/vnd.oasis.opendocument.spreadsheet"
	case FormatJSONL:
		return "application/x-ndjson; charset=utf-8"
	}
	return "application/octet-stream"
}

// Tables are the files of an export besides the contributions.
var Tables = []string{"contributions", "soutiens", "reactions", "arguments"}

// WriteTable streams one file of the export of the view to w: "contributions"
// (in any format; XLSX and ODS have a summary sheet and one sheet per axis),
// or "soutiens", "reactions", "arguments" (CSV or JSON Lines).
func (s *Store) WriteTable(ctx context.Context, w io.Writer, refs Refs, f Filter, name string, format Format) error {
	o := byID
	if format == FormatXLSX || format == FormatODS {
		o = byAxis
	}
	for _, t := range s.exportTables(refs, f, o) {
		if t.name != name {
			continue
		}
		switch format {
		case FormatCSV, FormatExcelCSV:
			return writeCSV(ctx, w, t, format == FormatExcelCSV)
		case FormatJSONL:
			return writeJSONL(ctx, w, t)
		case FormatXLSX, FormatODS:
			if name != "contributions" {
				break
			}
			m, err := s.Metrics(ctx, refs, f)
			if err != nil {
				return err
			}
			if format == FormatXLSX {
				return writeXLSX(ctx, w, refs, f, m, t)
			}
			return writeODS(ctx, w, refs, f, m, t)
		}
	}
	return fmt.Errorf("export: no file %q in format %q", name, format)
}

// WriteBundle streams to w a zip archive of the four files of the export of
// the view (contributions, soutiens, reactions, arguments) in format (CSV,
// Excel CSV or JSON Lines). The CSV and JSON Lines archives carry their
// datapackage.json (Frictionless tabular data package); the "Excel français"
// archive, made for a spreadsheet (byte order mark, formula prefix), carries
// a LISEZMOI.txt instead. The pseudonyms are shared by the four files.
func (s *Store) WriteBundle(ctx context.Context, w io.Writer, refs Refs, f Filter, format Format) error {
	z := zip.NewWriter(w)
	modified := time.Now().UTC()
	tables := s.exportTables(refs, f, byID)
	for _, t := range tables {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: t.name + "." + format.Ext(), Method: zip.Deflate, Modified: modified})
		if err != nil {
			return err
		}
		switch format {
		case FormatCSV, FormatExcelCSV:
			err = writeCSV(ctx, fw, t, format == FormatExcelCSV)
		case FormatJSONL:
			err = writeJSONL(ctx, fw, t)
		default:
			err = fmt.Errorf("export: no bundle in format %q", format)
		}
		if err != nil {
			return err
		}
	}
	if format == FormatExcelCSV {
		if err := writeZipString(z, "LISEZMOI.txt", excelReadme, modified); err != nil {
			return err
		}
		return z.Close()
	}
	fw, err := z.CreateHeader(&zip.FileHeader{Name: "datapackage.json", Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	if err := writeDatapackage(fw, tables, f.Public, format, ""); err != nil {
		return err
	}
	return z.Close()
}

// excelReadme describes the "Excel français" archive.
const excelReadme = "Export des contributions pour Excel en français\r\n\r\n" + NoteExcel + "\r\n\r\n" + NoteNewlines + "\r\n\r\n" + NoteNull +
	"\r\n\r\nPour un traitement automatique, préférez l'archive « CSV données ouvertes » : elle garde chaque texte tel qu'écrit et décrit ses fichiers dans un datapackage.json (Frictionless Data).\r\n"

// WriteDatapackage writes the datapackage.json describing the files of the
// export in format, each found at pathPrefix + name + extension.
func (s *Store) WriteDatapackage(w io.Writer, refs Refs, f Filter, format Format, pathPrefix string) error {
	return writeDatapackage(w, s.exportTables(refs, f, byID), f.Public, format, pathPrefix)
}

// neutralise defuses a cell that a spreadsheet would read as a formula: it
// prefixes with an apostrophe the cells starting with = + - @, a tab or a
// carriage return.
func neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeCSV writes one file as RFC 4180 CSV: records end with CRLF, a cell
// holding a separator, a quote or a line break is quoted, and line breaks
// inside a text are kept as written (LF), never turned into CRLF. Only the
// "Excel français" dialect (BOM, semicolon) prefixes an apostrophe to cells
// that a spreadsheet would run as a formula; open data keeps every text as
// written.
func writeCSV(ctx context.Context, w io.Writer, t table, excel bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if excel {
		bw.WriteString("\uFEFF")
	}
	comma := byte(',')
	if excel {
		comma = ';'
	}
	record := make([]string, len(t.columns))
	for i, c := range t.columns {
		record[i] = c.Name
	}
	writeRecord(bw, record, comma)
	err := t.rows(ctx, func(cells []any, _ int64) error {
		for i, v := range cells {
			if s, ok := v.(string); ok && excel {
				record[i] = neutralise(s)
			} else {
				record[i] = cellText(v, excel)
			}
		}
		writeRecord(bw, record, comma)
		if bw.Buffered() > 32<<10 {
			return bw.Flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// writeRecord writes one CSV record ended by CRLF.
func writeRecord(bw *bufio.Writer, record []string, comma byte) {
	for i, f := range record {
		if i > 0 {
			bw.WriteByte(comma)
		}
		if f == "" || !strings.ContainsAny(f, string(comma)+"\"\r\n") && f[0] != ' ' && f[len(f)-1] != ' ' {
			bw.WriteString(f)
			continue
		}
		bw.WriteByte('"')
		bw.WriteString(strings.ReplaceAll(f, `"`, `""`))
		bw.WriteByte('"')
	}
	bw.WriteString("\r\n")
}
