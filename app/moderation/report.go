package moderation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reasons of a report, in display order.
const (
	ReasonSpam                = "spam"
	ReasonInjurieux           = "injurieux"
	ReasonHorsSujet           = "hors-sujet"
	ReasonDonneesPersonnelles = "donnees-personnelles"
	ReasonAutre               = "autre"
)

// Reasons lists the report reasons in display order.
var Reasons = []string{ReasonSpam, ReasonInjurieux, ReasonHorsSujet, ReasonDonneesPersonnelles, ReasonAutre}

// ReasonLabel returns the French label of a reason, "" when unknown.
func ReasonLabel(r string) string {
	switch r {
	case ReasonSpam:
		return "spam"
	case ReasonInjurieux:
		return "propos injurieux ou haineux"
	case ReasonHorsSujet:
		return "hors sujet"
	case ReasonDonneesPersonnelles:
		return "données personnelles"
	case ReasonAutre:
		return "autre"
	}
	return ""
}

// MaxDetails is the longest explanation of a report, in characters.
const MaxDetails = 1000

// ReportInput is what a person sends with a report.
type ReportInput struct {
	Reason  string
	Details string
}

// ValidationError is a report or decision form error, in French, for the person.
type ValidationError struct{ Message string }

func (e *ValidationError) Error() string { return e.Message }

// cleanText trims s and checks that it is text PostgreSQL can store and that
// it is at most max characters long; field names the field in messages.
func cleanText(s string, max int, field string) (string, error) {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return "", &ValidationError{"Le texte " + field + " contient des caractères non valides."}
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	// Control characters (but line feeds and tabs) have no place in a text
	// shown to moderators, to the public or in a CSV: dropped, as for
	// contributions.
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if (unicode.IsControl(r) && r != '\n' && r != '\t') || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			return -1
		}
		return r
	}, s))
	if n := utf8.RuneCountInString(s); n > max {
		return "", &ValidationError{fmt.Sprintf("Le texte %s est trop long : %d caractères au maximum (vous en avez écrit %d).", field, max, n)}
	}
	return s, nil
}

// Validate checks and normalises the input.
func (in *ReportInput) Validate() error {
	if ReasonLabel(in.Reason) == "" {
		return &ValidationError{"Choisissez la raison du signalement."}
	}
	d, err := cleanText(in.Details, MaxDetails, "d'explication")
	if err != nil {
		return err
	}
	in.Details = d
	if in.Reason == ReasonAutre && d == "" {
		return &ValidationError{"Vous avez choisi « autre » : expliquez en quelques mots la raison du signalement."}
	}
	return nil
}

// ReportResult tells what a report changed.
type ReportResult struct {
	OpenReports int  // open reports on the item, this one included
	Hidden      bool // this report reached the threshold and hid the item
}

// Report records the report of reporterID on the item kind/id. A second
// report of the same account on the same item returns ErrAlreadyReported.
// When the open reports reach the threshold, the item is hidden in the same
// transaction (exactly once: the item's row is locked while counting).
func (s *Store) Report(ctx context.Context, kind string, id, reporterID int64, in ReportInput) (ReportResult, error) {
	if err := in.Validate(); err != nil {
		return ReportResult{}, err
	}
	var res ReportResult
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		res = ReportResult{}
		it, err := s.loadItem(ctx, kind, id, true)
		if err != nil {
			return err
		}
		if it.AuthorID != nil && *it.AuthorID == reporterID {
			return ErrOwn
		}
		if it.Status != "published" {
			return ErrNotVisible
		}
		col := itemColumn(kind)
		ins := s.db.Conn(ctx).Exec(`INSERT INTO reports (`+col+`, reporter_id, reason, details) VALUES (?, ?, ?, ?)
			ON CONFLICT (`+col+`, reporter_id) WHERE `+col+` IS NOT NULL DO NOTHING`, id, reporterID, in.Reason, in.Details)
		if ins.Error != nil {
			return fmt.Errorf("insert report: %w", ins.Error)
		}
		if ins.RowsAffected == 0 {
			return ErrAlreadyReported
		}
		var open int64
		if err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM reports WHERE `+col+` = ? AND resolved_at IS NULL`, id).Scan(&open).Error; err != nil {
			return fmt.Errorf("count reports: %w", err)
		}
		res.OpenReports = int(open)
		if open < int64(s.threshold) {
			return nil
		}
		reason := AutoHiddenReason
		if err := s.setStatus(ctx, it, "hidden", &reason); err != nil {
			return err
		}
		if err := s.logDecision(ctx, it, DecisionAutoHidden, reason); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, nil, AuditAutoHide, it.Target(), map[string]any{"reports": open, "threshold": s.threshold}); err != nil {
			return err
		}
		mails, err := s.notifyAuthor(ctx, it, autoHiddenMessage(it))
		if err != nil {
			return err
		}
		res.Hidden = true
		return s.sendMails(ctx, mails)
	})
	if err != nil {
		return ReportResult{}, err
	}
	return res, nil
}

// Reported reports whether reporterID has already reported the item.
func (s *Store) Reported(ctx context.Context, kind string, id, reporterID int64) (bool, error) {
	if !ValidKind(kind) {
		return false, ErrNotFound
	}
	var n int64
	err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM reports WHERE `+itemColumn(kind)+` = ? AND reporter_id = ?`, id, reporterID).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("reported: %w", err)
	}
	return n > 0, nil
}

// IsValidation reports whether err is a form error meant for the person.
func IsValidation(err error) (*ValidationError, bool) {
	var ve *ValidationError
	ok := errors.As(err, &ve)
	return ve, ok
}
