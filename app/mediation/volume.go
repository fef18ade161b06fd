package mediation

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cnr-numerique/concertation/app/moderation"
)

// Assisted is a contribution accompagnée as the médiateur and the
// moderators list it.
type Assisted struct {
	ID             int64
	Title          string
	Status         string
	CreatedAt      time.Time
	PersonID       int64
	PersonLabel    string
	ClaimedAt      *time.Time
	ClaimExpiresAt *time.Time
}

// Claimed reports whether the person took it into their account.
func (a Assisted) Claimed() bool { return a.ClaimedAt != nil }

// CodeExpired reports whether its claim code expired before being used.
func (a Assisted) CodeExpired(now time.Time) bool {
	return a.ClaimedAt == nil && a.ClaimExpiresAt != nil && !now.Before(*a.ClaimExpiresAt)
}

// Recent returns the latest contributions accompagnées of médiateur
// mediatorID, newest first, at most limit.
func (s *Service) Recent(ctx context.Context, mediatorID int64, limit int) ([]Assisted, error) {
	var out []Assisted
	err := s.db.Conn(ctx).Raw(`SELECT c.id, c.title, c.status, c.created_at, a.person_id, p.label AS person_label, a.claimed_at, a.claim_expires_at
		FROM assisted_contributions a JOIN contributions c ON c.id = a.contribution_id JOIN mediation_people p ON p.id = a.person_id
		WHERE a.mediator_id = ? ORDER BY a.created_at DESC, c.id DESC LIMIT ?`, mediatorID, limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("assisted contributions of %d: %w", mediatorID, err)
	}
	return out, nil
}

// Volume is what one médiateur did, for the moderators: in all and over
// the last seven days.
type Volume struct {
	Mediator
	People, PeopleWeek               int
	Contributions, ContributionsWeek int
	Hidden                           int // contributions hidden by moderation
	Claimed                          int // contributions taken by their person
	Supports, SupportsWeek           int
	Refusals                         int // actions refused (territory, limits)
	LastActivity                     *time.Time
}

// Volumes returns the figures of every médiateur, active or not, the most
// active over the last seven days first, and their sum (in the Volume's
// counts; its Mediator part is empty).
func (s *Service) Volumes(ctx context.Context) ([]Volume, Volume, error) {
	var rows []Volume
	err := s.db.Conn(ctx).Raw(`SELECT `+mediatorColumns+`,
		(SELECT count(*) FROM mediation_people p WHERE p.mediator_id = m.user_id) AS people,
		(SELECT count(*) FROM mediation_people p WHERE p.mediator_id = m.user_id AND p.created_at >= @week) AS people_week,
		(SELECT count(*) FROM assisted_contributions a WHERE a.mediator_id = m.user_id) AS contributions,
		(SELECT count(*) FROM assisted_contributions a WHERE a.mediator_id = m.user_id AND a.created_at >= @week) AS contributions_week,
		(SELECT count(*) FROM assisted_contributions a JOIN contributions c ON c.id = a.contribution_id
		  WHERE a.mediator_id = m.user_id AND c.status = 'hidden') AS hidden,
		(SELECT count(*) FROM assisted_contributions a WHERE a.mediator_id = m.user_id AND a.claimed_at IS NOT NULL) AS claimed,
		(SELECT count(*) FROM assisted_supports s WHERE s.mediator_id = m.user_id) AS supports,
		(SELECT count(*) FROM assisted_supports s WHERE s.mediator_id = m.user_id AND s.created_at >= @week) AS supports_week,
		(SELECT count(*) FROM audit_log l WHERE l.action = @refused AND l.actor_id = m.user_id) AS refusals,
		(SELECT max(l.at) FROM audit_log l WHERE l.action = ANY(CAST(@actions AS text[])) AND l.actor_id = m.user_id) AS last_activity
		FROM mediators m JOIN users u ON u.id = m.user_id`,
		map[string]any{"week": time.Now().AddDate(0, 0, -7), "refused": moderation.AuditMediationRefusal, "actions": actionsArray()}).
		Scan(&rows).Error
	if err != nil {
		return nil, Volume{}, fmt.Errorf("mediation volumes: %w", err)
	}
	var total Volume
	for i := range rows {
		if rows[i].Mediator, err = s.named(ctx, rows[i].Mediator); err != nil {
			return nil, total, err
		}
		v := rows[i]
		total.People += v.People
		total.PeopleWeek += v.PeopleWeek
		total.Contributions += v.Contributions
		total.ContributionsWeek += v.ContributionsWeek
		total.Hidden += v.Hidden
		total.Claimed += v.Claimed
		total.Supports += v.Supports
		total.SupportsWeek += v.SupportsWeek
		total.Refusals += v.Refusals
	}
	sortVolumes(rows)
	return rows, total, nil
}

// sortVolumes puts the most active médiateurs of the week first, then the
// most active in all, then by name.
func sortVolumes(rows []Volume) {
	week := func(v Volume) int { return v.PeopleWeek + v.ContributionsWeek + v.SupportsWeek }
	all := func(v Volume) int { return v.People + v.Contributions + v.Supports }
	slices.SortStableFunc(rows, func(a, b Volume) int {
		if c := cmp.Compare(week(b), week(a)); c != 0 {
			return c
		}
		if c := cmp.Compare(all(b), all(a)); c != 0 {
			return c
		}
		return strings.Compare(a.DisplayName, b.DisplayName)
	})
}

// actions are the audit actions of a médiateur at work.
var actions = []string{moderation.AuditMediationPerson, moderation.AuditMediationContrib, moderation.AuditMediationSupport,
	moderation.AuditMediationUnsupp, moderation.AuditMediationCode, moderation.AuditMediationRefusal}

func actionsArray() string { return "{" + strings.Join(actions, ",") + "}" }

// Activity returns the latest audit entries of médiateur mediatorID at work
// (people, contributions, supports, codes, refusals), newest first.
func (s *Service) Activity(ctx context.Context, mediatorID int64, limit int) ([]moderation.AuditRow, error) {
	var rows []moderation.AuditRow
	err := s.db.Conn(ctx).Raw(`SELECT l.id, l.at, l.actor_id, l.action, l.target, l.details::text AS details
		FROM audit_log l WHERE l.action = ANY(?::text[]) AND l.actor_id = ? ORDER BY l.at DESC, l.id DESC LIMIT ?`,
		actionsArray(), mediatorID, limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("activity of médiateur %d: %w", mediatorID, err)
	}
	return rows, nil
}
