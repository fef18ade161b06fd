package moderation

import (
	"context"
	"errors"
	"fmt"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/mail"
)

// Errors of the package. Web handlers translate them into French messages.
var (
	ErrNotFound        = errors.New("moderation: not found")
	ErrAlreadyReported = errors.New("moderation: already reported by this account")
	ErrNotVisible      = errors.New("moderation: item not published")
	ErrOwn             = errors.New("moderation: own item")
	ErrNotHidden       = errors.New("moderation: item not hidden")
	ErrWithdrawn       = errors.New("moderation: item withdrawn by its author")
	ErrProtected       = errors.New("moderation: account holds a moderation role")
)

// Kinds of items that can be reported and moderated.
const (
	KindContribution = "contribution"
	KindArgument     = "argument"
)

// AutoHiddenReason is the public reason of an item hidden by reports, until a
// moderator decides.
const AutoHiddenReason = "signalements en attente d'examen"

// Public log decisions.
const (
	DecisionAutoHidden = "auto_hidden"
	DecisionHidden     = "hidden"
	DecisionRestored   = "restored"
)

// Store holds reports, moderation decisions, the public moderation log and
// the notifications sent to the people concerned.
type Store struct {
	db            *db.DB
	contributions *contribution.Store // owner of the contribution tables
	audit         *Audit
	threshold     int
	// Mailer, when set, also sends each notification by e-mail after commit.
	Mailer mail.Mailer
	// BaseURL prefixes the links of the e-mails, e.g. https://example.org.
	BaseURL string
}

// NewStore returns a Store on d that hides an item after threshold open
// reports from distinct accounts (at least 1). Its decisions change
// contributions and arguments through contributions, their owner.
func NewStore(d *db.DB, threshold int, contributions *contribution.Store) *Store {
	if threshold < 1 {
		threshold = 1
	}
	return &Store{db: d, contributions: contributions, audit: NewAudit(d), threshold: threshold}
}

// Threshold returns the number of reports that hides an item.
func (s *Store) Threshold() int { return s.threshold }

// Item is the moderated thing: a contribution or an argument.
type Item struct {
	Kind           string
	ID             int64
	ContributionID int64  // the contribution itself, or the one an argument belongs to
	Title          string // the contribution's title, or the title of the argument's contribution
	Body           string
	AuthorID       *int64
	Status         string
	HiddenReason   *string
	ReactsToID     *int64  // a contribution reacting to a Hub proposal
	ReactionType   *string // its reaction type
	Stance         string  // an argument's stance
}

// Target names the item in the audit log, e.g. "contribution:12".
func (it Item) Target() string { return fmt.Sprintf("%s:%d", it.Kind, it.ID) }

// Hidden reports whether the item is hidden by moderation.
func (it Item) Hidden() bool { return it.Status == "hidden" }

// AutoHidden reports whether the item is hidden by reports, pending a decision.
func (it Item) AutoHidden() bool {
	return it.Hidden() && it.HiddenReason != nil && *it.HiddenReason == AutoHiddenReason
}

// ValidKind reports whether kind names an item kind.
func ValidKind(kind string) bool { return kind == KindContribution || kind == KindArgument }

// Item returns the item kind/id.
func (s *Store) Item(ctx context.Context, kind string, id int64) (Item, error) {
	return s.loadItem(ctx, kind, id, false)
}

// loadItem reads the item; with lock, it locks its row until the end of the
// transaction of ctx (FOR NO KEY UPDATE: supports and arguments referencing
// the row are not blocked).
func (s *Store) loadItem(ctx context.Context, kind string, id int64, lock bool) (Item, error) {
	var q string
	switch kind {
	case KindContribution:
		q = `SELECT 'contribution' AS kind, c.id, c.id AS contribution_id, c.title, c.body, c.author_id, c.status, c.hidden_reason,
		            c.reacts_to_id, c.reaction_type
		     FROM contributions c WHERE c.id = ?`
	case KindArgument:
		q = `SELECT 'argument' AS kind, a.id, a.contribution_id, c.title, a.body, a.author_id, a.status, a.hidden_reason, a.stance
		     FROM arguments a JOIN contributions c ON c.id = a.contribution_id WHERE a.id = ?`
	default:
		return Item{}, ErrNotFound
	}
	if lock {
		q += " FOR NO KEY UPDATE OF " + map[string]string{KindContribution: "c", KindArgument: "a"}[kind]
	}
	var it Item
	res := s.db.Conn(ctx).Raw(q, id).Scan(&it)
	if res.Error != nil {
		return Item{}, fmt.Errorf("load %s %d: %w", kind, id, res.Error)
	}
	if res.RowsAffected == 0 {
		return Item{}, ErrNotFound
	}
	return it, nil
}

// setStatus changes the item's status and public reason in the transaction
// of ctx, through the owner of the contribution tables (counters and search
// index follow there).
func (s *Store) setStatus(ctx context.Context, it Item, status string, reason *string) error {
	var err error
	if it.Kind == KindContribution {
		err = s.contributions.Moderate(ctx, it.ID, status, reason)
	} else {
		err = s.contributions.ModerateArgument(ctx, it.ID, status, reason)
	}
	if err != nil {
		return fmt.Errorf("set status of %s: %w", it.Target(), err)
	}
	return nil
}

// resolveReports closes the open reports of the item and returns how many.
func (s *Store) resolveReports(ctx context.Context, it Item, resolution string) (int64, error) {
	res := s.db.Conn(ctx).Exec(`UPDATE reports SET resolved_at = now(), resolution = ?
		WHERE `+itemColumn(it.Kind)+` = ? AND resolved_at IS NULL`, resolution, it.ID)
	if res.Error != nil {
		return 0, fmt.Errorf("resolve reports of %s: %w", it.Target(), res.Error)
	}
	return res.RowsAffected, nil
}

// logDecision appends to the public moderation log.
func (s *Store) logDecision(ctx context.Context, it Item, decision, reason string) error {
	err := s.db.Conn(ctx).Exec(`INSERT INTO moderation_log (item_kind, item_id, decision, reason) VALUES (?, ?, ?, ?)`,
		it.Kind, it.ID, decision, reason).Error
	if err != nil {
		return fmt.Errorf("moderation log: %w", err)
	}
	return nil
}

func itemColumn(kind string) string {
	if kind == KindArgument {
		return "argument_id"
	}
	return "contribution_id"
}
