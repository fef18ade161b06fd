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

// Delete removes an account and everything personal about it: sessions,
// tokens, identities, roles, memberships and supports go with the row.
// keepContributions keeps its free contributions and arguments, anonymised
// (their author becomes NULL, shown as "Participant·e anonyme"); otherwise
// they are deleted. Hub proposals belong to their Hub: they are always kept,
// anonymised, with the supports and reactions of others. The counters of
// every contribution touched (supported, argued, reacted to, written) are
// recounted under a row lock, and the search index follows.
func (s *Store) Delete(ctx context.Context, userID int64, keepContributions bool) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		var touched []int64
		err := conn.Raw(`SELECT contribution_id FROM supports WHERE user_id = ?
			UNION SELECT contribution_id FROM arguments WHERE author_id = ?
			UNION SELECT id FROM contributions WHERE author_id = ?
			UNION SELECT reacts_to_id FROM contributions WHERE author_id = ? AND reacts_to_id IS NOT NULL`,
			userID, userID, userID, userID).Scan(&touched).Error
		if err != nil {
			return fmt.Errorf("delete account: %w", err)
		}
		// Lock the counters first, in a fixed order: a support or a reaction
		// arriving meanwhile waits, then adds to the recounted value.
		if len(touched) > 0 {
			var locked []int64
			if err := conn.Raw(`SELECT contribution_id FROM contribution_counters WHERE contribution_id IN ?
				ORDER BY contribution_id FOR UPDATE`, touched).Scan(&locked).Error; err != nil {
				return fmt.Errorf("delete account: lock counters: %w", err)
			}
		}
		steps := []string{
			`DELETE FROM supports WHERE user_id = ?`,
			`UPDATE contributions SET author_id = NULL, updated_at = now() WHERE author_id = ? AND entry = 'hubs'`,
		}
		if !keepContributions {
			steps = append(steps,
				`DELETE FROM arguments WHERE author_id = ?`,
				`UPDATE contributions SET reacts_to_id = NULL, reaction_type = NULL
				 WHERE reacts_to_id IN (SELECT id FROM contributions WHERE author_id = ? AND entry = 'libres')`,
				`DELETE FROM contributions WHERE author_id = ? AND entry = 'libres'`)
		}
		steps = append(steps, `DELETE FROM users WHERE id = ?`)
		for _, sql := range steps {
			if err := conn.Exec(sql, userID).Error; err != nil {
				return fmt.Errorf("delete account: %w", err)
			}
		}
		if len(touched) == 0 {
			return nil
		}
		if err := conn.Exec(`UPDATE contribution_counters cc SET
			supports = (SELECT count(*) FROM supports s WHERE s.contribution_id = cc.contribution_id),
			reactions_soutient = (SELECT count(*) FROM contributions r WHERE r.reacts_to_id = cc.contribution_id AND r.reaction_type = 'soutient' AND r.status = 'published'),
			reactions_complete = (SELECT count(*) FROM contributions r WHERE r.reacts_to_id = cc.contribution_id AND r.reaction_type = 'complete' AND r.status = 'published'),
			reactions_nuance = (SELECT count(*) FROM contributions r WHERE r.reacts_to_id = cc.contribution_id AND r.reaction_type = 'nuance' AND r.status = 'published'),
			reactions_conteste = (SELECT count(*) FROM contributions r WHERE r.reacts_to_id = cc.contribution_id AND r.reaction_type = 'conteste' AND r.status = 'published'),
			arguments_pour = (SELECT count(*) FROM arguments a WHERE a.contribution_id = cc.contribution_id AND a.stance = 'pour' AND a.status = 'published'),
			arguments_contre = (SELECT count(*) FROM arguments a WHERE a.contribution_id = cc.contribution_id AND a.stance = 'contre' AND a.status = 'published'),
			arguments_neutre = (SELECT count(*) FROM arguments a WHERE a.contribution_id = cc.contribution_id AND a.stance = 'neutre' AND a.status = 'published')
			WHERE contribution_id IN ?`, touched).Error; err != nil {
			return fmt.Errorf("delete account: recount: %w", err)
		}
		return conn.Exec(`INSERT INTO search_outbox (contribution_id) SELECT unnest(?::bigint[])`, pgArray(touched)).Error
	})
}

func pgArray(ids []int64) string {
	b := []byte{'{'}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "%d", id)
	}
	return string(append(b, '}'))
}

// AnonymousName is how a contribution or an argument whose author deleted
// the account (author_id NULL) is signed.
const AnonymousName = "Participant·e anonyme"
