package account

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Token purposes and lifetimes.
const (
	PurposeVerify = "verify"
	PurposeReset  = "reset"

	VerifyTTL = 48 * time.Hour
	ResetTTL  = time.Hour
)

// ErrTokenInvalid is returned for an unknown, used or expired token.
var ErrTokenInvalid = errors.New("account: token invalid or expired")

// IssueToken creates a single-use token for userID and purpose, replacing any
// earlier one of the same purpose. Only its SHA-256 is stored.
func (s *Store) IssueToken(ctx context.Context, userID int64, purpose string, now time.Time) (string, error) {
	ttl := ResetTTL
	if purpose == PurposeVerify {
		ttl = VerifyTTL
	}
	token := randomToken()
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		if err := conn.Exec(`DELETE FROM account_tokens WHERE user_id = ? AND purpose = ?`, userID, purpose).Error; err != nil {
			return err
		}
		// "( ?" and not "(?": GORM expands a []byte placed right after "(".
		return conn.Exec(`INSERT INTO account_tokens (hash, user_id, purpose, created_at, expires_at) VALUES ( ?, ?, ?, ?, ?)`,
			hashToken(token), userID, purpose, now, now.Add(ttl)).Error
	})
	if err != nil {
		return "", fmt.Errorf("issue %s token: %w", purpose, err)
	}
	return token, nil
}

// PeekToken reports whether token is live for purpose, without using it
// (for the page that shows the form).
func (s *Store) PeekToken(ctx context.Context, token, purpose string, now time.Time) error {
	if token == "" || len(token) > 100 {
		return ErrTokenInvalid
	}
	var n int64
	err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM account_tokens WHERE hash = ? AND purpose = ? AND expires_at > ?`,
		hashToken(token), purpose, now).Scan(&n).Error
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrTokenInvalid
	}
	return nil
}

// TokenUser returns the account of a live token for purpose, without using
// it.
func (s *Store) TokenUser(ctx context.Context, token, purpose string, now time.Time) (int64, error) {
	if token == "" || len(token) > 100 {
		return 0, ErrTokenInvalid
	}
	var userID int64
	err := s.db.Conn(ctx).Raw(`SELECT user_id FROM account_tokens WHERE hash = ? AND purpose = ? AND expires_at > ?`,
		hashToken(token), purpose, now).Scan(&userID).Error
	if err != nil {
		return 0, fmt.Errorf("read token: %w", err)
	}
	if userID == 0 {
		return 0, ErrTokenInvalid
	}
	return userID, nil
}

// ConsumeToken uses token once: it is deleted whatever happens, and its
// account returned only if it was live for purpose.
func (s *Store) ConsumeToken(ctx context.Context, token, purpose string, now time.Time) (int64, error) {
	if token == "" || len(token) > 100 {
		return 0, ErrTokenInvalid
	}
	var row struct {
		UserID    int64
		Purpose   string
		ExpiresAt time.Time
	}
	err := s.db.Conn(ctx).Raw(`DELETE FROM account_tokens WHERE hash = ? RETURNING user_id, purpose, expires_at`,
		hashToken(token)).Scan(&row).Error
	if err != nil {
		return 0, fmt.Errorf("consume token: %w", err)
	}
	if row.UserID == 0 || row.Purpose != purpose || !now.Before(row.ExpiresAt) {
		return 0, ErrTokenInvalid
	}
	return row.UserID, nil
}

// PurgeTokens deletes expired tokens.
func (s *Store) PurgeTokens(ctx context.Context, now time.Time) (int64, error) {
	res := s.db.Conn(ctx).Exec(`DELETE FROM account_tokens WHERE expires_at <= ?`, now)
	return res.RowsAffected, res.Error
}
