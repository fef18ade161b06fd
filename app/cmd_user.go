package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/mediation"
	"github.com/cnr-numerique/concertation/app/moderation"
)

const userUsage = `Usage : concertation user grant|revoke EMAIL ROLE [--hub SLUG]
        concertation user grant EMAIL mediateur --structure-type TYPE --structure NOM --territoire CODE
Rôles : rapporteur, moderator, admin, hub-member (avec --hub SLUG du Hub),
        mediateur (TYPE : france-services, conseiller-numerique, association ou autre ;
        CODE : un département, par exemple 29, ou une région, par exemple region:53)`

// userArgs is a parsed "user" command line.
type userArgs struct {
	grant bool
	email string
	role  string
	hub   string
	// the médiateur's structure and territory
	structureKind, structureName, territory string
}

// parseUserArgs reads grant|revoke EMAIL ROLE [--hub SLUG | --hub=SLUG].
func parseUserArgs(args []string) (userArgs, error) {
	var u userArgs
	var pos []string
	mediatorFlags := map[string]*string{"--structure-type": &u.structureKind, "--structure": &u.structureName, "--territoire": &u.territory}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(a, "=")
		switch {
		case a == "--hub":
			if i+1 >= len(args) {
				return u, errors.New("--hub : nom court (slug) du Hub attendu")
			}
			u.hub = args[i+1]
			i++
		case strings.HasPrefix(a, "--hub="):
			u.hub = strings.TrimPrefix(a, "--hub=")
		case mediatorFlags[name] != nil && hasValue:
			*mediatorFlags[name] = value
		case mediatorFlags[a] != nil:
			if i+1 >= len(args) {
				return u, fmt.Errorf("%s : valeur attendue", a)
			}
			*mediatorFlags[a] = args[i+1]
			i++
		case strings.HasPrefix(a, "-"):
			return u, fmt.Errorf("option inconnue %q", a)
		default:
			pos = append(pos, a)
		}
	}
	if len(pos) != 3 {
		return u, errors.New("trois arguments attendus : grant|revoke EMAIL ROLE")
	}
	switch pos[0] {
	case "grant":
		u.grant = true
	case "revoke":
	default:
		return u, fmt.Errorf("action %q inconnue : grant ou revoke", pos[0])
	}
	u.email, u.role = account.NormalizeEmail(pos[1]), pos[2]
	profile := u.structureKind != "" || u.structureName != "" || u.territory != ""
	switch {
	case u.role == account.RoleHubMember && u.hub == "":
		return u, errors.New("le rôle hub-member demande --hub SLUG")
	case u.role != account.RoleHubMember && u.hub != "":
		return u, errors.New("--hub ne va qu'avec le rôle hub-member")
	case u.role == account.RoleMediator && u.grant && (u.structureKind == "" || u.structureName == "" || u.territory == ""):
		return u, errors.New("le rôle mediateur demande --structure-type TYPE, --structure NOM et --territoire CODE")
	case profile && (u.role != account.RoleMediator || !u.grant):
		return u, errors.New("--structure-type, --structure et --territoire ne vont qu'avec grant … mediateur")
	case u.role != account.RoleHubMember && u.role != account.RoleMediator && !account.ValidRole(u.role):
		return u, fmt.Errorf("rôle %q inconnu : rapporteur, moderator, admin, hub-member ou mediateur", u.role)
	}
	return u, nil
}

// applyUser grants or revokes the role of ua, with its audit entry (no
// actor: the command line), in one transaction.
func applyUser(ctx context.Context, d *db.DB, ua userArgs) (string, error) {
	accounts, hubs, audit := account.NewStore(d), hub.NewStore(d), moderation.NewAudit(d)
	u, err := accounts.ByEmail(ctx, ua.email)
	if errors.Is(err, account.ErrNotFound) {
		return "", &exitError{1, fmt.Errorf("aucun compte pour %s", ua.email)}
	}
	if err != nil {
		return "", err
	}
	target := "user:" + strconv.FormatInt(u.ID, 10)
	verb := map[bool]string{true: "accordé à", false: "retiré à"}[ua.grant]
	err = d.InTx(ctx, func(ctx context.Context) error {
		if ua.role == account.RoleMediator {
			return applyMediator(ctx, d, u.ID, ua)
		}
		if ua.role == account.RoleHubMember {
			h, err := hubs.BySlug(ctx, ua.hub)
			if errors.Is(err, hub.ErrNotFound) {
				return &exitError{1, fmt.Errorf("aucun Hub %q", ua.hub)}
			}
			if err != nil {
				return err
			}
			action := moderation.AuditHubMemberRemoved
			if ua.grant {
				action, err = moderation.AuditHubMemberAdded, accounts.AddHubMember(ctx, h.ID, u.ID)
			} else {
				err = accounts.RemoveHubMember(ctx, h.ID, u.ID)
			}
			if err != nil {
				return err
			}
			return audit.Record(ctx, nil, action, target, map[string]any{"hub": h.Slug, "by": "cli"})
		}
		action, change := moderation.AuditRoleRevoked, accounts.RevokeRole
		if ua.grant {
			action, change = moderation.AuditRoleGranted, accounts.GrantRole
		}
		if err := change(ctx, u.ID, ua.role); err != nil {
			return err
		}
		return audit.Record(ctx, nil, action, target, map[string]any{"role": ua.role, "by": "cli"})
	})
	if err != nil {
		return "", err
	}
	role := ua.role
	if ua.hub != "" {
		role += " (" + ua.hub + ")"
	}
	if ua.territory != "" {
		role += " (" + ua.structureName + ", " + ua.territory + ")"
	}
	return fmt.Sprintf("rôle %s %s %s", role, verb, u.Email), nil
}

// applyMediator grants the role of médiateur with its structure and
// territory, or withdraws it, with its audit entry (by the command line).
func applyMediator(ctx context.Context, d *db.DB, userID int64, ua userArgs) error {
	svc := mediation.New(d, contribution.NewStore(d), mediation.DefaultLimits, "")
	if !ua.grant {
		if err := svc.Revoke(ctx, nil, userID); errors.Is(err, mediation.ErrNotMediator) {
			return &exitError{1, errors.New("ce compte n'a pas le rôle mediateur")}
		} else if err != nil {
			return err
		}
		return nil
	}
	kind, code, ok := strings.Cut(ua.territory, ":")
	if !ok {
		kind, code = hub.KindDepartement, ua.territory
	}
	err := svc.Grant(ctx, nil, userID, mediation.Profile{StructureKind: ua.structureKind, StructureName: ua.structureName,
		TerritoryKind: kind, TerritoryCode: strings.ToUpper(code)})
	var inv *mediation.Invalid
	if errors.As(err, &inv) {
		return &exitError{2, errors.New(inv.Message)}
	}
	return err
}
