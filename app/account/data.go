package account

import (
	"context"
	"fmt"
	"time"
)

// Export is everything the platform holds about one person, as given to
// them on the "Mes données" page.
type Export struct {
	ExportedAt    time.Time            `json:"date_export"`
	Account       ExportAccount        `json:"compte"`
	Roles         []string             `json:"roles"`
	Hubs          []string             `json:"hubs"`
	Identities    []ExportIdentity     `json:"identites_connexion"`
	Sessions      []ExportSession      `json:"sessions"`
	Contributions []ExportContribution `json:"contributions"`
	Arguments     []ExportArgument     `json:"arguments"`
	Supports      []ExportSupport      `json:"soutiens"`
}

// ExportAccount is the account row.
type ExportAccount struct {
	Email           string     `json:"email"`
	EmailVerifiedAt *time.Time `json:"email_verifie_le"`
	DisplayName     string     `json:"nom_affiche"`
	Category        *string    `json:"categorie"`
	Departement     *string    `json:"departement"`
	TermsAcceptedAt *time.Time `json:"conditions_acceptees_le"`
	HasPassword     bool       `json:"mot_de_passe_defini"`
	CreatedAt       time.Time  `json:"cree_le"`
}

// ExportIdentity is a linked OpenID Connect identity.
type ExportIdentity struct {
	Provider  string    `json:"fournisseur"`
	Subject   string    `json:"identifiant"`
	CreatedAt time.Time `json:"liee_le"`
}

// ExportSession is an open session.
type ExportSession struct {
	CreatedAt  time.Time `json:"ouverte_le"`
	LastSeenAt time.Time `json:"derniere_activite"`
}

// ExportContribution is a contribution written by the person.
type ExportContribution struct {
	ID        int64     `json:"id"`
	Entry     string    `json:"entree"`
	Title     string    `json:"titre"`
	Body      string    `json:"texte"`
	Status    string    `json:"statut"`
	CreatedAt time.Time `json:"publiee_le"`
}

// ExportArgument is an argument written by the person.
type ExportArgument struct {
	ID             int64     `json:"id"`
	ContributionID int64     `json:"contribution_id"`
	Stance         string    `json:"position"`
	Body           string    `json:"texte"`
	CreatedAt      time.Time `json:"publie_le"`
}

// ExportSupport is a support given by the person.
type ExportSupport struct {
	ContributionID int64     `json:"contribution_id"`
	CreatedAt      time.Time `json:"le"`
}

// ExportData gathers the data of userID.
func (s *Store) ExportData(ctx context.Context, userID int64, now time.Time) (Export, error) {
	u, err := s.ByID(ctx, userID)
	if err != nil {
		return Export{}, err
	}
	conn := s.db.Conn(ctx)
	e := Export{ExportedAt: now, Account: ExportAccount{
		Email: u.Email, EmailVerifiedAt: u.EmailVerifiedAt, DisplayName: u.DisplayName, Category: u.Category,
		TermsAcceptedAt: u.TermsAcceptedAt, HasPassword: u.PasswordHash != nil, CreatedAt: u.CreatedAt,
	}, Roles: []string{}, Hubs: []string{}}
	if code := s.DepartementCode(ctx, u.DepartementID); code != "" {
		e.Account.Departement = &code
	}
	queries := []struct {
		dst any
		sql string
	}{
		{&e.Roles, `SELECT role FROM user_roles WHERE user_id = ? ORDER BY role`},
		{&e.Hubs, `SELECT h.name FROM hub_members m JOIN hubs h ON h.id = m.hub_id WHERE m.user_id = ? ORDER BY h.name`},
		{&e.Identities, `SELECT provider, subject, created_at FROM user_identities WHERE user_id = ? ORDER BY created_at`},
		{&e.Sessions, `SELECT created_at, last_seen_at FROM sessions WHERE user_id = ? ORDER BY created_at`},
		{&e.Contributions, `SELECT id, entry, title, body, status, created_at FROM contributions WHERE author_id = ? ORDER BY id`},
		{&e.Arguments, `SELECT id, contribution_id, stance, body, created_at FROM arguments WHERE author_id = ? ORDER BY id`},
		{&e.Supports, `SELECT contribution_id, created_at FROM supports WHERE user_id = ? ORDER BY created_at`},
	}
	for _, q := range queries {
		if err := conn.Raw(q.sql, userID).Scan(q.dst).Error; err != nil {
			return Export{}, fmt.Errorf("export: %w", err)
		}
	}
	return e, nil
}

// Authored is the owner of what people write (contributions, arguments,
// supports): account deletion asks it to forget the author first, in the same
// transaction.
type Authored interface {
	ForgetAuthor(ctx context.Context, userID int64, keepContributions bool) error
}

// Delete removes an account and everything personal about it: content asks
// the owner of the contributions to forget the author (supports go; free
// contributions and arguments are kept anonymised with keepContributions,
// deleted otherwise; Hub proposals stay with their Hub), then sessions,
// tokens, identities, roles and memberships go with the row. All of it is
// one transaction.
func (s *Store) Delete(ctx context.Context, userID int64, keepContributions bool, content Authored) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := content.ForgetAuthor(ctx, userID, keepContributions); err != nil {
			return fmt.Errorf("delete account: %w", err)
		}
		if err := s.db.Conn(ctx).Exec(`DELETE FROM users WHERE id = ?`, userID).Error; err != nil {
			return fmt.Errorf("delete account: %w", err)
		}
		return nil
	})
}

// AnonymousName is how a contribution or an argument whose author deleted
// the account (author_id NULL) is signed.
const AnonymousName = "Participant·e anonyme"
