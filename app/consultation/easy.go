package consultation

import (
	"context"
	"fmt"
)

// EasyRead is the easy-to-read (FALC) version of a consultation's texts:
// per axis slug its title, presentation and questions (one per question, in
// order), and page texts by key ("accueil", "formulaire-contribution",
// "inscription"), paragraphs separated by a blank line.
type EasyRead struct {
	Axes  map[string]EasyAxis
	Pages map[string]string
}

// EasyAxis is the easy version of one axis.
type EasyAxis struct {
	Title        string
	Presentation string
	Questions    []string
}

// SeedEasyRead stores the easy version of the consultation slug's texts: the
// axes and questions named in e are updated where they differ, the page
// texts replace the stored ones. Seeding twice changes nothing. An axis of e
// that the consultation lacks, or with another number of questions, is an
// error: the easy version must follow the texts.
func (s *Store) SeedEasyRead(ctx context.Context, slug string, e EasyRead) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		var consID int64
		if err := conn.Table("consultations").Where("slug = ?", slug).Select("id").Take(&consID).Error; err != nil {
			return fmt.Errorf("seed easy read: consultation %s: %w", slug, err)
		}
		for axisSlug, a := range e.Axes {
			var axis struct {
				ID        int64
				Questions int
			}
			err := conn.Raw(`SELECT a.id, (SELECT count(*) FROM axis_questions q WHERE q.axis_id = a.id) AS questions
				FROM axes a WHERE a.consultation_id = ? AND a.slug = ?`, consID, axisSlug).Scan(&axis).Error
			if err != nil {
				return fmt.Errorf("seed easy read: axis %s: %w", axisSlug, err)
			}
			if axis.ID == 0 {
				return fmt.Errorf("seed easy read: no axis %q in the consultation", axisSlug)
			}
			if axis.Questions != len(a.Questions) {
				return fmt.Errorf("seed easy read: axis %s has %d questions, its easy version %d", axisSlug, axis.Questions, len(a.Questions))
			}
			err = conn.Exec(`UPDATE axes SET easy_title = ?, easy_presentation = ? WHERE id = ?
				AND (easy_title, easy_presentation) IS DISTINCT FROM (?, ?)`, a.Title, a.Presentation, axis.ID, a.Title, a.Presentation).Error
			if err != nil {
				return fmt.Errorf("seed easy read: axis %s: %w", axisSlug, err)
			}
			for i, q := range a.Questions {
				err := conn.Exec(`UPDATE axis_questions SET easy_text = ? WHERE axis_id = ? AND position = ? AND easy_text IS DISTINCT FROM ?`,
					q, axis.ID, i+1, q).Error
				if err != nil {
					return fmt.Errorf("seed easy read: question: %w", err)
				}
			}
		}
		keys := make([]string, 0, len(e.Pages))
		for key, body := range e.Pages {
			keys = append(keys, key)
			err := conn.Exec(`INSERT INTO easy_read_texts (consultation_id, key, body) VALUES (?, ?, ?)
				ON CONFLICT (consultation_id, key) DO UPDATE SET body = EXCLUDED.body
				WHERE easy_read_texts.body IS DISTINCT FROM EXCLUDED.body`, consID, key, body).Error
			if err != nil {
				return fmt.Errorf("seed easy read: page %s: %w", key, err)
			}
		}
		q := conn.Where("consultation_id = ?", consID)
		if len(keys) > 0 {
			q = q.Where("key NOT IN ?", keys)
		}
		return q.Delete(&easyReadText{}).Error
	})
}

type easyReadText struct {
	ConsultationID int64
	Key            string
	Body           string
}

func (easyReadText) TableName() string { return "easy_read_texts" }

// EasyTexts returns the easy page texts of consultation id, by key.
func (s *Store) EasyTexts(ctx context.Context, id int64) (map[string]string, error) {
	var rows []easyReadText
	if err := s.db.Conn(ctx).Where("consultation_id = ?", id).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("easy read texts: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Key] = r.Body
	}
	return out, nil
}
