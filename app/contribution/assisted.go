package contribution

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Assisted contributions and supports: what a médiateur numérique writes or
// supports for a person at their side. app/mediation records the person and
// their consent, checks the médiateur's role, territory and limits, and calls
// the operations below inside its own transaction; the rows, the counters
// and the search outbox stay written here only.

// Errors of the assisted operations.
var (
	ErrClaimUnknown = errors.New("contribution: unknown or already used claim code")
	ErrClaimExpired = errors.New("contribution: claim code expired")
	// ErrMediatorOwn refuses an assisted support of the médiateur's own
	// contribution, or of a proposal of a Hub they belong to.
	ErrMediatorOwn = errors.New("contribution: the médiateur's own contribution")
)

// AssistedPerson is a person accompanied by a médiateur, as this package
// needs them: their id (one per consent), the médiateur, and the author
// category and département they gave.
type AssistedPerson struct {
	ID            int64
	MediatorID    int64
	Category      string
	DepartementID int64
}

// CreateAssisted publishes d as a free contribution that the médiateur wrote
// for person p, marked assisted, in the transaction of ctx. It has no author
// account until the person claims it; its author category and its territory
// are the person's (their département). claimHash is the hash of its claim
// code, valid until claimExpires. It returns the new id, or the problems of
// the draft (nothing is stored then).
func (s *Store) CreateAssisted(ctx context.Context, p AssistedPerson, consultationID int64, d Draft,
	claimHash []byte, claimExpires time.Time) (int64, Problems, error) {
	d.Entry, d.HubID, d.ReactsToID, d.ReactionType = EntryLibres, 0, 0, ""
	d.TerritoryKind, d.TerritoryCode = "", ""
	if pr := d.Normalize(); len(pr) > 0 {
		return 0, pr, nil
	}
	if p.ID == 0 || p.MediatorID == 0 || p.Category == "" || p.DepartementID == 0 || len(claimHash) == 0 {
		return 0, nil, ErrNotAllowed
	}
	var id int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		c, pr, err := s.resolve(ctx, Actor{DepartementID: &p.DepartementID}, consultationID, d)
		if err != nil {
			return err
		}
		if len(pr) > 0 {
			return errProblems{pr}
		}
		if c.DepartementID == nil {
			return fmt.Errorf("assisted contribution: territory %d is not a département", p.DepartementID)
		}
		c.Entry, c.AuthorCategory, c.Status, c.Assisted = EntryLibres, p.Category, StatusPublished, true
		conn := s.db.Conn(ctx)
		if err := conn.Omit("id", "created_at", "updated_at", "edited_at", "hidden_reason").Create(&c).Error; err != nil {
			return fmt.Errorf("create assisted contribution: %w", err)
		}
		id = c.ID
		if err := conn.Exec(`INSERT INTO contribution_counters (contribution_id) VALUES (?)`, id).Error; err != nil {
			return fmt.Errorf("create counters: %w", err)
		}
		if err := conn.Exec(`INSERT INTO assisted_contributions (contribution_id, person_id, mediator_id, claim_expires_at, claim_hash)
			VALUES (?, ?, ?, ?, ?)`, id, p.ID, p.MediatorID, claimExpires, claimHash).Error; err != nil {
			return fmt.Errorf("create assisted contribution: %w", err)
		}
		return s.outbox(ctx, id)
	})
	var ep errProblems
	if errors.As(err, &ep) {
		return 0, ep.p, nil
	}
	if err != nil {
		return 0, nil, gone(err)
	}
	s.changed()
	return id, nil, nil
}

// ClaimCodeTaken reports whether hash is the hash of a claim code in use.
func (s *Store) ClaimCodeTaken(ctx context.Context, hash []byte) (bool, error) {
	var n int64
	if err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM assisted_contributions WHERE claim_hash = ?`, hash).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("claim code: %w", err)
	}
	return n > 0, nil
}

// ReissueClaimCode gives the assisted contribution id, recorded by
// mediatorID and not claimed yet, a new claim code (its hash, valid until
// expires): the former code stops working. ErrNotAllowed otherwise.
func (s *Store) ReissueClaimCode(ctx context.Context, id, mediatorID int64, hash []byte, expires time.Time) error {
	res := s.db.Conn(ctx).Exec(`UPDATE assisted_contributions SET claim_expires_at = ?, claim_hash = ?
		WHERE contribution_id = ? AND mediator_id = ? AND claimed_at IS NULL`, expires, hash, id, mediatorID)
	if res.Error != nil {
		return fmt.Errorf("reissue claim code: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotAllowed
	}
	return nil
}

// Claimed is what a claim did: the contribution taken, and the médiateur
// and person it was written by and for.
type Claimed struct {
	ContributionID int64
	MediatorID     int64
	PersonID       int64
}

// Claim makes account userID the author of the assisted contribution whose
// claim code hashes to hash, in one transaction: the code is used up, the
// contribution stays marked assisted and keeps its category and territory.
// Errors: ErrClaimUnknown (no such code, or used), ErrClaimExpired, ErrOwn
// (the médiateur who wrote it cannot take it).
func (s *Store) Claim(ctx context.Context, hash []byte, userID int64) (Claimed, error) {
	var out Claimed
	if len(hash) == 0 || userID == 0 {
		return out, ErrClaimUnknown
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		var rows []struct {
			ContributionID int64
			MediatorID     *int64
			PersonID       int64
			Expired        bool
		}
		if err := conn.Raw(`SELECT contribution_id, mediator_id, person_id, claim_expires_at <= now() AS expired
			FROM assisted_contributions WHERE claim_hash = ? FOR UPDATE`, hash).Scan(&rows).Error; err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		if len(rows) == 0 {
			return ErrClaimUnknown
		}
		r := rows[0]
		switch {
		case r.Expired:
			return ErrClaimExpired
		case r.MediatorID != nil && *r.MediatorID == userID:
			return ErrOwn
		}
		out = Claimed{ContributionID: r.ContributionID, PersonID: r.PersonID}
		if r.MediatorID != nil {
			out.MediatorID = *r.MediatorID
		}
		if err := conn.Exec(`UPDATE contributions SET author_id = ?, updated_at = now() WHERE id = ?`, userID, r.ContributionID).Error; err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		if err := conn.Exec(`UPDATE assisted_contributions SET claim_hash = NULL, claim_expires_at = NULL, claimed_at = now(), claimed_by = ?
			WHERE contribution_id = ?`, userID, r.ContributionID).Error; err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		return s.outbox(ctx, r.ContributionID)
	})
	if err != nil {
		return Claimed{}, gone(err)
	}
	s.changed()
	return out, nil
}

// assistedSupportTarget checks that person p may support contribution id: it
// is published, it is not their own assisted contribution (ErrOwn), and it
// is not the médiateur's own contribution or a proposal of their Hub
// (ErrMediatorOwn).
func (s *Store) assistedSupportTarget(ctx context.Context, p AssistedPerson, id int64) error {
	var rows []struct {
		Status      string
		Person      bool
		MediatorOwn bool
	}
	err := s.db.Conn(ctx).Raw(`SELECT c.status,
		EXISTS (SELECT 1 FROM assisted_contributions a WHERE a.contribution_id = c.id AND a.person_id = ?) AS person,
		(c.author_id = ? OR EXISTS (SELECT 1 FROM hub_members m WHERE m.hub_id = c.hub_id AND m.user_id = ?)) IS TRUE AS mediator_own
		FROM contributions c WHERE c.id = ?`, p.ID, p.MediatorID, p.MediatorID, id).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("assisted support target: %w", err)
	}
	switch {
	case len(rows) == 0:
		return ErrNotFound
	case rows[0].Status != StatusPublished:
		return ErrNotPublished
	case rows[0].Person:
		return ErrOwn
	case rows[0].MediatorOwn:
		return ErrMediatorOwn
	}
	return nil
}

// SupportAssisted records the support of person p for contribution id, in
// the transaction of ctx, and returns the count. As for accounts, the primary
// key of assisted_supports (contribution, person) refuses a second row and
// the counter moves only when a row was inserted, in the same statement.
func (s *Store) SupportAssisted(ctx context.Context, p AssistedPerson, id int64) (int, error) {
	if err := s.assistedSupportTarget(ctx, p, id); err != nil {
		return 0, err
	}
	n, err := s.countToggle(ctx, `INSERT INTO assisted_supports (contribution_id, person_id, mediator_id) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, []any{id, p.ID, p.MediatorID}, 1, id)
	if err != nil {
		return 0, gone(err)
	}
	s.changed()
	return n, nil
}

// UnsupportAssisted removes the support of person p for contribution id, in
// the transaction of ctx, and returns the count.
func (s *Store) UnsupportAssisted(ctx context.Context, p AssistedPerson, id int64) (int, error) {
	n, err := s.countToggle(ctx, `DELETE FROM assisted_supports WHERE contribution_id = ? AND person_id = ?`, []any{id, p.ID}, -1, id)
	if err != nil {
		return 0, gone(err)
	}
	s.changed()
	return n, nil
}

// AssistedSupporters returns which of the people personIDs support
// contribution id, in one query.
func (s *Store) AssistedSupporters(ctx context.Context, id int64, personIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(personIDs) == 0 {
		return out, nil
	}
	var got []int64
	err := s.db.Conn(ctx).Raw(`SELECT person_id FROM assisted_supports WHERE contribution_id = ? AND person_id = ANY(?::bigint[])`,
		id, int64Array(personIDs)).Scan(&got).Error
	if err != nil {
		return nil, fmt.Errorf("assisted supporters of %d: %w", id, err)
	}
	for _, p := range got {
		out[p] = true
	}
	return out, nil
}
