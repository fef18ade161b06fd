package moderation

import (
	"context"
	"fmt"
	"time"

	"github.com/cnr-numerique/concertation/app/frtime"
	"github.com/cnr-numerique/concertation/app/mail"
)

// Notification is a message to one account about a moderation decision.
type Notification struct {
	ID        int64
	UserID    int64
	Body      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// TableName maps Notification to its table.
func (Notification) TableName() string { return "notifications" }

// pendingMail is an e-mail built during a decision, sent (sendMails) at the
// end of the decision's transaction.
type pendingMail struct {
	to, subject, body string
}

// notify records a notification for userID in the transaction of ctx and
// returns the e-mail to send at its end.
func (s *Store) notify(ctx context.Context, userID int64, subject, body string) ([]pendingMail, error) {
	conn := s.db.Conn(ctx)
	if err := conn.Exec(`INSERT INTO notifications (user_id, body) VALUES (?, ?)`, userID, body).Error; err != nil {
		return nil, fmt.Errorf("notify %d: %w", userID, err)
	}
	if s.Mailer == nil {
		return nil, nil
	}
	var email string
	if err := conn.Raw(`SELECT email FROM users WHERE id = ?`, userID).Scan(&email).Error; err != nil {
		return nil, fmt.Errorf("notify %d: %w", userID, err)
	}
	if email == "" {
		return nil, nil
	}
	link := ""
	if s.BaseURL != "" {
		link = "\n\nVos notifications : " + s.BaseURL + "/compte/notifications"
	}
	return []pendingMail{{to: email, subject: subject, body: "Bonjour,\n\n" + body + link + "\n\nL'équipe de la concertation nationale sur l'inclusion numérique\n"}}, nil
}

// notifyAuthor notifies the item's author, if the account still exists.
func (s *Store) notifyAuthor(ctx context.Context, it Item, body string) ([]pendingMail, error) {
	if it.AuthorID == nil {
		return nil, nil
	}
	return s.notify(ctx, *it.AuthorID, "Décision de modération", body)
}

// sendMails sends the e-mails of a decision with the ctx of its transaction:
// the mail outbox writes them in it, so they leave if and only if the
// decision commits. A failure to queue them fails the decision.
func (s *Store) sendMails(ctx context.Context, mails []pendingMail) error {
	if s.Mailer == nil {
		return nil
	}
	for _, m := range mails {
		if err := s.Mailer.Send(ctx, mail.Message{To: m.to, Subject: m.subject, Body: m.body}); err != nil {
			return fmt.Errorf("moderation mail: %w", err)
		}
	}
	return nil
}

// Notifications returns the latest notifications of userID, newest first.
func (s *Store) Notifications(ctx context.Context, userID int64, limit int) ([]Notification, error) {
	var out []Notification
	err := s.db.Conn(ctx).Where("user_id = ?", userID).Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	return out, nil
}

// UnreadNotifications counts the unread notifications of userID.
func (s *Store) UnreadNotifications(ctx context.Context, userID int64) (int, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Count(&n).Error
	return int(n), err
}

// MarkNotificationsRead marks every notification of userID as read.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID int64) error {
	return s.db.Conn(ctx).Exec(`UPDATE notifications SET read_at = now() WHERE user_id = ? AND read_at IS NULL`, userID).Error
}

func itemPhrase(it Item) string {
	if it.Kind == KindArgument {
		return "Votre argument sur la contribution « " + it.Title + " »"
	}
	return "Votre contribution « " + it.Title + " »"
}

func feminine(it Item, fem, masc string) string {
	if it.Kind == KindArgument {
		return masc
	}
	return fem
}

func autoHiddenMessage(it Item) string {
	return itemPhrase(it) + " a été signalé" + feminine(it, "e", "") + " par plusieurs personnes. " +
		feminine(it, "Elle", "Il") + " est masqué" + feminine(it, "e", "") +
		" en attendant qu'une personne de l'équipe de modération l'examine."
}

func hiddenMessage(it Item, reason string) string {
	return itemPhrase(it) + " a été masqué" + feminine(it, "e", "") + " par l'équipe de modération. Motif : " + reason + "."
}

func restoredMessage(it Item) string {
	return itemPhrase(it) + " est de nouveau visible : l'équipe de modération l'a examiné" + feminine(it, "e", "") + "."
}

func blockedMessage(until time.Time, reason string) string {
	return "Votre compte est suspendu par l'équipe de modération jusqu'au " + frtime.DateTime(until) +
		". Motif : " + reason + ". Pendant cette période, vous pouvez lire la concertation, " +
		"mais pas contribuer, soutenir, argumenter ni signaler."
}

func unblockedMessage() string {
	return "La suspension de votre compte a été levée par l'équipe de modération : vous pouvez de nouveau participer."
}
