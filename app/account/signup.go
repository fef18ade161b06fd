package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sign-in errors.
var (
	ErrBadCredentials = errors.New("account: wrong e-mail or password")
	ErrNotVerified    = errors.New("account: e-mail not verified yet")
)

// FieldErrors maps a form field to its French error message.
type FieldErrors map[string]string

// Profile is what a person tells about themself: what contributions show.
type Profile struct {
	DisplayName     string
	Category        string
	DepartementCode string // INSEE code, e.g. "29", "2A", "971"
	AcceptTerms     bool
}

// SignUp is the sign-up form.
type SignUp struct {
	Email    string
	Password string
	Profile
}

// checkProfile validates p, resolving its département; it returns the
// département id and the cleaned display name.
func (s *Store) checkProfile(ctx context.Context, p *Profile, errs FieldErrors) *int64 {
	name, err := CleanDisplayName(p.DisplayName)
	if err != nil {
		errs["display_name"] = err.Error()
	}
	p.DisplayName = name
	var n int64
	if p.Category == "" {
		errs["category"] = "Choisissez la catégorie qui vous décrit le mieux."
	} else if err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM author_categories WHERE code = ? AND selectable`, p.Category).Scan(&n).Error; err != nil || n == 0 {
		errs["category"] = "Choisissez une catégorie de la liste."
	}
	var dep struct{ ID int64 }
	code := strings.ToUpper(strings.TrimSpace(p.DepartementCode))
	if code == "" {
		errs["departement"] = "Choisissez votre département."
	} else if err := s.db.Conn(ctx).Raw(`SELECT id FROM territories WHERE kind = 'departement' AND code = ?`, code).Scan(&dep).Error; err != nil || dep.ID == 0 {
		errs["departement"] = "Choisissez un département de la liste."
	}
	if !p.AcceptTerms {
		errs["terms"] = "Pour participer, acceptez les conditions d'utilisation."
	}
	if dep.ID == 0 {
		return nil
	}
	return &dep.ID
}

// Register creates an unverified account from f. When the address already
// has an account, created is false and the existing account is returned: the
// caller answers the same way (no enumeration). The password is hashed in
// every case, so all take the same time.
//
// A verified account is left as it is. An unverified one is taken over by the
// new form: its password and profile are replaced, its sessions and earlier
// links deleted. Otherwise whoever signed up first with someone else's
// address would keep their password, and the owner confirming the address
// would hand them the account (pre-hijack).
func (s *Store) Register(ctx context.Context, f SignUp, now time.Time) (u User, created bool, errs FieldErrors, err error) {
	errs = FieldErrors{}
	f.Email = NormalizeEmail(f.Email)
	if err := ValidateEmail(f.Email); err != nil {
		errs["email"] = err.Error()
	}
	if err := ValidatePassword(f.Password); err != nil {
		errs["password"] = err.Error()
	}
	depID := s.checkProfile(ctx, &f.Profile, errs)
	if len(errs) > 0 {
		return u, false, errs, nil
	}
	hash, err := HashPassword(f.Password)
	if err != nil {
		return u, false, nil, err
	}
	cat := f.Category
	u = User{Email: f.Email, DisplayName: f.DisplayName, Category: &cat, DepartementID: depID, PasswordHash: &hash, TermsAcceptedAt: &now}
	err = s.Create(ctx, &u)
	if errors.Is(err, ErrEmailTaken) {
		existing, err := s.takeOverUnverified(ctx, u, now)
		return existing, false, nil, err
	}
	if err != nil {
		return u, false, nil, err
	}
	return u, true, nil, nil
}

// takeOverUnverified gives the unverified account of u.Email the password and
// profile of u, and ends its sessions and links; a verified account is only
// read.
func (s *Store) takeOverUnverified(ctx context.Context, u User, now time.Time) (User, error) {
	var existing User
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		res := conn.Raw(`SELECT * FROM users WHERE lower(email) = lower(?) FOR UPDATE`, u.Email).Scan(&existing)
		if res.Error != nil {
			return res.Error
		}
		if existing.ID == 0 {
			return ErrNotFound
		}
		if existing.EmailVerifiedAt != nil {
			return nil
		}
		err := conn.Exec(`UPDATE users SET password_hash = ?, display_name = ?, category = ?, departement_id = ?,
			terms_accepted_at = ?, updated_at = ? WHERE id = ?`,
			u.PasswordHash, u.DisplayName, u.Category, u.DepartementID, u.TermsAcceptedAt, now, existing.ID).Error
		if err != nil {
			return err
		}
		if err := conn.Exec(`DELETE FROM sessions WHERE user_id = ?`, existing.ID).Error; err != nil {
			return err
		}
		if err := conn.Exec(`DELETE FROM account_tokens WHERE user_id = ?`, existing.ID).Error; err != nil {
			return err
		}
		existing.PasswordHash, existing.DisplayName, existing.Category = u.PasswordHash, u.DisplayName, u.Category
		existing.DepartementID, existing.TermsAcceptedAt, existing.UpdatedAt = u.DepartementID, u.TermsAcceptedAt, now
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf("sign up again: %w", err)
	}
	return existing, nil
}

// ConfirmAddress checks password against the account of a live verification
// token; only then is the token used and the address marked verified. A wrong
// password leaves the token live and returns ErrBadCredentials.
func (s *Store) ConfirmAddress(ctx context.Context, token, password string, now time.Time) (User, error) {
	userID, err := s.TokenUser(ctx, token, PurposeVerify, now)
	if err != nil {
		return User{}, err
	}
	u, err := s.ByID(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return User{}, ErrTokenInvalid
	}
	if err != nil {
		return User{}, err
	}
	checked := dummyHash
	if u.PasswordHash != nil {
		checked = *u.PasswordHash
	}
	if ok := CheckPassword(checked, capPassword(password)); !ok || u.PasswordHash == nil || len(password) > 4*PasswordMax {
		return u, ErrBadCredentials
	}
	var hash string
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		// The password may have been replaced since it was checked (a new
		// sign-up): confirm only the hash that was checked. The account row
		// is locked first, as Register does.
		if err := s.db.Conn(ctx).Raw(`SELECT coalesce(password_hash, '') FROM users WHERE id = ? FOR UPDATE`, userID).Scan(&hash).Error; err != nil {
			return err
		}
		if hash != *u.PasswordHash {
			return ErrTokenInvalid
		}
		used, err := s.ConsumeToken(ctx, token, PurposeVerify, now)
		if err != nil {
			return err
		}
		if used != userID {
			return ErrTokenInvalid
		}
		return s.MarkVerified(ctx, userID, now)
	})
	if err != nil {
		return User{}, err
	}
	return s.ByID(ctx, userID)
}

// Authenticate checks an address and a password. It does the same work
// whatever the case (unknown address, account without password, wrong or
// right password): one lookup and one argon2id check with the platform's
// parameters, against a dummy hash when there is no real one, so neither
// the answer nor its time tells whether an account exists. ErrNotVerified
// is returned only to someone who knows the password.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	u, err := s.ByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, err
	}
	real := err == nil && u.PasswordHash != nil
	hash := dummyHash
	if real {
		hash = *u.PasswordHash
	}
	ok := CheckPassword(hash, capPassword(password))
	if !real || !ok || len(password) > 4*PasswordMax {
		return User{}, ErrBadCredentials
	}
	if u.EmailVerifiedAt == nil {
		return u, ErrNotVerified
	}
	return u, nil
}

// capPassword bounds what is hashed: longer than any accepted password, so
// no real password is cut, and hashing a megabyte costs no more than this.
func capPassword(pw string) string {
	if len(pw) > 4*PasswordMax+1 {
		return pw[:4*PasswordMax+1]
	}
	return pw
}

// MarkVerified records that the account's address receives mail.
func (s *Store) MarkVerified(ctx context.Context, userID int64, now time.Time) error {
	return s.db.Conn(ctx).Exec(`UPDATE users SET email_verified_at = coalesce(email_verified_at, ?), updated_at = ? WHERE id = ?`,
		now, now, userID).Error
}

// SetPassword replaces the password of an account; the address is then known
// to receive mail (a reset token came through it).
func (s *Store) SetPassword(ctx context.Context, userID int64, password string, now time.Time) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	err = s.db.Conn(ctx).Exec(`UPDATE users SET password_hash = ?, email_verified_at = coalesce(email_verified_at, ?), updated_at = ? WHERE id = ?`,
		hash, now, now, userID).Error
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// UpdateProfile validates and saves p for userID. Terms acceptance is recorded
// the first time.
func (s *Store) UpdateProfile(ctx context.Context, userID int64, p Profile, now time.Time) (FieldErrors, error) {
	errs := FieldErrors{}
	depID := s.checkProfile(ctx, &p, errs)
	if len(errs) > 0 {
		return errs, nil
	}
	err := s.db.Conn(ctx).Exec(`UPDATE users SET display_name = ?, category = ?, departement_id = ?,
		terms_accepted_at = coalesce(terms_accepted_at, ?), updated_at = ? WHERE id = ?`,
		p.DisplayName, p.Category, depID, now, now, userID).Error
	if err != nil {
		return nil, fmt.Errorf("update profile: %w", err)
	}
	return nil, nil
}

// DepartementCode returns the INSEE code of a département id ("" if none).
func (s *Store) DepartementCode(ctx context.Context, id *int64) string {
	if id == nil {
		return ""
	}
	var code string
	_ = s.db.Conn(ctx).Raw(`SELECT code FROM territories WHERE id = ?`, *id).Scan(&code).Error
	return code
}
