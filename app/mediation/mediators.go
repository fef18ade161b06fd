package mediation

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/frtime"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/moderation"
)

// Service runs the assisted contribution: the médiateurs, the people they
// accompany, what they write and support for them, and the claim codes.
type Service struct {
	db            *db.DB
	contributions *contribution.Store
	accounts      *account.Store
	audit         *moderation.Audit
	limits        Limits
	key           []byte // HMAC key of the claim codes; nil: codes cannot be made
}

// New returns a Service on d, writing contributions and supports through
// contributions, within limits (DefaultLimits for zero values). secret (the
// session secret) keys the hashes of the claim codes: a copy of the
// database alone cannot test codes; changing it voids the codes issued.
func New(d *db.DB, contributions *contribution.Store, limits Limits, secret string) *Service {
	if limits.People <= 0 {
		limits.People = DefaultLimits.People
	}
	if limits.Contributions <= 0 {
		limits.Contributions = DefaultLimits.Contributions
	}
	if limits.Supports <= 0 {
		limits.Supports = DefaultLimits.Supports
	}
	if limits.SupportsPerPerson <= 0 {
		limits.SupportsPerPerson = DefaultLimits.SupportsPerPerson
	}
	s := &Service{db: d, contributions: contributions, accounts: account.NewStore(d), audit: moderation.NewAudit(d), limits: limits}
	if secret != "" {
		k := sha256.Sum256([]byte("concertation claim code\x00" + secret))
		s.key = k[:]
	}
	return s
}

// Limits returns the daily limits of every médiateur.
func (s *Service) Limits() Limits { return s.limits }

// Grant makes account userID a médiateur for the structure and territory of
// p (or changes them), in one transaction with its audit entry; by is the
// administrator (nil: the command line). A wrong profile gives *Invalid.
func (s *Service) Grant(ctx context.Context, by *int64, userID int64, p Profile) error {
	name, ok := contribution.CleanLine(p.StructureName)
	switch n := utf8.RuneCountInString(name); {
	case StructureLabel(p.StructureKind) == "":
		return &Invalid{"Choisissez le type de structure : France services, conseiller numérique, association ou autre."}
	case !ok || n == 0:
		return &Invalid{"Écrivez le nom de la structure. Par exemple : France services de Quimper."}
	case n > MaxStructureName:
		return &Invalid{fmt.Sprintf("Le nom de la structure est trop long : %d caractères au plus.", MaxStructureName)}
	}
	refs, err := s.contributions.Refs(ctx)
	if err != nil {
		return err
	}
	t, ok := refs.TerritoryByCode(p.TerritoryKind, p.TerritoryCode)
	if !ok {
		return &Invalid{"Choisissez le territoire du médiateur : un département ou une région."}
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.accounts.GrantRole(ctx, userID, account.RoleMediator); err != nil {
			return fmt.Errorf("grant médiateur: %w", err)
		}
		err := s.db.Conn(ctx).Exec(`INSERT INTO mediators (user_id, structure_kind, structure_name, territory_id) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET structure_kind = EXCLUDED.structure_kind, structure_name = EXCLUDED.structure_name,
			territory_id = EXCLUDED.territory_id, granted_at = CASE WHEN mediators.revoked_at IS NULL THEN mediators.granted_at ELSE now() END,
			revoked_at = NULL`, userID, p.StructureKind, name, t.ID).Error
		if err != nil {
			return fmt.Errorf("grant médiateur: %w", err)
		}
		return s.audit.Record(ctx, by, moderation.AuditMediatorGranted, userTarget(userID), byCLI(by, map[string]any{
			"structure": p.StructureKind, "nom_structure": name, "territoire": t.Kind + ":" + t.Code}))
	})
}

// Revoke withdraws the role of médiateur from account userID, with its audit
// entry; their figures stay for the moderators. ErrNotMediator when they are
// not one.
func (s *Service) Revoke(ctx context.Context, by *int64, userID int64) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Exec(`UPDATE mediators SET revoked_at = now() WHERE user_id = ? AND revoked_at IS NULL`, userID)
		if res.Error != nil {
			return fmt.Errorf("revoke médiateur: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrNotMediator
		}
		if err := s.accounts.RevokeRole(ctx, userID, account.RoleMediator); err != nil {
			return fmt.Errorf("revoke médiateur: %w", err)
		}
		return s.audit.Record(ctx, by, moderation.AuditMediatorRevoked, userTarget(userID), byCLI(by, map[string]any{}))
	})
}

func userTarget(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

// byCLI marks the details of an audit entry made without an actor: the
// command line.
func byCLI(by *int64, details map[string]any) map[string]any {
	if by == nil {
		details["by"] = "cli"
	}
	return details
}

// mediatorColumns reads a Mediator (alias m for mediators, u for users).
const mediatorColumns = `m.user_id, u.display_name, u.email, m.structure_kind, m.structure_name, m.territory_id, m.granted_at, m.revoked_at`

// Get returns the médiateur userID, active or not; ErrNotFound when the
// account never was one.
func (s *Service) Get(ctx context.Context, userID int64) (Mediator, error) {
	var rows []Mediator
	err := s.db.Conn(ctx).Raw(`SELECT `+mediatorColumns+` FROM mediators m JOIN users u ON u.id = m.user_id WHERE m.user_id = ?`, userID).Scan(&rows).Error
	if err != nil {
		return Mediator{}, fmt.Errorf("médiateur %d: %w", userID, err)
	}
	if len(rows) == 0 {
		return Mediator{}, ErrNotFound
	}
	return s.named(ctx, rows[0])
}

// named fills the name of m's territory.
func (s *Service) named(ctx context.Context, m Mediator) (Mediator, error) {
	refs, err := s.contributions.Refs(ctx)
	if err != nil {
		return m, err
	}
	if t, ok := refs.Territory(m.TerritoryID); ok {
		m.TerritoryName, m.TerritoryKind, m.TerritoryCode = t.Label(), t.Kind, t.Code
	}
	return m, nil
}

// lock reads the médiateur userID for update, in the transaction of ctx: the
// actions of one médiateur run one after the other, so that their daily
// counts stay exact. ErrNotMediator when the role was withdrawn.
func (s *Service) lock(ctx context.Context, userID int64) (Mediator, error) {
	var rows []Mediator
	err := s.db.Conn(ctx).Raw(`SELECT m.user_id, m.structure_kind, m.structure_name, m.territory_id, m.granted_at, m.revoked_at
		FROM mediators m WHERE m.user_id = ? FOR UPDATE`, userID).Scan(&rows).Error
	if err != nil {
		return Mediator{}, fmt.Errorf("lock médiateur %d: %w", userID, err)
	}
	if len(rows) == 0 || !rows[0].Active() {
		return Mediator{}, ErrNotMediator
	}
	return rows[0], nil
}

// covers reports whether the territory of m holds the département dep.
func covers(refs *contribution.Reference, m Mediator, dep int64) bool {
	t, ok := refs.Territory(dep)
	if !ok || t.Kind != hub.KindDepartement {
		return false
	}
	return t.ID == m.TerritoryID || t.RegionID != nil && *t.RegionID == m.TerritoryID
}

// Departements returns the départements of the territory of m, in code
// order: what the médiateur's forms offer.
func (s *Service) Departements(ctx context.Context, m Mediator) ([]hub.Territory, error) {
	refs, err := s.contributions.Refs(ctx)
	if err != nil {
		return nil, err
	}
	var out []hub.Territory
	for _, t := range refs.Departements {
		if covers(refs, m, t.ID) {
			out = append(out, t)
		}
	}
	return out, nil
}

// dayStart is midnight, Paris time, of the day of t: daily limits count from it.
func dayStart(t time.Time) time.Time {
	y, mo, d := t.In(frtime.Paris).Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, frtime.Paris)
}

// Usage returns what médiateur userID did today, with the limits.
func (s *Service) Usage(ctx context.Context, userID int64) (Usage, error) {
	u := Usage{Limits: s.limits}
	var row struct{ People, Contributions, Supports int }
	err := s.db.Conn(ctx).Raw(`SELECT
		(SELECT count(*) FROM mediation_people WHERE mediator_id = @m AND created_at >= @since) AS people,
		(SELECT count(*) FROM assisted_contributions WHERE mediator_id = @m AND created_at >= @since) AS contributions,
		(SELECT count(*) FROM assisted_supports WHERE mediator_id = @m AND created_at >= @since) AS supports`,
		map[string]any{"m": userID, "since": dayStart(time.Now())}).Scan(&row).Error
	if err != nil {
		return u, fmt.Errorf("usage of médiateur %d: %w", userID, err)
	}
	u.People, u.Contributions, u.Supports = row.People, row.Contributions, row.Supports
	return u, nil
}

// refused records in the audit log that médiateur userID was refused an
// action (territory or limit), outside the refused transaction, and returns
// err. Other errors are returned as they are.
func (s *Service) refused(ctx context.Context, userID int64, action string, err error) error {
	var le *LimitError
	reason := ""
	switch {
	case errors.As(err, &le):
		reason = "limite:" + le.What
	case errors.Is(err, ErrOutsideTerritory):
		reason = "territoire"
	default:
		return err
	}
	if aerr := s.audit.Record(context.WithoutCancel(ctx), &userID, moderation.AuditMediationRefusal, userTarget(userID),
		map[string]any{"action": action, "motif": reason}); aerr != nil {
		return errors.Join(err, aerr)
	}
	return err
}
