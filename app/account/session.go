package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
)

// Session lifetimes.
const (
	SessionIdle     = 24 * time.Hour      // ended after a day without activity
	SessionAbsolute = 30 * 24 * time.Hour // ended 30 days after sign-in, whatever happens
	touchEvery      = 5 * time.Minute     // last_seen_at is written at most this often
)

// Session is a server-side session. The cookie holds Token; the database only
// its SHA-256, so a leaked table does not give usable cookies.
type Session struct {
	Token      string `gorm:"-"`
	IDHash     []byte
	UserID     *int64
	Data       map[string]string `gorm:"serializer:json"`
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	Viewer     *Viewer `gorm:"-"`
}

// TableName maps Session to its table.
func (Session) TableName() string { return "sessions" }

// Sessions stores sessions in PostgreSQL, so every app instance shares them.
type Sessions struct {
	db  *db.DB
	now func() time.Time
}

// NewSessions returns a session store; now is the clock (time.Now if nil).
func NewSessions(d *db.DB, now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{db: d, now: now}
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Create opens a new session, for userID or anonymous when nil, with a fresh
// id: signing in always creates a new one (no session fixation).
func (s *Sessions) Create(ctx context.Context, userID *int64, data map[string]string) (Session, error) {
	now := s.now()
	if data == nil {
		data = map[string]string{}
	}
	sess := Session{
		Token: randomToken(), UserID: userID, Data: data,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionAbsolute),
	}
	sess.IDHash = hashToken(sess.Token)
	if err := s.db.Conn(ctx).Create(&sess).Error; err != nil {
		return Session{}, fmt.Errorf("create session: %w", err)
	}
	return sess, nil
}

type sessionRow struct {
	Session
	DisplayName   *string
	Category      *string
	DepartementID *int64
	BlockedUntil  *time.Time
	Roles         *string
	Hubs          *string
}

// Get returns the live session of token with its viewer (nil when anonymous).
// An expired session (idle or absolute) is deleted and ErrSessionExpired
// returned. One query reads the session, the account, its roles and Hubs.
func (s *Sessions) Get(ctx context.Context, token string) (Session, error) {
	if token == "" || len(token) > 100 {
		return Session{}, ErrNotFound
	}
	var row sessionRow
	err := s.db.Conn(ctx).Raw(`
		SELECT s.id_hash, s.user_id, s.data, s.created_at, s.last_seen_at, s.expires_at,
		       u.display_name, u.category, u.departement_id, u.blocked_until,
		       (SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles,
		       (SELECT string_agg(m.hub_id::text, ',') FROM hub_members m WHERE m.user_id = u.id) AS hubs
		FROM sessions s LEFT JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ?`, hashToken(token)).Scan(&row).Error
	if err != nil {
		return Session{}, fmt.Errorf("get session: %w", err)
	}
	if row.IDHash == nil {
		return Session{}, ErrNotFound
	}
	sess := row.Session
	sess.Token = token
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > SessionIdle {
		_ = s.Delete(ctx, token)
		return Session{}, ErrSessionExpired
	}
	if sess.UserID != nil && row.DisplayName != nil {
		v := &Viewer{ID: *sess.UserID, DisplayName: *row.DisplayName, DepartementID: row.DepartementID, BlockedUntil: row.BlockedUntil}
		if row.Category != nil {
			v.Category = *row.Category
		}
		if row.Roles != nil {
			v.Roles = strings.Split(*row.Roles, ",")
		}
		if row.Hubs != nil {
			for _, h := range strings.Split(*row.Hubs, ",") {
				id, _ := strconv.ParseInt(h, 10, 64)
				v.HubIDs = append(v.HubIDs, id)
			}
		}
		sess.Viewer = v
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		err := s.db.Conn(ctx).Exec(`UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, now, sess.IDHash).Error
		if err != nil {
			return Session{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return sess, nil
}

// SetData replaces the session's data.
func (s *Sessions) SetData(ctx context.Context, token string, data map[string]string) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return s.db.Conn(ctx).Exec(`UPDATE sessions SET data = ? WHERE id_hash = ?`, string(b), hashToken(token)).Error
}

// Delete ends a session server-side.
func (s *Sessions) Delete(ctx context.Context, token string) error {
	return s.db.Conn(ctx).Exec(`DELETE FROM sessions WHERE id_hash = ?`, hashToken(token)).Error
}

// DeleteUser ends every session of an account (password reset, deletion).
func (s *Sessions) DeleteUser(ctx context.Context, userID int64) error {
	return s.db.Conn(ctx).Exec(`DELETE FROM sessions WHERE user_id = ?`, userID).Error
}

// Purge deletes expired sessions and returns how many.
func (s *Sessions) Purge(ctx context.Context) (int64, error) {
	now := s.now()
	res := s.db.Conn(ctx).Exec(`DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at < ?`, now, now.Add(-SessionIdle))
	return res.RowsAffected, res.Error
}
