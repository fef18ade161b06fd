package contribution

import (
	"context"
	"errors"
	"fmt"

	"github.com/cnr-numerique/concertation/app/hub"
)

// errProblems carries validation problems found inside a transaction.
type errProblems struct{ p Problems }

func (e errProblems) Error() string { return "contribution: invalid draft" }

// Create publishes d for actor in the consultation consultationID. It returns
// the new id, or the problems of the draft (nothing is stored then). A
// reaction increments the counter of its Hub proposal in the same
// transaction; every change writes a search outbox row.
func (s *Store) Create(ctx context.Context, actor Actor, consultationID int64, d Draft) (int64, Problems, error) {
	if p := d.Normalize(); len(p) > 0 {
		return 0, p, nil
	}
	if actor.UserID == 0 || actor.Category == "" {
		return 0, nil, ErrNotAllowed
	}
	var id int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		c, p, err := s.resolve(ctx, actor, consultationID, d)
		if err != nil {
			return err
		}
		if len(p) > 0 {
			return errProblems{p}
		}
		if d.Entry == EntryHubs {
			if !actor.memberOf(d.HubID) {
				return errProblems{Problems{FieldHub: "Vous ne pouvez publier une proposition qu'au nom d'un Hub dont vous êtes membre."}}
			}
			c.HubID = &d.HubID
		}
		if d.ReactsToID != 0 {
			if err := s.checkReactionTarget(ctx, consultationID, d.ReactsToID); err != nil {
				return err
			}
			c.ReactsToID, c.ReactionType = &d.ReactsToID, &d.ReactionType
		}
		c.Entry, c.AuthorID, c.AuthorCategory, c.Status = d.Entry, &actor.UserID, actor.Category, StatusPublished
		if d.Entry == EntryHubs {
			c.AuthorCategory = hub.AuthorCategory
		}
		conn := s.db.Conn(ctx)
		if err := conn.Omit("id", "created_at", "updated_at", "edited_at", "hidden_reason").Create(&c).Error; err != nil {
			return fmt.Errorf("create contribution: %w", err)
		}
		id = c.ID
		if err := conn.Exec(`INSERT INTO contribution_counters (contribution_id) VALUES (?)`, id).Error; err != nil {
			return fmt.Errorf("create counters: %w", err)
		}
		if d.ReactsToID != 0 {
			if err := s.addReaction(ctx, d.ReactsToID, d.ReactionType, 1); err != nil {
				return err
			}
			return s.outboxRows(ctx, []int64{id}, []int64{d.ReactsToID})
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

// resolve checks the axis and territory of d and returns the row with them.
func (s *Store) resolve(ctx context.Context, actor Actor, consultationID int64, d Draft) (Contribution, Problems, error) {
	c := Contribution{ConsultationID: consultationID, AxisID: d.AxisID, Title: d.Title, Body: d.Body}
	p := Problems{}
	var n int64
	if err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM axes WHERE id = ? AND consultation_id = ?`, d.AxisID, consultationID).Scan(&n).Error; err != nil {
		return c, nil, fmt.Errorf("check axis: %w", err)
	}
	if n == 0 {
		p.Add(FieldAxis, "Choisissez un axe dans la liste.")
	}
	refs, err := s.Refs(ctx)
	if err != nil {
		return c, nil, err
	}
	var t hub.Territory
	var ok bool
	if d.TerritoryKind == "" {
		if actor.DepartementID != nil {
			t, ok = refs.Territory(*actor.DepartementID)
		}
	} else {
		t, ok = refs.TerritoryByCode(d.TerritoryKind, d.TerritoryCode)
	}
	if !ok {
		p.Add(FieldTerritory, "Choisissez un territoire dans la liste.")
		return c, p, nil
	}
	c.TerritoryID = &t.ID
	if t.Kind == hub.KindRegion {
		c.RegionID = &t.ID
	} else {
		c.DepartementID, c.RegionID = &t.ID, t.RegionID
	}
	return c, p, nil
}

func (s *Store) checkReactionTarget(ctx context.Context, consultationID, id int64) error {
	var n int64
	err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM contributions
		WHERE id = ? AND consultation_id = ? AND entry = 'hubs' AND status = 'published'`, id, consultationID).Scan(&n).Error
	if err != nil {
		return fmt.Errorf("check reaction target: %w", err)
	}
	if n == 0 {
		return errProblems{Problems{FieldReaction: "On ne peut réagir qu'à une proposition de Hub publiée."}}
	}
	return nil
}

// addReaction adds delta to the counter of reaction type t of id.
func (s *Store) addReaction(ctx context.Context, id int64, t string, delta int) error {
	if !validReaction(t) {
		return fmt.Errorf("reaction type %q", t)
	}
	col := "reactions_" + t // validated above: one of four known names
	err := s.db.Conn(ctx).Exec(`UPDATE contribution_counters SET `+col+` = `+col+` + ? WHERE contribution_id = ?`, delta, id).Error
	if err != nil {
		return fmt.Errorf("reaction counter: %w", err)
	}
	return nil
}

// lockForEdit reads contribution id for update and checks that actor may
// change it.
func (s *Store) lockForEdit(ctx context.Context, actor Actor, id int64) (Contribution, error) {
	var rows []Contribution
	if err := s.db.Conn(ctx).Raw(`SELECT * FROM contributions WHERE id = ? FOR UPDATE`, id).Scan(&rows).Error; err != nil {
		return Contribution{}, fmt.Errorf("lock contribution: %w", err)
	}
	if len(rows) == 0 {
		return Contribution{}, ErrNotFound
	}
	c := rows[0]
	if c.Status != StatusPublished {
		return c, ErrNotPublished
	}
	if !(View{Contribution: c}).CanEdit(actor) {
		return c, ErrNotAllowed
	}
	return c, nil
}

// Update changes the axis, territory, title and body of contribution id. Its
// entry, Hub and reaction stay as published.
func (s *Store) Update(ctx context.Context, actor Actor, id int64, d Draft) (Problems, error) {
	var problems Problems
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		c, err := s.lockForEdit(ctx, actor, id)
		if err != nil {
			return err
		}
		d.Entry, d.ReactsToID, d.ReactionType = c.Entry, 0, ""
		if c.HubID != nil {
			d.HubID = *c.HubID
		}
		if problems = d.Normalize(); len(problems) > 0 {
			return nil
		}
		if d.TerritoryKind == "" && c.TerritoryID != nil {
			refs, err := s.Refs(ctx)
			if err != nil {
				return err
			}
			if t, ok := refs.Territory(*c.TerritoryID); ok {
				d.TerritoryKind, d.TerritoryCode = t.Kind, t.Code
			}
		}
		nc, p, err := s.resolve(ctx, actor, c.ConsultationID, d)
		if err != nil || len(p) > 0 {
			problems = p
			return err
		}
		err = s.db.Conn(ctx).Exec(`UPDATE contributions SET axis_id = ?, territory_id = ?, region_id = ?, departement_id = ?,
			title = ?, body = ?, edited_at = now(), updated_at = now() WHERE id = ?`,
			nc.AxisID, nc.TerritoryID, nc.RegionID, nc.DepartementID, nc.Title, nc.Body, id).Error
		if err != nil {
			return fmt.Errorf("update contribution: %w", err)
		}
		return s.outbox(ctx, id)
	})
	if err == nil && len(problems) == 0 {
		s.changed()
	}
	return problems, err
}

// Withdraw withdraws contribution id at its author's request. A reaction
// leaves the counts of its Hub proposal.
func (s *Store) Withdraw(ctx context.Context, actor Actor, id int64) error {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		c, err := s.lockForEdit(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := s.db.Conn(ctx).Exec(`UPDATE contributions SET status = 'withdrawn', updated_at = now() WHERE id = ?`, id).Error; err != nil {
			return fmt.Errorf("withdraw: %w", err)
		}
		if c.ReactsToID != nil && c.ReactionType != nil {
			if err := s.addReaction(ctx, *c.ReactsToID, *c.ReactionType, -1); err != nil {
				return err
			}
			return s.outboxRows(ctx, []int64{id}, []int64{*c.ReactsToID})
		}
		return s.outbox(ctx, id)
	})
	if err == nil {
		s.changed()
	}
	return err
}
