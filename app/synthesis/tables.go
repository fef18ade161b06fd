package synthesis

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SchemaVersion is the version of the exported fields, stated in every
// datapackage.json; bump it when a field changes.
const SchemaVersion = "1.2.0" // 1.1.0: official answers; 1.2.0: accompagnee (contributions), accompagne (soutiens)

// Column describes one exported field.
type Column struct {
	Name        string // field name (CSV header, JSON key)
	Type        string // Table Schema type: string, integer, boolean, datetime, date
	Description string // French
}

// table is one exported file: its columns and how to stream its rows. Cells
// are string, int, int64, bool or time.Time (zero time: empty).
type table struct {
	name    string // file name without extension
	title   string
	columns []Column
	rows    func(ctx context.Context, emit func(cells []any, axisID int64) error) error
}

// ContributionColumns are the fields of the contributions file; the public
// dataset has no rapporteur field.
func ContributionColumns(public bool) []Column {
	cols := []Column{
		{"id", "integer", "Identifiant public de la contribution"},
		{"url", "string", "Adresse de la contribution sur la plateforme"},
		{"entree", "string", "Entrée : propositions des Hubs ou contributions libres"},
		{"axe_numero", "integer", "Numéro de l'axe"},
		{"axe", "string", "Titre de l'axe"},
		{"hub", "string", "Hub au nom duquel la proposition est publiée"},
		{"region_code", "string", "Code INSEE de la région"},
		{"region", "string", "Nom de la région"},
		{"departement_code", "string", "Code INSEE du département"},
		{"departement", "string", "Nom du département"},
		{"categorie_auteur", "string", "Catégorie de l'auteur au moment de la publication"},
		{"auteur_pseudonyme", "string", "Identifiant pseudonyme de l'auteur, stable dans ce seul export"},
		{"reagit_a", "integer", "Identifiant de la proposition de Hub à laquelle la contribution réagit"},
		{"type_reaction", "string", "Type de réaction : soutient, complete, nuance, conteste"},
		{"titre", "string", "Titre"},
		{"texte", "string", "Texte, en texte brut"},
		{"statut", "string", "Statut de la contribution"},
		{"soutiens", "integer", "Nombre de soutiens"},
		{"reactions_soutient", "integer", "Réactions « soutient »"},
		{"reactions_complete", "integer", "Réactions « complète »"},
		{"reactions_nuance", "integer", "Réactions « nuance »"},
		{"reactions_conteste", "integer", "Réactions « conteste »"},
		{"arguments_pour", "integer", "Arguments « pour »"},
		{"arguments_contre", "integer", "Arguments « contre »"},
		{"arguments_neutre", "integer", "Arguments « neutre »"},
		{"cree_le", "datetime", "Date de publication"},
		{"modifie_le", "datetime", "Date de la dernière modification par l'auteur"},
		{"reponse_officielle_etat", "string", "État de la réponse officielle de l'équipe de la consultation : à l'étude, retenue, partiellement retenue, non retenue ; vide sans réponse"},
		{"reponse_officielle", "string", "Texte de la réponse officielle"},
		{"reponse_officielle_le", "datetime", "Date de la dernière modification de la réponse officielle"},
		{"accompagnee", "boolean", "Contribution accompagnée : écrite par un médiateur numérique pour une personne à ses côtés, avec son accord"},
	}
	if public {
		for i := range cols {
			if cols[i].Name == "auteur_pseudonyme" {
				cols[i].Description = "Identifiant pseudonyme de l'auteur, stable dans ce seul export ; vide pour les propositions des Hubs, publiées au nom du Hub"
			}
		}
	}
	if !public {
		cols = append(cols,
			Column{"masquee", "boolean", "Masquée par la modération (n'apparaît pas sur le site)"},
			Column{"etiquettes", "string", "Étiquettes des rapporteurs"},
			Column{"retenue", "boolean", "Retenue pour le rapport"})
	}
	return cols
}

func rowCells(r *Row, public bool, buf []any) []any {
	buf = append(buf[:0], r.ID, r.URL, r.Entry, r.AxisPosition, r.Axis, r.Hub,
		r.RegionCode, r.Region, r.DepartementCode, r.Departement, r.Category, r.Author,
		nullableID(r.ReactsTo), r.ReactionType, r.Title, r.Body, r.Status, r.Supports,
		r.Reactions[0], r.Reactions[1], r.Reactions[2], r.Reactions[3],
		r.Arguments[0], r.Arguments[1], r.Arguments[2], r.CreatedAt, r.EditedAt, r.AnswerState, r.Answer, r.AnsweredAt, r.Assisted)
	if !public {
		buf = append(buf, r.Hidden, r.Tags, r.Retained)
	}
	return buf
}

// nullableID is an id, or nil for none: an empty CSV cell, null in JSON.
func nullableID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// exportTables returns the four files of an export of the view: the
// contributions, then the supports, the reactions and the arguments that
// belong to them. One pseudonymizer serves the authors of all files, so an
// author keeps one pseudonym across the files of one export.
//
// In the public dataset the supporters get their pseudonyms from another
// key: the site shows the authors' names next to the contributions, so a
// shared pseudonym would tell what a named person supported. Distinct
// supporters can still be counted. Rapporteur exports keep one key.
func (s *Store) exportTables(refs Refs, f Filter, o order) []table {
	p := newPseudonymizer()
	supporters := p
	if f.Public {
		supporters = newPseudonymizer()
	}
	contributions := table{name: "contributions", title: "Contributions", columns: ContributionColumns(f.Public),
		rows: func(ctx context.Context, emit func([]any, int64) error) error {
			var buf []any
			return s.eachRow(ctx, refs, f, o, p, func(r *Row) error {
				buf = rowCells(r, f.Public, buf)
				return emit(buf, r.axisID)
			})
		}}
	return []table{contributions, s.supportsTable(refs, f, supporters), s.reactionsTable(refs, f, p), s.argumentsTable(refs, f, p)}
}

func (s *Store) supportsTable(refs Refs, f Filter, p pseudonymizer) table {
	supporter := Column{"soutien_pseudonyme", "string", "Identifiant pseudonyme de la personne qui soutient, stable dans ce seul export"}
	if f.Public {
		supporter.Description = "Identifiant pseudonyme de la personne qui soutient, stable dans ce seul fichier et sans lien avec les pseudonymes des auteurs"
	}
	return table{name: "soutiens", title: "Soutiens", columns: []Column{
		{"contribution_id", "integer", "Identifiant de la contribution soutenue"},
		supporter,
		{"date", "date", "Jour du soutien"},
		{"accompagne", "boolean", "Soutien d'une personne accompagnée, enregistré par un médiateur numérique avec son accord"},
	}, rows: func(ctx context.Context, emit func([]any, int64) error) error {
		var a sqlArgs
		// Supports of people accompanied have their own pseudonyms: their
		// ids (in another table) are written negative, never an account's.
		where := f.Where(refs, &a)
		q := `SELECT id, supporter, day, assisted FROM (
			SELECT s.contribution_id AS id, s.user_id AS supporter, to_char(s.created_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD') AS day, false AS assisted
			FROM contributions c JOIN supports s ON s.contribution_id = c.id WHERE ` + where + `
			UNION ALL
			SELECT s.contribution_id, -s.person_id, to_char(s.created_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD'), true
			FROM contributions c JOIN assisted_supports s ON s.contribution_id = c.id WHERE ` + where + `) x
			ORDER BY id, assisted, supporter`
		cells := make([]any, 4)
		return queryEach(ctx, s.sql(), q, a, func(rs *sql.Rows) error {
			var id int64
			var user sql.NullInt64
			var day string
			var assisted bool
			if err := rs.Scan(&id, &user, &day, &assisted); err != nil {
				return err
			}
			d, _ := time.ParseInLocation(time.DateOnly, day, Paris)
			cells[0], cells[1], cells[2], cells[3] = id, p.id(user), dateOnly(d), assisted
			return emit(cells, 0)
		})
	}}
}

// dateOnly marks a time to be written as a day.
type dateOnly time.Time

func (s *Store) reactionsTable(refs Refs, f Filter, p pseudonymizer) table {
	return table{name: "reactions", title: "Réactions", columns: []Column{
		{"reaction_id", "integer", "Identifiant de la contribution qui réagit"},
		{"proposition_id", "integer", "Identifiant de la proposition de Hub"},
		{"type", "string", "Type de réaction : soutient, complete, nuance, conteste"},
		{"auteur_pseudonyme", "string", "Identifiant pseudonyme de l'auteur, stable dans ce seul export"},
		{"categorie_auteur", "string", "Catégorie de l'auteur"},
		{"statut", "string", "Statut de la réaction"},
		{"cree_le", "datetime", "Date de publication"},
	}, rows: func(ctx context.Context, emit func([]any, int64) error) error {
		var a sqlArgs
		where := f.Where(refs, &a)
		q := `SELECT r.id, r.reacts_to_id, r.reaction_type, r.author_id, coalesce(cat.label, r.author_category), r.status, r.created_at
			FROM contributions c JOIN contributions r ON r.reacts_to_id = c.id
			LEFT JOIN author_categories cat ON cat.code = r.author_category
			WHERE ` + where + ` AND r.status = ANY(` + a.Add(f.Statuses) + `) ORDER BY r.reacts_to_id, r.id`
		cells := make([]any, 7)
		return queryEach(ctx, s.sql(), q, a, func(rs *sql.Rows) error {
			var id, target int64
			var typ, cat, status string
			var author sql.NullInt64
			var at time.Time
			if err := rs.Scan(&id, &target, &typ, &author, &cat, &status, &at); err != nil {
				return err
			}
			cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6] = id, target, typ, p.id(author), cat, StatusLabel(status), at
			return emit(cells, 0)
		})
	}}
}

func (s *Store) argumentsTable(refs Refs, f Filter, p pseudonymizer) table {
	return table{name: "arguments", title: "Arguments", columns: []Column{
		{"id", "integer", "Identifiant de l'argument"},
		{"contribution_id", "integer", "Identifiant de la contribution discutée"},
		{"reponse_a", "integer", "Identifiant de l'argument auquel il répond"},
		{"auteur_pseudonyme", "string", "Identifiant pseudonyme de l'auteur, stable dans ce seul export"},
		{"categorie_auteur", "string", "Catégorie de l'auteur"},
		{"position", "string", "Position : pour, contre, neutre"},
		{"texte", "string", "Texte, en texte brut"},
		{"statut", "string", "Statut de l'argument"},
		{"cree_le", "datetime", "Date de publication"},
	}, rows: func(ctx context.Context, emit func([]any, int64) error) error {
		var a sqlArgs
		where := f.Where(refs, &a)
		q := `SELECT g.id, g.contribution_id, coalesce(g.parent_id, 0), g.author_id, coalesce(cat.label, g.author_category), g.stance, g.body, g.status, g.created_at
			FROM contributions c JOIN arguments g ON g.contribution_id = c.id
			LEFT JOIN author_categories cat ON cat.code = g.author_category
			WHERE ` + where + ` AND g.status = ANY(` + a.Add(f.Statuses) + `) ORDER BY g.contribution_id, g.id`
		cells := make([]any, 9)
		return queryEach(ctx, s.sql(), q, a, func(rs *sql.Rows) error {
			var id, contribution, parent int64
			var cat, stance, body, status string
			var author sql.NullInt64
			var at time.Time
			if err := rs.Scan(&id, &contribution, &parent, &author, &cat, &stance, &body, &status, &at); err != nil {
				return err
			}
			cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7], cells[8] =
				id, contribution, nullableID(parent), p.id(author), cat, stance, body, StatusLabel(status), at
			return emit(cells, 0)
		})
	}}
}

// cellText renders a cell for text formats: integers in decimal, booleans as
// oui/non, times in UTC (DatetimeLayout; Paris time for the Excel dialect)
// or as a day, zero times and nil empty.
func cellText(v any, excel bool) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return fmt.Sprint(x)
	case int64:
		return fmt.Sprint(x)
	case bool:
		if x {
			return "oui"
		}
		return "non"
	case time.Time:
		if x.IsZero() {
			return ""
		}
		if excel {
			return x.In(Paris).Format(time.DateTime)
		}
		return x.UTC().Format(DatetimeLayout)
	case dateOnly:
		return time.Time(x).Format(time.DateOnly)
	}
	return fmt.Sprint(v)
}
