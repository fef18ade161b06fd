package consultation

import (
	"context"
	"fmt"

	"github.com/cnr-numerique/concertation/app/db"
	"gorm.io/gorm/clause"
)

// Store reads and writes consultations in PostgreSQL.
type Store struct {
	db *db.DB
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

type axisQuestion struct {
	AxisID   int64
	Position int
	Text     string
	EasyText string
}

// Current returns the consultation shown on the platform (the most recently
// opened one that is not a draft) with its axes, questions and entries.
func (s *Store) Current(ctx context.Context) (Consultation, error) {
	var c Consultation
	err := s.db.Conn(ctx).Where("status <> ?", StatusDraft).Order("opens_at DESC, id DESC").Take(&c).Error
	if db.IsNotFound(err) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("current consultation: %w", err)
	}
	return c, s.loadChildren(ctx, &c)
}

func (s *Store) loadChildren(ctx context.Context, c *Consultation) error {
	conn := s.db.Conn(ctx)
	if err := conn.Where("consultation_id = ?", c.ID).Order("position").Find(&c.Axes).Error; err != nil {
		return fmt.Errorf("axes: %w", err)
	}
	if err := conn.Where("consultation_id = ?", c.ID).Order("position").Find(&c.Entries).Error; err != nil {
		return fmt.Errorf("entries: %w", err)
	}
	var qs []axisQuestion
	err := conn.Table("axis_questions q").Select("q.axis_id, q.position, q.text, q.easy_text").
		Joins("JOIN axes a ON a.id = q.axis_id").Where("a.consultation_id = ?", c.ID).
		Order("q.axis_id, q.position").Scan(&qs).Error
	if err != nil {
		return fmt.Errorf("questions: %w", err)
	}
	for _, q := range qs {
		for i := range c.Axes {
			if c.Axes[i].ID == q.AxisID {
				c.Axes[i].Questions = append(c.Axes[i].Questions, q.Text)
				c.Axes[i].EasyQuestions = append(c.Axes[i].EasyQuestions, q.EasyText)
			}
		}
	}
	return nil
}

// SeedConsultation inserts c with its axes, questions and entries. The
// consultation row itself is created only when missing (administrators own its
// dates and status afterwards); axes, questions and entries are reference
// texts updated only where they differ, so seeding twice changes nothing.
func (s *Store) SeedConsultation(ctx context.Context, c Consultation) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		err := conn.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "slug"}}, DoNothing: true}).
			Omit("id").Create(&c).Error
		if err != nil {
			return fmt.Errorf("seed consultation: %w", err)
		}
		if err := conn.Table("consultations").Where("slug = ?", c.Slug).Select("id").Take(&c.ID).Error; err != nil {
			return fmt.Errorf("seed consultation id: %w", err)
		}
		for _, a := range c.Axes {
			a.ConsultationID = c.ID
			err := conn.Raw(`INSERT INTO axes (consultation_id, position, slug, title, presentation)
				VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (consultation_id, slug) DO UPDATE
				SET position = EXCLUDED.position, title = EXCLUDED.title, presentation = EXCLUDED.presentation
				WHERE (axes.position, axes.title, axes.presentation) IS DISTINCT FROM (EXCLUDED.position, EXCLUDED.title, EXCLUDED.presentation)
				RETURNING id`, a.ConsultationID, a.Position, a.Slug, a.Title, a.Presentation).Scan(&a.ID).Error
			if err != nil {
				return fmt.Errorf("seed axis %s: %w", a.Slug, err)
			}
			if a.ID == 0 {
				if err := conn.Table("axes").Where("consultation_id = ? AND slug = ?", c.ID, a.Slug).Select("id").Take(&a.ID).Error; err != nil {
					return fmt.Errorf("seed axis id %s: %w", a.Slug, err)
				}
			}
			for i, q := range a.Questions {
				err := conn.Exec(`INSERT INTO axis_questions (axis_id, position, text) VALUES (?, ?, ?)
					ON CONFLICT (axis_id, position) DO UPDATE SET text = EXCLUDED.text
					WHERE axis_questions.text IS DISTINCT FROM EXCLUDED.text`, a.ID, i+1, q).Error
				if err != nil {
					return fmt.Errorf("seed question: %w", err)
				}
			}
			if err := conn.Exec(`DELETE FROM axis_questions WHERE axis_id = ? AND position > ?`, a.ID, len(a.Questions)).Error; err != nil {
				return err
			}
		}
		for _, e := range c.Entries {
			err := conn.Exec(`INSERT INTO entries (consultation_id, kind, position, slug, title, presentation)
				VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (consultation_id, kind) DO UPDATE
				SET position = EXCLUDED.position, slug = EXCLUDED.slug, title = EXCLUDED.title, presentation = EXCLUDED.presentation
				WHERE (entries.position, entries.slug, entries.title, entries.presentation) IS DISTINCT FROM
				      (EXCLUDED.position, EXCLUDED.slug, EXCLUDED.title, EXCLUDED.presentation)`,
				c.ID, e.Kind, e.Position, e.Slug, e.Title, e.Presentation).Error
			if err != nil {
				return fmt.Errorf("seed entry %s: %w", e.Kind, err)
			}
		}
		return nil
	})
}
