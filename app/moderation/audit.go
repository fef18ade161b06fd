// Package moderation holds reports, the moderation queue, the public
// moderation log and the append-only audit log.
package moderation

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
)

// Audit actions. Add new ones here so the audit page can label them.
const (
	AuditRoleGranted      = "role.granted"
	AuditRoleRevoked      = "role.revoked"
	AuditHubMemberAdded   = "hub.member_added"
	AuditHubMemberRemoved = "hub.member_removed"
	AuditConsultationOpen = "consultation.reopened"
	AuditConsultationShut = "consultation.closed"
	AuditExport           = "synthesis.export"
	AuditReport           = "synthesis.report"
	AuditHide             = "moderation.hide"
	AuditRestore          = "moderation.restore"
	AuditDismiss          = "moderation.dismiss"
	AuditBlock            = "moderation.block"
	AuditUnblock          = "moderation.unblock"
	AuditAutoHide         = "moderation.auto_hide"

	// Médiation numérique (app/mediation): everything a médiateur does.
	AuditMediatorGranted  = "mediation.granted"
	AuditMediatorRevoked  = "mediation.revoked"
	AuditMediationPerson  = "mediation.person"
	AuditMediationContrib = "mediation.contribution"
	AuditMediationSupport = "mediation.support"
	AuditMediationUnsupp  = "mediation.unsupport"
	AuditMediationCode    = "mediation.code"
	AuditMediationClaim   = "mediation.claim"
	AuditMediationRefusal = "mediation.refused"
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID      int64
	At      time.Time
	ActorID *int64 // nil: the command line or the system
	Action  string
	Target  string
	Details map[string]any `gorm:"serializer:json"`
}

// TableName maps AuditEntry to its table.
func (AuditEntry) TableName() string { return "audit_log" }

// Audit appends to the audit log. The table refuses updates and deletes.
type Audit struct {
	db *db.DB
}

// NewAudit returns an Audit on d.
func NewAudit(d *db.DB) *Audit { return &Audit{db: d} }

// Record appends one entry, in the transaction of ctx when there is one, so
// that an action and its trace are committed together.
func (a *Audit) Record(ctx context.Context, actorID *int64, action, target string, details map[string]any) error {
	if details == nil {
		details = map[string]any{}
	}
	b, err := json.Marshal(details)
	if err != nil {
		return fmt.Errorf("audit details: %w", err)
	}
	err = a.db.Conn(ctx).Exec(`INSERT INTO audit_log (actor_id, action, target, details) VALUES (?, ?, ?, ?)`,
		actorID, action, target, string(b)).Error
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// List returns the latest entries, newest first, optionally for one action.
func (a *Audit) List(ctx context.Context, action string, limit, offset int) ([]AuditEntry, error) {
	q := a.db.Conn(ctx).Order("at DESC, id DESC").Limit(limit).Offset(offset)
	if action != "" {
		q = q.Where("action = ?", action)
	}
	var out []AuditEntry
	err := q.Find(&out).Error
	return out, err
}
