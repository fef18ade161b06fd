package account

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RoleHubMember names Hub membership on the command line; it is kept in
// hub_members, not in user_roles.
const RoleHubMember = "hub-member"

// ValidRole reports whether role can be granted in user_roles.
func ValidRole(role string) bool {
	for _, r := range Roles {
		if r == role {
			return true
		}
	}
	return false
}

// RoleLabel is the French name of a role.
func RoleLabel(role string) string {
	switch role {
	case RoleRapporteur:
		return "Rapporteur·e"
	case RoleModerator:
		return "Modérateur·rice"
	case RoleAdmin:
		return "Administrateur·rice"
	case RoleHubMember:
		return "Membre d'un Hub"
	case RoleMediator:
		return "Médiateur·rice numérique"
	}
	return role
}

// Listed is an account as the administration page lists it.
type Listed struct {
	ID              int64
	Email           string
	DisplayName     string
	EmailVerifiedAt *time.Time
	CreatedAt       time.Time
	Roles           []string `gorm:"-"`
	HubIDs          []int64  `gorm:"-"`
}

// Has reports whether the listed account holds role.
func (l Listed) Has(role string) bool {
	for _, r := range l.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// MemberOf reports whether the listed account is a member of hubID.
func (l Listed) MemberOf(hubID int64) bool {
	for _, h := range l.HubIDs {
		if h == hubID {
			return true
		}
	}
	return false
}

// Search finds accounts whose address or display name contains q (all
// accounts with a role when q is empty), at most limit, newest first.
func (s *Store) Search(ctx context.Context, q string, limit int) ([]Listed, error) {
	var rows []struct {
		Listed
		RoleList *string
		HubList  *string
	}
	sql := `SELECT u.id, u.email, u.display_name, u.email_verified_at, u.created_at,
		(SELECT string_agg(r.role, ',' ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id) AS role_list,
		(SELECT string_agg(m.hub_id::text, ',') FROM hub_members m WHERE m.user_id = u.id) AS hub_list
		FROM users u WHERE `
	var args []any
	q = strings.TrimSpace(q)
	if q == "" {
		sql += `EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id) OR EXISTS (SELECT 1 FROM hub_members m WHERE m.user_id = u.id)`
	} else {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q)) + "%"
		sql += `(lower(u.email) LIKE ? OR lower(u.display_name) LIKE ?)`
		args = append(args, like, like)
	}
	sql += ` ORDER BY u.created_at DESC, u.id DESC LIMIT ?`
	args = append(args, limit)
	if err := s.db.Conn(ctx).Raw(sql, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("search accounts: %w", err)
	}
	out := make([]Listed, len(rows))
	for i, r := range rows {
		out[i] = r.Listed
		if r.RoleList != nil {
			out[i].Roles = strings.Split(*r.RoleList, ",")
		}
		if r.HubList != nil {
			for _, h := range strings.Split(*r.HubList, ",") {
				id, _ := strconv.ParseInt(h, 10, 64)
				out[i].HubIDs = append(out[i].HubIDs, id)
			}
		}
	}
	return out, nil
}

// RoleLabels are the French names of the listed account's roles.
func (l Listed) RoleLabels() []string {
	out := make([]string, len(l.Roles))
	for i, r := range l.Roles {
		out[i] = RoleLabel(r)
	}
	return out
}
