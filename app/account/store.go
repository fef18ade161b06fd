package account

import (
	"context"
	"fmt"

	"github.com/cnr-numerique/concertation/app/db"
)

// Store reads and writes accounts, roles and Hub membership.
type Store struct {
	db *db.DB
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Categories returns the author categories a person can choose, in display
// order (not "Hub territorial", which only Hub proposals carry).
func (s *Store) Categories(ctx context.Context) ([]Category, error) {
	var cs []Category
	err := s.db.Conn(ctx).Where("selectable").Order("position").Find(&cs).Error
	return cs, err
}

// ByID returns one account.
func (s *Store) ByID(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.db.Conn(ctx).Where("id = ?", id).Take(&u).Error
	if db.IsNotFound(err) {
		return u, ErrNotFound
	}
	return u, err
}

// ByEmail returns the account of an address, whatever its case.
func (s *Store) ByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := s.db.Conn(ctx).Where("lower(email) = lower(?)", NormalizeEmail(email)).Take(&u).Error
	if db.IsNotFound(err) {
		return u, ErrNotFound
	}
	return u, err
}

// ErrEmailTaken is returned when an address already has an account.
var ErrEmailTaken = fmt.Errorf("account: e-mail already used")

// Create inserts u and sets its ID.
func (s *Store) Create(ctx context.Context, u *User) error {
	u.Email = NormalizeEmail(u.Email)
	err := s.db.Conn(ctx).Omit("id", "created_at", "updated_at").Create(u).Error
	if db.IsUniqueViolation(err) {
		return ErrEmailTaken
	}
	if err != nil {
		return fmt.Errorf("create account: %w", err)
	}
	return nil
}

// GrantRole gives role to an account (idempotent).
func (s *Store) GrantRole(ctx context.Context, userID int64, role string) error {
	return s.db.Conn(ctx).Exec(`INSERT INTO user_roles (user_id, role) VALUES (?, ?) ON CONFLICT DO NOTHING`, userID, role).Error
}

// RevokeRole removes role from an account (idempotent).
func (s *Store) RevokeRole(ctx context.Context, userID int64, role string) error {
	return s.db.Conn(ctx).Exec(`DELETE FROM user_roles WHERE user_id = ? AND role = ?`, userID, role).Error
}

// AddHubMember makes an account a member of a Hub (idempotent).
func (s *Store) AddHubMember(ctx context.Context, hubID, userID int64) error {
	return s.db.Conn(ctx).Exec(`INSERT INTO hub_members (hub_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, hubID, userID).Error
}

// RemoveHubMember removes an account from a Hub (idempotent).
func (s *Store) RemoveHubMember(ctx context.Context, hubID, userID int64) error {
	return s.db.Conn(ctx).Exec(`DELETE FROM hub_members WHERE hub_id = ? AND user_id = ?`, hubID, userID).Error
}
