package moderation

import (
	"context"
	"fmt"
	"time"
)

// AuditLabel returns the French label of an audit action, or the action
// itself when it has none.
func AuditLabel(action string) string {
	switch action {
	case AuditRoleGranted:
		return "Rôle attribué"
	case AuditRoleRevoked:
		return "Rôle retiré"
	case AuditHubMemberAdded:
		return "Membre ajouté à un Hub"
	case AuditHubMemberRemoved:
		return "Membre retiré d'un Hub"
	case AuditConsultationOpen:
		return "Consultation rouverte"
	case AuditConsultationShut:
		return "Consultation close"
	case AuditExport:
		return "Export de la synthèse"
	case AuditReport:
		return "Rapport de synthèse"
	case AuditHide:
		return "Masquage par la modération"
	case AuditAutoHide:
		return "Masquage automatique (signalements)"
	case AuditRestore:
		return "Rétablissement"
	case AuditDismiss:
		return "Signalements classés"
	case AuditBlock:
		return "Compte suspendu"
	case AuditUnblock:
		return "Suspension levée"
	case AuditMediatorGranted:
		return "Rôle de médiateur numérique attribué"
	case AuditMediatorRevoked:
		return "Rôle de médiateur numérique retiré"
	case AuditMediationPerson:
		return "Accord d'une personne accompagnée recueilli"
	case AuditMediationContrib:
		return "Contribution accompagnée publiée"
	case AuditMediationSupport:
		return "Soutien accompagné enregistré"
	case AuditMediationUnsupp:
		return "Soutien accompagné retiré"
	case AuditMediationCode:
		return "Nouveau code de récupération"
	case AuditMediationClaim:
		return "Contribution accompagnée récupérée par la personne"
	case AuditMediationRefusal:
		return "Action de médiation refusée"
	}
	return action
}

// AuditRow is an audit entry with the actor's display name, for the page of
// administrators.
type AuditRow struct {
	ID        int64
	At        time.Time
	ActorID   *int64
	ActorName *string // nil: system, command line, or deleted account
	Action    string
	Target    string
	Details   string // JSON
}

// Label returns the French label of the row's action.
func (r AuditRow) Label() string { return AuditLabel(r.Action) }

// Page returns up to limit entries after offset, newest first, optionally for
// one action, and the total number of matching entries.
func (a *Audit) Page(ctx context.Context, action string, limit, offset int) ([]AuditRow, int, error) {
	where, args := "TRUE", []any{}
	if action != "" {
		where, args = "a.action = ?", append(args, action)
	}
	var total int64
	if err := a.db.Conn(ctx).Raw(`SELECT count(*) FROM audit_log a WHERE `+where, args...).Scan(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count audit: %w", err)
	}
	var rows []AuditRow
	err := a.db.Conn(ctx).Raw(`SELECT a.id, a.at, a.actor_id, u.display_name AS actor_name, a.action, a.target, a.details::text AS details
		FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
		WHERE `+where+` ORDER BY a.at DESC, a.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("audit page: %w", err)
	}
	return rows, int(total), nil
}

// Actions returns the distinct actions present in the log, sorted.
func (a *Audit) Actions(ctx context.Context) ([]string, error) {
	var out []string
	err := a.db.Conn(ctx).Raw(`SELECT DISTINCT action FROM audit_log ORDER BY action`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("audit actions: %w", err)
	}
	return out, nil
}
