package moderation

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// QueueItem is an item with open reports, with what a moderator needs to
// decide.
type QueueItem struct {
	Item
	AuthorName         *string
	AuthorBlockedUntil *time.Time
	AuthorProtected    bool // moderator or administrator: cannot be blocked
	OpenReports        int
	FirstReportAt      time.Time
	Reasons            []ReasonCount
	Details            []string // the explanations written by the reporters

	// AssistedBy is the médiateur who wrote a contribution accompagnée
	// (moderators only: the public never sees it); nil otherwise.
	AssistedBy *int64
}

// ReasonCount is the number of open reports with one reason.
type ReasonCount struct {
	Reason string
	Label  string
	Count  int
}

// Excerpt returns the start of the body, at most n characters.
func (q QueueItem) Excerpt(n int) string {
	if utf8.RuneCountInString(q.Body) <= n {
		return q.Body
	}
	r := []rune(q.Body)
	return string(r[:n]) + "…"
}

// Queue returns the items with open reports, the most reported first, and
// their total number. Three queries whatever the page size.
func (s *Store) Queue(ctx context.Context, limit, offset int) ([]QueueItem, int, error) {
	conn := s.db.Conn(ctx)
	var total int64
	if err := conn.Raw(`SELECT count(DISTINCT (contribution_id, argument_id)) FROM reports WHERE resolved_at IS NULL`).Scan(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("queue count: %w", err)
	}
	var rows []queueRow
	err := conn.Raw(`
		WITH open AS (
			SELECT contribution_id, argument_id, count(*) AS open_reports, min(created_at) AS first_report_at
			FROM reports WHERE resolved_at IS NULL
			GROUP BY contribution_id, argument_id
			ORDER BY open_reports DESC, first_report_at, contribution_id, argument_id
			LIMIT ? OFFSET ?
		)
		SELECT CASE WHEN o.argument_id IS NULL THEN 'contribution' ELSE 'argument' END AS kind,
		       COALESCE(o.contribution_id, o.argument_id) AS id,
		       COALESCE(c.id, a.contribution_id) AS contribution_id,
		       COALESCE(c.title, ac.title) AS title,
		       COALESCE(c.body, a.body) AS body,
		       u.id AS author_id, u.display_name AS author_name, u.blocked_until AS author_blocked_until,
		       (SELECT count(*) FROM user_roles r WHERE r.user_id = u.id AND r.role IN ('moderator', 'admin')) AS role_count,
		       COALESCE(c.status, a.status) AS status,
		       COALESCE(c.hidden_reason, a.hidden_reason) AS hidden_reason,
		       (SELECT x.mediator_id FROM assisted_contributions x WHERE x.contribution_id = c.id) AS assisted_by,
		       o.open_reports, o.first_report_at
		FROM open o
		LEFT JOIN contributions c ON c.id = o.contribution_id
		LEFT JOIN arguments a ON a.id = o.argument_id
		LEFT JOIN contributions ac ON ac.id = a.contribution_id
		LEFT JOIN users u ON u.id = COALESCE(c.author_id, a.author_id)
		ORDER BY o.open_reports DESC, o.first_report_at, o.contribution_id, o.argument_id`, limit, offset).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("queue: %w", err)
	}
	items := make([]QueueItem, len(rows))
	var cids, aids []int64
	index := map[string]int{}
	for i, r := range rows {
		items[i] = r.item()
		index[items[i].Target()] = i
		if r.Kind == KindArgument {
			aids = append(aids, r.ID)
		} else {
			cids = append(cids, r.ID)
		}
	}
	if len(items) == 0 {
		return items, int(total), nil
	}
	var reports []struct {
		ContributionID *int64
		ArgumentID     *int64
		Reason         string
		Details        string
	}
	err = conn.Raw(`SELECT contribution_id, argument_id, reason, details FROM reports
		WHERE resolved_at IS NULL AND (contribution_id IN ? OR argument_id IN ?)
		ORDER BY created_at, id`, nonEmpty(cids), nonEmpty(aids)).Scan(&reports).Error
	if err != nil {
		return nil, 0, fmt.Errorf("queue reasons: %w", err)
	}
	for _, r := range reports {
		key := ""
		if r.ContributionID != nil {
			key = fmt.Sprintf("%s:%d", KindContribution, *r.ContributionID)
		} else if r.ArgumentID != nil {
			key = fmt.Sprintf("%s:%d", KindArgument, *r.ArgumentID)
		}
		i, ok := index[key]
		if !ok {
			continue
		}
		items[i].addReason(r.Reason)
		if r.Details != "" {
			items[i].Details = append(items[i].Details, r.Details)
		}
	}
	return items, int(total), nil
}

type queueRow struct {
	Kind               string
	ID                 int64
	ContributionID     int64
	Title              string
	Body               string
	AuthorID           *int64
	AuthorName         *string
	AuthorBlockedUntil *time.Time
	RoleCount          int
	Status             string
	HiddenReason       *string
	AssistedBy         *int64
	OpenReports        int
	FirstReportAt      time.Time
}

func (r queueRow) item() QueueItem {
	return QueueItem{
		Item: Item{Kind: r.Kind, ID: r.ID, ContributionID: r.ContributionID, Title: r.Title, Body: r.Body,
			AuthorID: r.AuthorID, Status: r.Status, HiddenReason: r.HiddenReason},
		AuthorName: r.AuthorName, AuthorBlockedUntil: r.AuthorBlockedUntil, AuthorProtected: r.RoleCount > 0,
		AssistedBy: r.AssistedBy, OpenReports: r.OpenReports, FirstReportAt: r.FirstReportAt,
	}
}

func (q *QueueItem) addReason(reason string) {
	for i := range q.Reasons {
		if q.Reasons[i].Reason == reason {
			q.Reasons[i].Count++
			return
		}
	}
	q.Reasons = append(q.Reasons, ReasonCount{Reason: reason, Label: ReasonLabel(reason), Count: 1})
}

// nonEmpty returns ids, or {0} (no row has id 0) so that IN () stays valid.
func nonEmpty(ids []int64) []int64 {
	if len(ids) == 0 {
		return []int64{0}
	}
	return ids
}
