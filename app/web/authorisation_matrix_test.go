package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/synthesis"
)

// The roles of the authorisation matrix, in the order of its columns.
var matrixRoles = [...]string{"anonymous", "citizen", "hub member (this Hub)", "hub member (other Hub)", "rapporteur", "moderator", "admin"}

// matrixFix is the platform with one account per role, a Hub A whose
// proposals the "this Hub" member may edit, and a Hub B.
type matrixFix struct {
	*modFix
	ids        [len(matrixRoles)]int64 // 0 for anonymous
	hubA, hubB int64
	hubAuthor  int64 // another member of Hub A, author of its proposals
	owner      int64 // a citizen, author of free contributions
	n          int
}

func newMatrixFix(t *testing.T) *matrixFix {
	f := &matrixFix{modFix: newModFix(t)}
	ctx := context.Background()
	f.hubA, f.hubB = f.hubID("rhinocc"), f.hubID("hub-bretagne")
	f.ids[1] = f.user("Citoyenne")
	f.ids[2] = f.user("Membre A")
	f.ids[3] = f.user("Membre B")
	f.ids[4] = f.user("Rapporteuse", "rapporteur")
	f.ids[5] = f.user("Modérateur", "moderator")
	f.ids[6] = f.user("Administratrice", "admin")
	f.hubAuthor = f.user("Autrice du Hub A")
	f.owner = f.user("Propriétaire")
	for _, m := range []struct{ hub, user int64 }{{f.hubA, f.ids[2]}, {f.hubB, f.ids[3]}, {f.hubA, f.hubAuthor}} {
		if err := f.deps.Accounts.AddHubMember(ctx, m.hub, m.user); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// hubProposal writes a proposal of Hub A by another member of the Hub.
func (f *matrixFix) hubProposal() int64 {
	f.t.Helper()
	f.n++
	id := f.scalar(`INSERT INTO contributions (consultation_id, entry, axis_id, hub_id, author_id, author_category, title, body)
		VALUES (?, 'hubs', ?, ?, ?, 'hub', ?, 'Texte de la proposition.') RETURNING id`, f.cons, f.axis, f.hubA, f.hubAuthor, fmt.Sprintf("Proposition %d", f.n))
	f.exec(`INSERT INTO contribution_counters (contribution_id) VALUES (?)`, id)
	return id
}

// matrixCase is one route of routes() called as every role: build returns
// the concrete address and form for the account uid (0: anonymous), want the
// status per role (in matrixRoles order), changed whether the action took
// effect (checked against the status: a refusal changes nothing).
type matrixCase struct {
	method, route string
	build         func(f *matrixFix, uid int64) (string, url.Values)
	want          string
	changed       func(f *matrixFix, path string) bool
}

func fixed(path string) func(*matrixFix, int64) (string, url.Values) {
	return func(*matrixFix, int64) (string, url.Values) { return path, nil }
}

func withForm(path string, form url.Values) func(*matrixFix, int64) (string, url.Values) {
	return func(*matrixFix, int64) (string, url.Values) { return path, form }
}

// onProposal builds path (with %d) on a fresh proposal of Hub A.
func onProposal(path string, form url.Values) func(*matrixFix, int64) (string, url.Values) {
	return func(f *matrixFix, _ int64) (string, url.Values) { return fmt.Sprintf(path, f.hubProposal()), form }
}

// onFree builds path (with %d) on a fresh free contribution of the owner.
func onFree(path string, form url.Values) func(*matrixFix, int64) (string, url.Values) {
	return func(f *matrixFix, _ int64) (string, url.Values) {
		return fmt.Sprintf(path, f.contribution(f.owner, "Contribution libre")), form
	}
}

func onArgument(path string, form url.Values) func(*matrixFix, int64) (string, url.Values) {
	return func(f *matrixFix, _ int64) (string, url.Values) {
		return fmt.Sprintf(path, f.argument(f.contribution(f.owner, "Discutée"), f.owner, "Argument")), form
	}
}

func pathID(path string) int64 {
	for _, part := range strings.Split(path, "/") {
		if n, err := strconv.ParseInt(part, 10, 64); err == nil {
			return n
		}
	}
	return 0
}

// theme inserts a finished analysis with one proposed theme.
func (f *matrixFix) theme() int64 {
	run := f.scalar(`INSERT INTO synthesis_theme_runs (consultation_id, themes_wanted, status) VALUES (?, 2, 'done') RETURNING id`, f.cons)
	return f.scalar(`INSERT INTO synthesis_themes (run_id, position, label, auto_label) VALUES (?, 1, 'Thème', 'Thème') RETURNING id`, run)
}

// exec2theme inserts a second theme in the analysis of theme id.
func (f *matrixFix) exec2theme(id int64) int64 {
	return f.scalar(`INSERT INTO synthesis_themes (run_id, position, label, auto_label) SELECT run_id, 2, 'Autre', 'Autre' FROM synthesis_themes WHERE id = ? RETURNING id`, id)
}

func onTheme(path string, form url.Values) func(*matrixFix, int64) (string, url.Values) {
	return func(f *matrixFix, _ int64) (string, url.Values) { return fmt.Sprintf(path, f.theme()), form }
}

func themeIs(col, want string) func(*matrixFix, string) bool {
	return func(f *matrixFix, path string) bool {
		return f.text(`SELECT `+col+` FROM synthesis_themes WHERE id = ?`, pathID(path)) == want
	}
}

func contributionIs(col, want string) func(*matrixFix, string) bool {
	return func(f *matrixFix, path string) bool {
		return f.text(`SELECT `+col+` FROM contributions WHERE id = ?`, pathID(path)) == want
	}
}

func argumentIs(col, want string) func(*matrixFix, string) bool {
	return func(f *matrixFix, path string) bool {
		return f.text(`SELECT `+col+` FROM arguments WHERE id = ?`, pathID(path)) == want
	}
}

var (
	axisForm   = "gouvernance-finances-modeles-economiques"
	freeForm   = url.Values{"entree": {"libres"}, "axe": {axisForm}, "titre": {"Nouvelle contribution"}, "texte": {"Texte"}}
	editForm   = url.Values{"axe": {axisForm}, "titre": {"Titre changé"}, "texte": {"Texte changé"}}
	argForm    = url.Values{"position": {"pour"}, "texte": {"Un argument"}}
	reportForm = url.Values{"raison": {"spam"}}
)

// matrix is THE authorisation table: every route of routes(), as every role.
// Columns: anonymous, citizen, member of this Hub, member of another Hub,
// rapporteur, moderator, administrator.
var matrix = []matrixCase{
	// site
	{"GET", "/", fixed("/"), "200 200 200 200 200 200 200", nil},
	{"GET", "/axes", fixed("/axes"), "301 301 301 301 301 301 301", nil},
	{"GET", "/axes/:slug", fixed("/axes/" + axisForm), "200 200 200 200 200 200 200", nil},
	{"GET", "/hubs", fixed("/hubs"), "200 200 200 200 200 200 200", nil},
	{"GET", "/hubs/:slug", fixed("/hubs/rhinocc"), "200 200 200 200 200 200 200", nil},
	{"GET", "/accessibilite", fixed("/accessibilite"), "200 200 200 200 200 200 200", nil},
	{"POST", "/accessibilite/contact", withForm("/accessibilite/contact", url.Values{"message": {"Le menu ne s'ouvre pas."}}), "200 200 200 200 200 200 200", nil},
	{"GET", "/admin/accessibilite", fixed("/admin/accessibilite"), "303 403 403 403 403 403 200", nil},
	{"GET", "/plan-du-site", fixed("/plan-du-site"), "200 200 200 200 200 200 200", nil},
	{"POST", "/admin/accessibilite/:id/traite", withForm("/admin/accessibilite/999999/traite", nil), "303 403 403 403 403 403 404", nil},
	{"GET", "/healthz", fixed("/healthz"), "200 200 200 200 200 200 200", nil},
	{"GET", "/readyz", fixed("/readyz"), "200 200 200 200 200 200 200", nil},

	// accounts
	{"GET", "/inscription", fixed("/inscription"), "200 200 200 200 200 200 200", nil},
	{"POST", "/inscription", withForm("/inscription", url.Values{"email": {"pas-une-adresse"}}), "422 422 422 422 422 422 422", nil},
	{"GET", "/inscription/confirmer", fixed("/inscription/confirmer?jeton=faux"), "400 400 400 400 400 400 400", nil},
	{"POST", "/inscription/confirmer", withForm("/inscription/confirmer", url.Values{"jeton": {"faux"}}), "400 400 400 400 400 400 400", nil},
	{"GET", "/connexion", fixed("/connexion"), "200 200 200 200 200 200 200", nil},
	{"POST", "/connexion", withForm("/connexion", url.Values{"email": {"personne@exemple.fr"}, "password": {"mauvais mot de passe"}}), "401 401 401 401 401 401 401", nil},
	{"POST", "/connexion/oidc/:provider", withForm("/connexion/oidc/inconnu", nil), "404 404 404 404 404 404 404", nil},
	{"GET", "/connexion/oidc/:provider/retour", fixed("/connexion/oidc/inconnu/retour?state=x&code=y"), "404 404 404 404 404 404 404", nil},
	{"POST", "/deconnexion", withForm("/deconnexion", nil), "303 303 303 303 303 303 303", nil},
	{"GET", "/deconnecte", fixed("/deconnecte"), "200 200 200 200 200 200 200", nil},
	{"GET", "/mot-de-passe-oublie", fixed("/mot-de-passe-oublie"), "200 200 200 200 200 200 200", nil},
	{"POST", "/mot-de-passe-oublie", withForm("/mot-de-passe-oublie", url.Values{"email": {"personne@exemple.fr"}}), "200 200 200 200 200 200 200", nil},
	{"GET", "/mot-de-passe/nouveau", fixed("/mot-de-passe/nouveau?jeton=faux"), "400 400 400 400 400 400 400", nil},
	{"POST", "/mot-de-passe/nouveau", withForm("/mot-de-passe/nouveau", url.Values{"jeton": {"faux"}, "password": {"un mot de passe assez long"}}), "400 400 400 400 400 400 400", nil},
	{"GET", "/compte", fixed("/compte"), "303 200 200 200 200 200 200", nil},
	{"POST", "/compte", withForm("/compte", url.Values{"display_name": {"Nom"}, "category": {"citoyen"}, "departement": {"29"}, "terms": {"oui"}}), "303 303 303 303 303 303 303", nil},
	{"GET", "/compte/completer", fixed("/compte/completer"), "303 200 200 200 200 200 200", nil},
	{"POST", "/compte/completer", withForm("/compte/completer", url.Values{"display_name": {"Nom"}, "category": {"citoyen"}, "departement": {"29"}, "terms": {"oui"}}), "303 303 303 303 303 303 303", nil},
	{"GET", "/compte/donnees", fixed("/compte/donnees"), "303 200 200 200 200 200 200", nil},
	{"POST", "/compte/donnees/export", withForm("/compte/donnees/export", nil), "303 200 200 200 200 200 200", nil},
	{"POST", "/compte/supprimer", withForm("/compte/supprimer", nil), "303 422 422 422 422 422 422", nil}, // no confirmation: nothing deleted
	{"GET", "/donnees-personnelles", fixed("/donnees-personnelles"), "200 200 200 200 200 200 200", nil},
	{"GET", "/dev/mails", fixed("/dev/mails"), "200 200 200 200 200 200 200", nil}, // local runs only (tests run on localhost)
	{"GET", "/admin/utilisateurs", fixed("/admin/utilisateurs"), "303 403 403 403 403 403 200", nil},
	{"POST", "/admin/utilisateurs/:id/roles", func(f *matrixFix, _ int64) (string, url.Values) {
		return fmt.Sprintf("/admin/utilisateurs/%d/roles", f.user("Cible")), url.Values{"role": {"moderator"}, "action": {"grant"}}
	}, "303 403 403 403 403 403 303", func(f *matrixFix, path string) bool {
		return f.scalar(`SELECT count(*) FROM user_roles WHERE user_id = ?`, pathID(path)) == 1
	}},
	{"GET", "/admin/hubs", fixed("/admin/hubs"), "303 403 403 403 403 403 200", nil},
	{"GET", "/admin/hubs/:slug", fixed("/admin/hubs/rhinocc"), "303 403 403 403 403 403 200", nil},
	{"POST", "/admin/hubs/:slug/territoires", func(f *matrixFix, _ int64) (string, url.Values) {
		return "/admin/hubs/numi/territoires", url.Values{"territoire": {strconv.FormatInt(f.scalar(`SELECT id FROM territories ORDER BY id LIMIT 1`), 10)}}
	}, "303 403 403 403 403 403 303", nil},
	{"GET", "/admin/consultation", fixed("/admin/consultation"), "303 403 403 403 403 403 200", nil},
	{"POST", "/admin/consultation/statut", withForm("/admin/consultation/statut", url.Values{"status": {"open"}}), "303 403 403 403 403 403 303", nil},

	// contributions
	{"GET", "/contributions", fixed("/contributions?tri=soutiens&categorie=citoyen"), "200 200 200 200 200 200 200", nil},
	{"GET", "/contributions/nouvelle", fixed("/contributions/nouvelle"), "303 200 200 200 200 200 200", nil},
	{"POST", "/contributions/nouvelle", withForm("/contributions/nouvelle", freeForm), "303 303 303 303 303 303 303", nil},
	{"GET", "/contributions/similaires", fixed("/contributions/similaires?titre=mediation"), "200 200 200 200 200 200 200", nil},
	{"GET", "/contributions/:id", onProposal("/contributions/%d", nil), "200 200 200 200 200 200 200", nil},
	// Only the members of its Hub may edit or withdraw a Hub proposal: no
	// other account, whatever its role (no IDOR).
	{"GET", "/contributions/:id/modifier", onProposal("/contributions/%d/modifier", nil), "303 403 200 403 403 403 403", nil},
	{"POST", "/contributions/:id/modifier", onProposal("/contributions/%d/modifier", editForm), "303 403 303 403 403 403 403", contributionIs("title", "Titre changé")},
	{"GET", "/contributions/:id/retirer", onProposal("/contributions/%d/retirer", nil), "303 403 200 403 403 403 403", nil},
	{"POST", "/contributions/:id/retirer", onProposal("/contributions/%d/retirer", nil), "303 403 303 403 403 403 403", contributionIs("status", "withdrawn")},
	// Supporting one's own Hub's proposal is refused.
	{"POST", "/contributions/:id/soutenir", onProposal("/contributions/%d/soutenir", nil), "303 303 403 303 303 303 303", func(f *matrixFix, path string) bool {
		return f.scalar(`SELECT count(*) FROM supports WHERE contribution_id = ?`, pathID(path)) == 1
	}},
	{"POST", "/contributions/:id/retirer-soutien", onProposal("/contributions/%d/retirer-soutien", nil), "303 303 403 303 303 303 303", nil},
	{"POST", "/contributions/:id/arguments", onProposal("/contributions/%d/arguments", argForm), "303 303 303 303 303 303 303", func(f *matrixFix, path string) bool {
		return f.scalar(`SELECT count(*) FROM arguments WHERE contribution_id = ?`, pathID(path)) == 1
	}},
	// An author's page exists once they published a free contribution.
	{"GET", "/auteurs/:id", func(f *matrixFix, _ int64) (string, url.Values) {
		f.contribution(f.owner, "Publiée")
		return fmt.Sprintf("/auteurs/%d", f.owner), nil
	}, "200 200 200 200 200 200 200", nil},

	// search
	{"GET", "/metrics", fixed("/metrics"), "200 200 200 200 200 200 200", nil},

	// synthesis: rapporteurs and administrators only
	{"GET", "/synthese", fixed("/synthese"), "303 403 403 403 200 403 200", nil},
	{"GET", "/synthese/contributions/:id", onFree("/synthese/contributions/%d", nil), "303 403 403 403 200 403 200", nil},
	{"POST", "/synthese/contributions/:id/etiquettes", onFree("/synthese/contributions/%d/etiquettes", url.Values{"etiquette": {"à retenir"}}), "303 403 403 403 303 403 303", nil},
	{"POST", "/synthese/contributions/:id/etiquettes/retirer", onFree("/synthese/contributions/%d/etiquettes/retirer", url.Values{"etiquette": {"à retenir"}}), "303 403 403 403 303 403 303", nil},
	{"POST", "/synthese/contributions/:id/retenue", onFree("/synthese/contributions/%d/retenue", url.Values{"retenue": {"1"}}), "303 403 403 403 303 403 303", nil},
	{"POST", "/synthese/contributions/:id/notes", onFree("/synthese/contributions/%d/notes", url.Values{"note": {"Une note"}}), "303 403 403 403 303 403 303", nil},
	{"POST", "/synthese/selections", func(f *matrixFix, _ int64) (string, url.Values) {
		f.n++
		return "/synthese/selections", url.Values{"nom": {fmt.Sprintf("Sélection %d", f.n)}, "filtres": {"tri=soutiens"}}
	}, "303 403 403 403 303 403 303", nil},
	{"POST", "/synthese/selections/:id/supprimer", func(f *matrixFix, uid int64) (string, url.Values) {
		f.n++
		owner := uid
		if owner == 0 {
			owner = f.ids[4]
		}
		id, err := synthesis.NewStore(f.deps.DB, f.deps.Config.BaseURL).SaveFilterSet(context.Background(), owner, fmt.Sprintf("À supprimer %d", f.n), "")
		if err != nil {
			f.t.Fatal(err)
		}
		return fmt.Sprintf("/synthese/selections/%d/supprimer", id), nil
	}, "303 403 403 403 303 403 303", nil},
	{"POST", "/synthese/contributions/:id/note-publique", func(f *matrixFix, _ int64) (string, url.Values) {
		id := f.contribution(f.owner, "Retenue")
		f.exec(`INSERT INTO synthesis_retained (contribution_id) VALUES (?)`, id)
		return fmt.Sprintf("/synthese/contributions/%d/note-publique", id), url.Values{"note_publique": {"Note publique"}}
	}, "303 403 403 403 303 403 303", func(f *matrixFix, path string) bool {
		return f.text(`SELECT public_note FROM synthesis_retained WHERE contribution_id = ?`, pathID(path)) == "Note publique"
	}},
	{"POST", "/synthese/contributions/:id/reponse", onFree("/synthese/contributions/%d/reponse", url.Values{"etat": {"retenue"}, "reponse": {"Réponse"}}),
		"303 403 403 403 403 403 303", func(f *matrixFix, path string) bool {
			return f.scalar(`SELECT count(*) FROM official_answers WHERE contribution_id = ?`, pathID(path)) == 1
		}},
	{"POST", "/synthese/rapport/preparer", func(f *matrixFix, _ int64) (string, url.Values) {
		f.exec(`DELETE FROM synthesis_report_files WHERE status = 'queued'`)
		return "/synthese/rapport/preparer", url.Values{"filtres": {"axe=1"}}
	}, "303 403 403 403 303 403 303", func(f *matrixFix, _ string) bool {
		return f.scalar(`SELECT count(*) FROM synthesis_report_files WHERE status = 'queued'`) == 1
	}},
	{"GET", "/synthese/rapports", fixed("/synthese/rapports"), "303 403 403 403 200 403 200", nil},
	{"GET", "/synthese/rapports/:id/:format", func(f *matrixFix, _ int64) (string, url.Values) {
		id := f.scalar(`INSERT INTO synthesis_report_files (consultation_id, status, pdf, odt) VALUES (?, 'done', '%PDF-1.4', 'PK') RETURNING id`, f.cons)
		return fmt.Sprintf("/synthese/rapports/%d/pdf", id), nil
	}, "303 403 403 403 200 403 200", nil},
	{"GET", "/synthese/themes", fixed("/synthese/themes"), "303 403 403 403 200 403 200", nil},
	{"POST", "/synthese/themes/analyses", func(f *matrixFix, _ int64) (string, url.Values) {
		f.exec(`DELETE FROM synthesis_theme_runs WHERE status = 'queued'`)
		return "/synthese/themes/analyses", url.Values{"nombre": {"5"}}
	}, "303 403 403 403 303 403 303", func(f *matrixFix, _ string) bool {
		return f.scalar(`SELECT count(*) FROM synthesis_theme_runs WHERE status = 'queued'`) == 1
	}},
	{"GET", "/synthese/themes/:id", onTheme("/synthese/themes/%d", nil), "303 403 403 403 200 403 200", nil},
	{"POST", "/synthese/themes/:id/renommer", onTheme("/synthese/themes/%d/renommer", url.Values{"libelle": {"Renommé"}}), "303 403 403 403 303 403 303", themeIs("label", "Renommé")},
	{"POST", "/synthese/themes/:id/statut", onTheme("/synthese/themes/%d/statut", url.Values{"statut": {"valide"}}), "303 403 403 403 303 403 303", themeIs("status", "valide")},
	{"POST", "/synthese/themes/:id/fusionner", func(f *matrixFix, _ int64) (string, url.Values) {
		into := f.theme()
		from := f.exec2theme(into)
		return fmt.Sprintf("/synthese/themes/%d/fusionner", into), url.Values{"avec": {fmt.Sprint(from)}}
	}, "303 403 403 403 303 403 303", func(f *matrixFix, path string) bool {
		return f.scalar(`SELECT count(*) FROM synthesis_themes WHERE merged_into = ?`, pathID(path)) == 1
	}},
	{"POST", "/synthese/themes/:id/scinder", func(f *matrixFix, _ int64) (string, url.Values) {
		f.exec(`DELETE FROM synthesis_theme_runs WHERE status = 'queued'`)
		return fmt.Sprintf("/synthese/themes/%d/scinder", f.theme()), nil
	}, "303 403 403 403 303 403 303", func(f *matrixFix, path string) bool {
		return f.scalar(`SELECT count(*) FROM synthesis_theme_runs WHERE split_theme_id = ?`, pathID(path)) == 1
	}},
	{"POST", "/synthese/themes/:id/contributions", func(f *matrixFix, _ int64) (string, url.Values) {
		return fmt.Sprintf("/synthese/themes/%d/contributions", f.theme()), url.Values{"numero": {fmt.Sprint(f.contribution(f.owner, "À ajouter"))}}
	}, "303 403 403 403 303 403 303", func(f *matrixFix, path string) bool {
		return f.scalar(`SELECT count(*) FROM synthesis_theme_members WHERE theme_id = ?`, pathID(path)) == 1
	}},
	{"POST", "/synthese/themes/:id/contributions/:cid/retirer", func(f *matrixFix, _ int64) (string, url.Values) {
		id, cid := f.theme(), f.contribution(f.owner, "Membre")
		f.exec(`INSERT INTO synthesis_theme_members (theme_id, contribution_id, weight) VALUES (?, ?, 0.5)`, id, cid)
		return fmt.Sprintf("/synthese/themes/%d/contributions/%d/retirer", id, cid), nil
	}, "303 403 403 403 303 403 303", func(f *matrixFix, path string) bool {
		return f.scalar(`SELECT count(*) FROM synthesis_theme_members WHERE theme_id = ?`, pathID(path)) == 0
	}},
	{"GET", "/synthese/export/:file", fixed("/synthese/export/contributions.xlsx"), "303 403 403 403 200 403 200", nil},
	{"GET", "/synthese/rapport", fixed("/synthese/rapport"), "303 403 403 403 200 403 200", nil},
	{"GET", "/synthese/rapport.pdf", fixed("/synthese/rapport.pdf"), "303 403 403 403 200 403 200", nil},
	{"GET", "/synthese/rapport.odt", fixed("/synthese/rapport.odt"), "303 403 403 403 200 403 200", nil},
	{"GET", "/statistiques", fixed("/statistiques"), "200 200 200 200 200 200 200", nil},
	{"GET", "/statistiques/definitions", fixed("/statistiques/definitions"), "200 200 200 200 200 200 200", nil},
	{"GET", "/statistiques/territoires", fixed("/statistiques/territoires"), "200 200 200 200 200 200 200", nil},
	{"GET", "/donnees", fixed("/donnees"), "200 200 200 200 200 200 200", nil},
	{"GET", "/donnees/:file", fixed("/donnees/datapackage.json"), "200 200 200 200 200 200 200", nil},

	// moderation
	{"GET", "/contributions/:id/signaler", onFree("/contributions/%d/signaler", nil), "303 200 200 200 200 200 200", nil},
	{"POST", "/contributions/:id/signaler", onFree("/contributions/%d/signaler", reportForm), "303 200 200 200 200 200 200", func(f *matrixFix, path string) bool {
		return f.scalar(`SELECT count(*) FROM reports WHERE contribution_id = ?`, pathID(path)) == 1
	}},
	{"GET", "/arguments/:id/signaler", onArgument("/arguments/%d/signaler", nil), "303 200 200 200 200 200 200", nil},
	{"POST", "/arguments/:id/signaler", onArgument("/arguments/%d/signaler", reportForm), "303 200 200 200 200 200 200", nil},
	{"GET", "/moderation", fixed("/moderation"), "303 403 403 403 403 200 200", nil},
	{"POST", "/moderation/contributions/:id/masquer", onFree("/moderation/contributions/%d/masquer", url.Values{"motif": {"spam"}}), "303 403 403 403 403 303 303", contributionIs("status", "hidden")},
	{"POST", "/moderation/contributions/:id/retablir", func(f *matrixFix, _ int64) (string, url.Values) {
		id := f.contribution(f.owner, "Masquée")
		f.exec(`UPDATE contributions SET status = 'hidden', hidden_reason = 'spam' WHERE id = ?`, id)
		return fmt.Sprintf("/moderation/contributions/%d/retablir", id), nil
	}, "303 403 403 403 403 303 303", contributionIs("status", "published")},
	{"POST", "/moderation/contributions/:id/classer", onFree("/moderation/contributions/%d/classer", nil), "303 403 403 403 403 303 303", nil},
	{"POST", "/moderation/arguments/:id/masquer", onArgument("/moderation/arguments/%d/masquer", url.Values{"motif": {"spam"}}), "303 403 403 403 403 303 303", argumentIs("status", "hidden")},
	{"POST", "/moderation/arguments/:id/retablir", func(f *matrixFix, _ int64) (string, url.Values) {
		id := f.argument(f.contribution(f.owner, "Discutée"), f.owner, "Masqué")
		f.exec(`UPDATE arguments SET status = 'hidden', hidden_reason = 'spam' WHERE id = ?`, id)
		return fmt.Sprintf("/moderation/arguments/%d/retablir", id), nil
	}, "303 403 403 403 403 303 303", argumentIs("status", "published")},
	{"POST", "/moderation/arguments/:id/classer", onArgument("/moderation/arguments/%d/classer", nil), "303 403 403 403 403 303 303", nil},
	{"POST", "/moderation/comptes/:id/suspendre", func(f *matrixFix, _ int64) (string, url.Values) {
		return fmt.Sprintf("/moderation/comptes/%d/suspendre", f.user("À suspendre")), url.Values{"duree": {"7"}, "motif": {"spam"}}
	}, "303 403 403 403 403 303 303", func(f *matrixFix, path string) bool {
		return f.text(`SELECT blocked_until::text FROM users WHERE id = ?`, pathID(path)) != "<nil>"
	}},
	{"POST", "/moderation/comptes/:id/lever-suspension", func(f *matrixFix, _ int64) (string, url.Values) {
		id := f.user("Suspendu")
		f.exec(`UPDATE users SET blocked_until = now() + interval '1 day' WHERE id = ?`, id)
		return fmt.Sprintf("/moderation/comptes/%d/lever-suspension", id), nil
	}, "303 403 403 403 403 303 303", nil},
	{"GET", "/moderation/journal", fixed("/moderation/journal"), "200 200 200 200 200 200 200", nil},
	{"GET", "/moderation/journal.csv", fixed("/moderation/journal.csv"), "200 200 200 200 200 200 200", nil},
	{"GET", "/compte/notifications", fixed("/compte/notifications"), "303 200 200 200 200 200 200", nil},
	{"GET", "/admin/journal", fixed("/admin/journal"), "303 403 403 403 403 403 200", nil},

	// médiation numérique: the médiateur's pages are theirs only (no role of
	// this table has it: app/web/mediation_test.go checks them as a
	// médiateur); moderators see the volumes; administrators grant the role.
	{"GET", "/mediation", fixed("/mediation"), "303 403 403 403 403 403 403", nil},
	{"GET", "/mediation/contribution", fixed("/mediation/contribution"), "303 403 403 403 403 403 403", nil},
	{"POST", "/mediation/contribution", withForm("/mediation/contribution", url.Values{"categorie": {"citoyen"}, "departement": {"29"},
		"accord": {"oui"}, "axe": {axisForm}, "titre": {"Accompagnée"}, "texte": {"Texte"}}), "303 403 403 403 403 403 403", nil},
	{"POST", "/mediation/contributions/:id/code", onFree("/mediation/contributions/%d/code", nil), "303 403 403 403 403 403 403", nil},
	{"GET", "/mediation/personnes/nouvelle", fixed("/mediation/personnes/nouvelle"), "303 403 403 403 403 403 403", nil},
	{"POST", "/mediation/personnes/nouvelle", withForm("/mediation/personnes/nouvelle", url.Values{"categorie": {"citoyen"},
		"departement": {"29"}, "accord": {"oui"}}), "303 403 403 403 403 403 403", nil},
	{"POST", "/contributions/:id/soutien-accompagne", onFree("/contributions/%d/soutien-accompagne", url.Values{"personne": {"1"}}),
		"303 403 403 403 403 403 403", func(f *matrixFix, path string) bool {
			return f.scalar(`SELECT count(*) FROM assisted_supports WHERE contribution_id = ?`, pathID(path)) == 1
		}},
	{"GET", "/compte/recuperer", fixed("/compte/recuperer"), "200 200 200 200 200 200 200", nil},
	{"POST", "/compte/recuperer", withForm("/compte/recuperer", url.Values{"code": {"0000 0000 0000"}}), "303 422 422 422 422 422 422", nil},
	{"GET", "/moderation/mediation", fixed("/moderation/mediation"), "303 403 403 403 403 200 200", nil},
	{"GET", "/moderation/mediation/:id", func(f *matrixFix, _ int64) (string, url.Values) {
		id := f.user("Médiatrice")
		f.exec(`INSERT INTO mediators (user_id, structure_kind, structure_name, territory_id)
			VALUES (?, 'association', 'Emmaüs Connect', (SELECT id FROM territories WHERE kind = 'departement' AND code = '29'))`, id)
		return fmt.Sprintf("/moderation/mediation/%d", id), nil
	}, "303 403 403 403 403 200 200", nil},
	{"POST", "/admin/utilisateurs/:id/mediateur", func(f *matrixFix, _ int64) (string, url.Values) {
		return fmt.Sprintf("/admin/utilisateurs/%d/mediateur", f.user("Futur médiateur")),
			url.Values{"action": {"grant"}, "structure": {"france-services"}, "nom_structure": {"France services de Brest"}, "territoire": {"departement:29"}}
	}, "303 403 403 403 403 403 303", func(f *matrixFix, path string) bool {
		return f.scalar(`SELECT count(*) FROM user_roles WHERE user_id = ? AND role = 'mediateur'`, pathID(path)) == 1
	}},
}

// TestAuthorisationMatrix calls every route of routes() as every role and
// checks the status of the table above; a route missing from the table
// fails the test. A refused action changes nothing.
func TestAuthorisationMatrix(t *testing.T) {
	inTable := map[string]bool{}
	for _, m := range matrix {
		inTable[m.method+" "+m.route] = true
	}
	for _, rt := range (&Server{}).routes() {
		if !inTable[rt.method+" "+rt.path] {
			t.Errorf("route %s %s is missing from the authorisation matrix", rt.method, rt.path)
		}
		delete(inTable, rt.method+" "+rt.path)
	}
	for k := range inTable {
		t.Errorf("the matrix lists %s, which routes() does not have", k)
	}
	if t.Failed() {
		t.FailNow()
	}

	f := newMatrixFix(t)
	f.deps.Limiter = permissiveLimiter(t, f.deps) // the matrix is not about rate limits
	app, err := New(f.deps)
	if err != nil {
		t.Fatal(err)
	}
	f.app = app
	for _, m := range matrix {
		want := strings.Fields(m.want)
		if len(want) != len(matrixRoles) {
			t.Fatalf("%s %s: %d statuses for %d roles", m.method, m.route, len(want), len(matrixRoles))
		}
		for i, role := range matrixRoles {
			path, form := m.build(f, f.ids[i])
			f.as(f.ids[i])
			var status int
			var body, location string
			if m.method == "GET" {
				resp, b := f.get(path)
				status, body, location = resp.StatusCode, b, resp.Header.Get("Location")
			} else {
				fm := url.Values{}
				for k, v := range form {
					fm[k] = append([]string(nil), v...)
				}
				resp, b := f.post(path, fm)
				status, body, location = resp.StatusCode, b, resp.Header.Get("Location")
			}
			if strconv.Itoa(status) != want[i] {
				t.Errorf("%s %s as %s: status %d, want %s\n%.600s", m.method, path, role, status, want[i], excerpt(body))
				continue
			}
			if status >= 400 && status != 404 && strings.Contains(body, "<html") && !strings.Contains(body, `lang="fr"`) {
				t.Errorf("%s %s as %s: error page not in French", m.method, path, role)
			}
			toSignIn := status == 303 && strings.HasPrefix(location, "/connexion?retour=")
			if i == 0 && status == 303 && !toSignIn && m.route != "/deconnexion" {
				t.Errorf("%s %s as anonymous: sent to %q", m.method, path, location)
			}
			allowed := status < 400 && !toSignIn
			if m.changed != nil && m.changed(f, path) != allowed {
				t.Errorf("%s %s as %s: status %d but the action took effect = %v", m.method, path, role, status, !allowed)
			}
		}
	}
}
