package moderation

import (
	"context"
	"fmt"
	"time"
)

// MaxPrecision is the longest precision a moderator adds to a motif.
const MaxPrecision = 300

// HideInput is a moderator's decision to hide an item: a motif among the
// report reasons and an optional precision (required for "autre").
type HideInput struct {
	Motif     string
	Precision string
}

// PublicReason validates the input and returns the reason shown to the
// public after "masquée par la modération : ".
func (in HideInput) PublicReason() (string, error) {
	label := ReasonLabel(in.Motif)
	if label == "" {
		return "", &ValidationError{"Choisissez le motif du masquage."}
	}
	p, err := cleanText(in.Precision, MaxPrecision, "de précision")
	if err != nil {
		return "", err
	}
	switch {
	case in.Motif == ReasonAutre && p == "":
		return "", &ValidationError{"Avec le motif « autre », précisez le motif : il sera affiché publiquement."}
	case in.Motif == ReasonAutre:
		return p, nil
	case p != "":
		return label + " (" + p + ")", nil
	}
	return label, nil
}

// Hide hides the item with a public reason, closes its open reports, writes
// the public log and the audit log, and notifies the author, in one
// transaction. Hiding a hidden item changes its reason.
func (s *Store) Hide(ctx context.Context, actorID int64, kind string, id int64, in HideInput) error {
	reason, err := in.PublicReason()
	if err != nil {
		return err
	}
	return s.decide(ctx, kind, id, func(ctx context.Context, it Item) ([]pendingMail, error) {
		if it.Status == "withdrawn" {
			return nil, ErrWithdrawn
		}
		if err := s.setStatus(ctx, it, "hidden", &reason); err != nil {
			return nil, err
		}
		n, err := s.resolveReports(ctx, it, "hidden")
		if err != nil {
			return nil, err
		}
		if err := s.logDecision(ctx, it, DecisionHidden, reason); err != nil {
			return nil, err
		}
		details := map[string]any{"reason": reason, "reports_closed": n, "previous_status": it.Status}
		if err := s.audit.Record(ctx, &actorID, AuditHide, it.Target(), details); err != nil {
			return nil, err
		}
		return s.notifyAuthor(ctx, it, hiddenMessage(it, reason))
	})
}

// Restore publishes a hidden item again and closes its open reports.
func (s *Store) Restore(ctx context.Context, actorID int64, kind string, id int64) error {
	return s.decide(ctx, kind, id, func(ctx context.Context, it Item) ([]pendingMail, error) {
		if !it.Hidden() {
			return nil, ErrNotHidden
		}
		return s.restore(ctx, actorID, it, AuditRestore, "restored")
	})
}

func (s *Store) restore(ctx context.Context, actorID int64, it Item, action, resolution string) ([]pendingMail, error) {
	if err := s.setStatus(ctx, it, "published", nil); err != nil {
		return nil, err
	}
	n, err := s.resolveReports(ctx, it, resolution)
	if err != nil {
		return nil, err
	}
	if err := s.logDecision(ctx, it, DecisionRestored, "rétablie après examen"); err != nil {
		return nil, err
	}
	previous := ""
	if it.HiddenReason != nil {
		previous = *it.HiddenReason
	}
	details := map[string]any{"reports_closed": n, "previous_reason": previous, "restored": true}
	if err := s.audit.Record(ctx, &actorID, action, it.Target(), details); err != nil {
		return nil, err
	}
	return s.notifyAuthor(ctx, it, restoredMessage(it))
}

// Dismiss closes the open reports of the item as unfounded. An item hidden
// only by reports is published again; one hidden by a moderator stays hidden.
func (s *Store) Dismiss(ctx context.Context, actorID int64, kind string, id int64) error {
	return s.decide(ctx, kind, id, func(ctx context.Context, it Item) ([]pendingMail, error) {
		if it.AutoHidden() {
			return s.restore(ctx, actorID, it, AuditDismiss, "dismissed")
		}
		n, err := s.resolveReports(ctx, it, "dismissed")
		if err != nil {
			return nil, err
		}
		return nil, s.audit.Record(ctx, &actorID, AuditDismiss, it.Target(), map[string]any{"reports_closed": n, "restored": false})
	})
}

// decide runs fn on the locked item in a transaction that also sends the
// e-mails.
func (s *Store) decide(ctx context.Context, kind string, id int64, fn func(ctx context.Context, it Item) ([]pendingMail, error)) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		it, err := s.loadItem(ctx, kind, id, true)
		if err != nil {
			return err
		}
		mails, err := fn(ctx, it)
		if err != nil {
			return err
		}
		return s.sendMails(ctx, mails)
	})
}

// BlockInput is a moderator's decision to block an account until a time.
type BlockInput struct {
	Until  time.Time
	Reason string
}

// MaxBlockReason is the longest reason of a block.
const MaxBlockReason = 300

// Block blocks the account userID until in.Until: it can still read but no
// longer write. Accounts holding the moderator or administrator role cannot
// be blocked (their role must be revoked first).
func (s *Store) Block(ctx context.Context, actorID, userID int64, in BlockInput) error {
	reason, err := cleanText(in.Reason, MaxBlockReason, "du motif")
	if err != nil {
		return err
	}
	if reason == "" {
		return &ValidationError{"Indiquez le motif de la suspension : il sera communiqué à la personne."}
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkBlockable(ctx, userID); err != nil {
			return err
		}
		if err := s.db.Conn(ctx).Exec(`UPDATE users SET blocked_until = ?, updated_at = now() WHERE id = ?`, in.Until, userID).Error; err != nil {
			return fmt.Errorf("block %d: %w", userID, err)
		}
		details := map[string]any{"until": in.Until.UTC().Format(time.RFC3339), "reason": reason}
		if err := s.audit.Record(ctx, &actorID, AuditBlock, fmt.Sprintf("user:%d", userID), details); err != nil {
			return err
		}
		mails, err := s.notify(ctx, userID, "Suspension de votre compte", blockedMessage(in.Until, reason))
		if err != nil {
			return err
		}
		return s.sendMails(ctx, mails)
	})
}

// Unblock lifts the block of userID.
func (s *Store) Unblock(ctx context.Context, actorID, userID int64) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkBlockable(ctx, userID); err != nil {
			return err
		}
		if err := s.db.Conn(ctx).Exec(`UPDATE users SET blocked_until = NULL, updated_at = now() WHERE id = ?`, userID).Error; err != nil {
			return fmt.Errorf("unblock %d: %w", userID, err)
		}
		if err := s.audit.Record(ctx, &actorID, AuditUnblock, fmt.Sprintf("user:%d", userID), nil); err != nil {
			return err
		}
		mails, err := s.notify(ctx, userID, "Fin de la suspension de votre compte", unblockedMessage())
		if err != nil {
			return err
		}
		return s.sendMails(ctx, mails)
	})
}

// checkBlockable locks the account row and refuses moderators and admins.
func (s *Store) checkBlockable(ctx context.Context, userID int64) error {
	var row struct {
		ID    int64
		Roles int64
	}
	res := s.db.Conn(ctx).Raw(`SELECT u.id,
		(SELECT count(*) FROM user_roles r WHERE r.user_id = u.id AND r.role IN ('moderator', 'admin')) AS roles
		FROM users u WHERE u.id = ? FOR NO KEY UPDATE OF u`, userID).Scan(&row)
	if res.Error != nil {
		return fmt.Errorf("load account %d: %w", userID, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	if row.Roles > 0 {
		return ErrProtected
	}
	return nil
}
