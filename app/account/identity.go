package account

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrEmailUnverified is returned when a provider gives no verified address for
// an identity it has never seen: such an identity can neither create an
// account nor be linked to one.
var ErrEmailUnverified = errors.New("account: the provider did not verify the e-mail")

// Identity is what the platform keeps of an OpenID Connect sign-in: the
// provider's subject, and the address and name used once to create or find
// the account. Nothing else from the provider is stored.
type Identity struct {
	Provider      string
	Subject       string
	Email         string
	EmailVerified bool
	DisplayName   string
}

// SignInWithIdentity returns the account of id: the one already linked to
// (provider, subject), else the account of the verified address (linked
// now), else a new account. An account whose address was never verified is
// taken over: whoever created it did not own the address, so it loses its
// password, its sessions, and what its creator said (display name, replaced
// by the provider's; category, département and terms acceptance, cleared so
// that the owner is asked again).
func (s *Store) SignInWithIdentity(ctx context.Context, id Identity, now time.Time) (u User, created bool, err error) {
	if id.Provider == "" || id.Subject == "" || len(id.Subject) > 255 {
		return u, false, fmt.Errorf("identity without subject")
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		var userID int64
		if err := conn.Raw(`SELECT user_id FROM user_identities WHERE provider = ? AND subject = ?`, id.Provider, id.Subject).Scan(&userID).Error; err != nil {
			return err
		}
		if userID != 0 {
			u, err = s.ByID(ctx, userID)
			return err
		}
		email := NormalizeEmail(id.Email)
		if !id.EmailVerified || ValidateEmail(email) != nil {
			return ErrEmailUnverified
		}
		u, err = s.ByEmail(ctx, email)
		switch {
		case errors.Is(err, ErrNotFound):
			u = User{Email: email, DisplayName: identityName(id), EmailVerifiedAt: &now}
			if err := s.Create(ctx, &u); err != nil {
				return err
			}
			created = true
		case err != nil:
			return err
		case u.EmailVerifiedAt == nil:
			name := identityName(id)
			if err := conn.Exec(`UPDATE users SET password_hash = NULL, email_verified_at = ?, display_name = ?, category = NULL,
				departement_id = NULL, terms_accepted_at = NULL, updated_at = ? WHERE id = ?`, now, name, now, u.ID).Error; err != nil {
				return err
			}
			if err := conn.Exec(`DELETE FROM sessions WHERE user_id = ?`, u.ID).Error; err != nil {
				return err
			}
			u.PasswordHash, u.EmailVerifiedAt, u.DisplayName = nil, &now, name
			u.Category, u.DepartementID, u.TermsAcceptedAt = nil, nil, nil
		}
		return conn.Exec(`INSERT INTO user_identities (provider, subject, user_id) VALUES (?, ?, ?)`, id.Provider, id.Subject, u.ID).Error
	})
	return u, created, err
}

// identityName is the display name an identity gives an account: the
// provider's first name when it is acceptable, else a neutral one.
func identityName(id Identity) string {
	name, err := CleanDisplayName(id.DisplayName)
	if err != nil {
		return "Participant·e"
	}
	return name
}

// IdentityProviders returns the providers linked to an account.
func (s *Store) IdentityProviders(ctx context.Context, userID int64) ([]string, error) {
	var out []string
	err := s.db.Conn(ctx).Raw(`SELECT provider FROM user_identities WHERE user_id = ? ORDER BY provider`, userID).Scan(&out).Error
	return out, err
}
