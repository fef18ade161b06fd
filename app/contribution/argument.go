package contribution

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// MaxArguments is the number of arguments a contribution page shows.
const MaxArguments = 500

// Arguments returns the published arguments of contribution id and those
// hidden by moderation (shown with their reason instead of their text),
// oldest first, each with its replies (one level).
func (s *Store) Arguments(ctx context.Context, id int64) ([]Argument, error) {
	rs, err := s.db.Query(ctx, argumentRows("$1"), id)
	if err != nil {
		return nil, fmt.Errorf("arguments of %d: %w", id, err)
	}
	defer rs.Close()
	var rows []Argument
	for rs.Next() {
		var a Argument
		if err := rs.Scan(&a.ID, &a.ContributionID, &a.ParentID, &a.AuthorID, &a.AuthorCategory, &a.Stance,
			&a.Body, &a.Status, &a.HiddenReason, &a.CreatedAt, &a.EditedAt, &a.AuthorName); err != nil {
			return nil, fmt.Errorf("arguments of %d: %w", id, err)
		}
		rows = append(rows, a)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("arguments of %d: %w", id, err)
	}
	return threads(rows), nil
}

// argumentRows selects the rows of Arguments, before threading, for the
// contribution whose id is the SQL expression contribution ("$1", or a
// column of an outer query): the one definition of which arguments a page
// shows, in which order, how many.
func argumentRows(contribution string) string {
	return `SELECT a.id, a.contribution_id, a.parent_id, a.author_id, a.author_category, a.stance,
		a.body, a.status, a.hidden_reason, a.created_at, a.edited_at, COALESCE(u.display_name, '') AS author_name
		FROM arguments a LEFT JOIN users u ON u.id = a.author_id
		WHERE a.contribution_id = ` + contribution + ` AND a.status IN ('published', 'hidden')
		ORDER BY a.created_at, a.id LIMIT ` + strconv.Itoa(MaxArguments)
}

// threads puts replies under the arguments they answer.
func threads(rows []Argument) []Argument {
	var top []Argument
	index := map[int64]int{}
	for _, a := range rows {
		if a.ParentID == nil {
			index[a.ID] = len(top)
			top = append(top, a)
		}
	}
	for _, a := range rows {
		if a.ParentID != nil {
			if i, ok := index[*a.ParentID]; ok {
				top[i].Replies = append(top[i].Replies, a)
			}
		}
	}
	return top
}

// AddArgument publishes an argument of actor on contribution id, or a reply
// when d.ParentID is set (replies to replies are refused: one level).
func (s *Store) AddArgument(ctx context.Context, actor Actor, id int64, d ArgumentDraft) (Problems, error) {
	if p := d.Normalize(); len(p) > 0 {
		return p, nil
	}
	if actor.UserID == 0 || actor.Category == "" {
		return nil, ErrNotAllowed
	}
	var problems Problems
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		var status string
		if err := conn.Raw(`SELECT status FROM contributions WHERE id = ?`, id).Scan(&status).Error; err != nil {
			return fmt.Errorf("argument target: %w", err)
		}
		switch status {
		case "":
			return ErrNotFound
		case StatusPublished:
		default:
			return ErrNotPublished
		}
		var parent *int64
		if d.ParentID != 0 {
			var n int64
			err := conn.Raw(`SELECT count(*) FROM arguments WHERE id = ? AND contribution_id = ? AND parent_id IS NULL AND status = 'published'`,
				d.ParentID, id).Scan(&n).Error
			if err != nil {
				return fmt.Errorf("argument parent: %w", err)
			}
			if n == 0 {
				problems = Problems{FieldBody: "On ne peut répondre qu'à un argument publié de cette contribution."}
				return nil
			}
			parent = &d.ParentID
		}
		err := conn.Exec(`INSERT INTO arguments (contribution_id, parent_id, author_id, author_category, stance, body)
			VALUES (?, ?, ?, ?, ?, ?)`, id, parent, actor.UserID, actor.Category, d.Stance, d.Body).Error
		if err != nil {
			return fmt.Errorf("insert argument: %w", err)
		}
		if err := s.addArgument(ctx, id, d.Stance, 1); err != nil {
			return err
		}
		return s.outboxCounts(ctx, id)
	})
	if err = gone(err); errors.Is(err, ErrNotFound) || errors.Is(err, ErrNotPublished) || errors.Is(err, ErrNotAllowed) {
		return nil, err
	}
	if err == nil && len(problems) == 0 {
		s.changed() // the "most discussed" order changed
	}
	return problems, err
}
