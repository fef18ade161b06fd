package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/mediation"
)

// medFix is the platform with a médiateur of France services in the
// Finistère, small daily limits, and helpers.
type medFix struct {
	*modFix
	tt       *testing.T
	svc      *mediation.Service
	mediator int64
}

var testMediationLimits = mediation.Limits{People: 4, Contributions: 3, Supports: 5, SupportsPerPerson: 3}

func newMedFix(t *testing.T) *medFix {
	t.Helper()
	f := &medFix{modFix: newModFix(t), tt: t}
	f.svc = mediation.New(f.deps.DB, contribution.NewStore(f.deps.DB), testMediationLimits, f.deps.Config.SessionSecret)
	f.deps.Mediation = f.svc
	f.rebuild()
	f.mediator = f.user("Médiatrice Anne")
	if err := f.svc.Grant(context.Background(), nil, f.mediator, mediation.Profile{StructureKind: mediation.StructureFranceServices,
		StructureName: "Quimper centre", TerritoryKind: "departement", TerritoryCode: "29"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// assistedForm is a valid form for a new person of the Finistère.
func assistedForm(title string) url.Values {
	return url.Values{"prenom": {"Marie"}, "categorie": {"citoyen"}, "departement": {"29"}, "accord": {"oui"},
		"axe": {axisForm}, "titre": {title}, "texte": {"Je n'ai pas d'ordinateur. J'ai besoin d'aide pour mes papiers."}}
}

var receiptCode = regexp.MustCompile(`id="code-recu">(\d{4} \d{4} \d{4})<`)

// contribute posts the form as the médiateur and returns the contribution
// and its code, read on the receipt.
func (f *medFix) contribute(form url.Values) (int64, string) {
	f.t.Helper()
	f.as(f.mediator)
	resp, body := f.post("/mediation/contribution", form)
	expect(f.tt, "assisted contribution", resp, body, http.StatusOK, "Reçu de votre contribution", "Écrite avec l'aide de : France services – Quimper centre")
	m := receiptCode.FindStringSubmatch(body)
	if m == nil {
		f.t.Fatalf("no code on the receipt\n%s", excerpt(body))
	}
	return f.scalar(`SELECT max(contribution_id) FROM assisted_contributions`), m[1]
}

// TestAssistedContributionJourney follows a médiateur: their page, the form,
// a refusal without consent, the publication and its receipt; then what the
// public sees (the mark, never the médiateur), the list filter and facet,
// and the statistics.
func TestAssistedContributionJourney(t *testing.T) {
	f := newMedFix(t)
	f.as(f.mediator)
	resp, body := f.get("/mediation")
	expect(t, "médiateur page", resp, body, http.StatusOK, "Espace médiateur numérique", "France services – Quimper centre",
		"Finistère (29)", "0 personne accompagnée sur 4 possibles")
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("médiateur page cached: %q", cc)
	}
	resp, body = f.get("/mediation/contribution")
	expect(t, "form", resp, body, http.StatusOK, "Lisez ce texte à voix haute", mediation.ConsentText[3], `value="29" selected`)
	if strings.Contains(body, `value="35"`) {
		t.Error("a département outside the territory is offered")
	}

	form := assistedForm("Des permanences le samedi")
	form.Del("accord")
	resp, body = f.post("/mediation/contribution", form)
	expect(t, "without consent", resp, body, http.StatusUnprocessableEntity, "Rien n'a été publié",
		html.EscapeString("Sans l'accord de la personne, rien n'est enregistré"), `value="Des permanences le samedi"`)
	if n := f.scalar(`SELECT count(*) FROM contributions`) + f.scalar(`SELECT count(*) FROM mediation_people`); n != 0 {
		t.Fatalf("%d rows stored without consent", n)
	}

	id, code := f.contribute(assistedForm("Des permanences le samedi"))
	if f.text(`SELECT assisted::text FROM contributions WHERE id = ?`, id) != "true" {
		t.Error("not marked assisted")
	}

	f.as(0)
	resp, body = f.get(fmt.Sprintf("/contributions/%d", id))
	expect(t, "public page", resp, body, http.StatusOK, "Contribution accompagnée", "Proposée par Marie (Citoyen·ne)",
		"Écrite avec l'aide d'un médiateur numérique")
	for _, secret := range []string{"Médiatrice Anne", "Quimper centre", code, "soutien-accompagne"} {
		if strings.Contains(body, secret) {
			t.Errorf("the public page shows %q", secret)
		}
	}
	_, body = f.get("/contributions?accompagnee=1")
	if !strings.Contains(body, "Des permanences le samedi") || !strings.Contains(body, "Accompagnées par un médiateur numérique (1)") {
		t.Errorf("filtered list:\n%s", excerpt(body))
	}
	if _, body = f.get("/contributions?accompagnee=0"); strings.Contains(body, "Des permanences le samedi") {
		t.Error("accompagnee=0 lists it")
	}
	_, body = f.get("/statistiques")
	if !strings.Contains(body, "Contributions accompagnées par un médiateur numérique") {
		t.Error("statistics without the breakdown")
	}

	// Outside the territory, and beyond the limit of the day.
	f.as(f.mediator)
	outside := assistedForm("Ailleurs")
	outside.Set("departement", "35")
	resp, body = f.post("/mediation/contribution", outside)
	expect(t, "outside", resp, body, http.StatusForbidden, "hors de votre territoire (Finistère (29))")
	f.contribute(assistedForm("Deuxième"))
	f.contribute(assistedForm("Troisième"))
	resp, body = f.post("/mediation/contribution", assistedForm("Quatrième"))
	expect(t, "limit", resp, body, http.StatusTooManyRequests, "Vous avez atteint la limite du jour : 3 contributions accompagnées")
	if n := f.scalar(`SELECT count(*) FROM audit_log WHERE action = 'mediation.refused' AND actor_id = ?`, f.mediator); n != 2 {
		t.Errorf("refusals audited: %d", n)
	}

	// A lost receipt: a new code, once more shown once.
	resp, body = f.post(fmt.Sprintf("/mediation/contributions/%d/code", id), nil)
	expect(t, "new code", resp, body, http.StatusOK, "Le nouveau code est prêt. L'ancien code ne marche plus.")
	if m := receiptCode.FindStringSubmatch(body); m == nil || m[1] == code {
		t.Errorf("new code: %v", m)
	}
	resp, body = f.get("/mediation")
	expect(t, "médiateur page after", resp, body, http.StatusOK, "3 contributions écrites sur 3 possibles", "Des permanences le samedi", "Nouveau code pour n°")
}

// TestAssistedSupportPages records a person's consent, then their support
// on a contribution page, which only the médiateur sees.
func TestAssistedSupportPages(t *testing.T) {
	f := newMedFix(t)
	author := f.user("Autrice")
	c := f.contribution(author, "Un bus numérique")
	page := fmt.Sprintf("/contributions/%d", c)
	f.as(f.mediator)
	_, body := f.get(page)
	expect(t, "no one yet", &http.Response{StatusCode: 200}, body, 200, "Soutien d'une personne accompagnée", "Aucune personne à côté de vous")

	resp, body := f.post("/mediation/personnes/nouvelle", url.Values{"prenom": {"Jo"}, "categorie": {"citoyen"}, "departement": {"29"}, "retour": {page}})
	expect(t, "person without consent", resp, body, http.StatusUnprocessableEntity, "Rien n'a été enregistré", html.EscapeString("Sans l'accord"))
	resp, _ = f.post("/mediation/personnes/nouvelle", url.Values{"prenom": {"Jo"}, "categorie": {"citoyen"}, "departement": {"29"},
		"accord": {"oui"}, "retour": {page}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page+"#soutien-accompagne" {
		t.Fatalf("person: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	person := f.scalar(`SELECT id FROM mediation_people WHERE label = 'Jo'`)
	_, body = f.get(page)
	expect(t, "person at the side", &http.Response{StatusCode: 200}, body, 200, "Enregistrer le soutien de Jo")

	resp, _ = f.post(page+"/soutien-accompagne", url.Values{"personne": {fmt.Sprint(person)}, "action": {"ajouter"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("support: %d", resp.StatusCode)
	}
	_, body = f.get(page + "?soutien-accompagne=ajoute")
	expect(t, "supported", &http.Response{StatusCode: 200}, body, 200, "Le soutien de la personne est enregistré.", "Retirer le soutien de Jo", "<strong>1</strong> soutien")
	if n := f.scalar(`SELECT supports FROM contribution_counters WHERE contribution_id = ?`, c); n != 1 {
		t.Errorf("counter %d", n)
	}
	// Another person's id, a wrong one, and the médiateur's own contribution.
	resp, body = f.post(page+"/soutien-accompagne", url.Values{"personne": {"999999"}})
	expect(t, "unknown person", resp, body, http.StatusConflict, "Si elle est à côté de vous")
	resp, body = f.post(page+"/soutien-accompagne", url.Values{"personne": {"abc"}})
	expect(t, "no person", resp, body, http.StatusUnprocessableEntity, "Choisissez la personne")
	own := f.contribution(f.mediator, "La mienne")
	resp, body = f.post(fmt.Sprintf("/contributions/%d/soutien-accompagne", own), url.Values{"personne": {fmt.Sprint(person)}})
	expect(t, "own", resp, body, http.StatusForbidden, "votre propre contribution")

	resp, _ = f.post(page+"/soutien-accompagne", url.Values{"personne": {fmt.Sprint(person)}, "action": {"retirer"}})
	if resp.StatusCode != http.StatusSeeOther || f.scalar(`SELECT supports FROM contribution_counters WHERE contribution_id = ?`, c) != 0 {
		t.Errorf("remove: %d", resp.StatusCode)
	}

	// Others never see the section, nor may they post it.
	f.as(author)
	if _, body = f.get(page); strings.Contains(body, "soutien-accompagne") {
		t.Error("a citizen sees the médiateur's section")
	}
	resp, body = f.post(page+"/soutien-accompagne", url.Values{"personne": {fmt.Sprint(person)}})
	expect(t, "citizen posts", resp, body, http.StatusForbidden, "réservée aux médiateurs")
}

// TestClaimPage follows the person who takes their contribution into their
// own account with the code of the receipt.
func TestClaimPage(t *testing.T) {
	f := newMedFix(t)
	id, code := f.contribute(assistedForm("Aider pour les papiers"))
	f.as(0)
	resp, body := f.get("/compte/recuperer")
	expect(t, "anonymous", resp, body, http.StatusOK, "il faut un compte à votre nom", `href="/inscription?retour=%2Fcompte%2Frecuperer"`)

	marie := f.user("Marie Dupont")
	f.as(marie)
	resp, body = f.get("/compte")
	expect(t, "account page", resp, body, http.StatusOK, `href="/compte/recuperer"`)
	resp, body = f.get("/compte/recuperer")
	expect(t, "form", resp, body, http.StatusOK, `inputmode="numeric"`, "Par exemple : 1234 5678 9012")
	resp, body = f.post("/compte/recuperer", url.Values{"code": {"1234"}})
	expect(t, "short", resp, body, http.StatusUnprocessableEntity, "Le code a 12 chiffres")
	resp, body = f.post("/compte/recuperer", url.Values{"code": {"0000 0000 0000"}})
	expect(t, "wrong", resp, body, http.StatusUnprocessableEntity, "Ce code ne marche pas")

	f.as(f.mediator)
	resp, body = f.post("/compte/recuperer", url.Values{"code": {code}})
	expect(t, "the médiateur", resp, body, http.StatusForbidden, html.EscapeString("C'est à la personne accompagnée de la récupérer"))

	f.as(marie)
	resp, _ = f.post("/compte/recuperer", url.Values{"code": {strings.ReplaceAll(code, " ", "")}})
	if want := fmt.Sprintf("/compte/recuperer?fait=%d", id); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Fatalf("claim: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = f.get(fmt.Sprintf("/compte/recuperer?fait=%d", id))
	expect(t, "done", &http.Response{StatusCode: 200}, body, 200, "C'est fait", fmt.Sprintf("La contribution n° %d est maintenant à votre nom", id))
	_, body = f.get(fmt.Sprintf("/contributions/%d", id))
	expect(t, "her contribution", &http.Response{StatusCode: 200}, body, 200, fmt.Sprintf(`<a href="/auteurs/%d">Marie Dupont</a>`, marie),
		"Contribution accompagnée", "/modifier")
	resp, body = f.post("/compte/recuperer", url.Values{"code": {code}})
	expect(t, "used", resp, body, http.StatusUnprocessableEntity, "Ce code ne marche pas")
}

// TestMediationModerationPages checks the moderators' figures per médiateur
// and the trail of one of them.
func TestMediationModerationPages(t *testing.T) {
	f := newMedFix(t)
	id, _ := f.contribute(assistedForm("Des ateliers"))
	mod := f.user("Modérateur", account.RoleModerator)
	f.exec(`INSERT INTO reports (contribution_id, reporter_id, reason) VALUES (?, ?, 'spam')`, id, mod)
	f.as(mod)
	resp, body := f.get("/moderation")
	expect(t, "queue", resp, body, http.StatusOK, `href="/moderation/mediation"`, "Écrit par : une personne accompagnée",
		fmt.Sprintf(`<a href="/moderation/mediation/%d">`, f.mediator))
	resp, body = f.get("/moderation/mediation")
	expect(t, "volumes", resp, body, http.StatusOK, "Médiatrice Anne", "France services – Quimper centre", "<td>1 / 1</td>")
	resp, body = f.get(fmt.Sprintf("/moderation/mediation/%d", f.mediator))
	expect(t, "activity", resp, body, http.StatusOK, "Activité de Médiatrice Anne", fmt.Sprintf("n° %d : Des ateliers", id),
		"Contribution accompagnée publiée", html.EscapeString("Accord d'une personne accompagnée recueilli"))
	resp, body = f.get(fmt.Sprintf("/moderation/mediation/%d", mod))
	expect(t, "not a médiateur", resp, body, http.StatusNotFound, html.EscapeString("pas celui d'un médiateur"))
}

// TestAdminGrantsMediator grants, changes and withdraws the role from the
// administration page, with its French refusals.
func TestAdminGrantsMediator(t *testing.T) {
	f := newMedFix(t)
	admin := f.user("Admin", account.RoleAdmin)
	u := f.user("Léo")
	f.as(admin)
	path := fmt.Sprintf("/admin/utilisateurs/%d/mediateur", u)
	resp, body := f.post(path, url.Values{"action": {"grant"}, "structure": {"mairie"}, "nom_structure": {"Mairie"}, "territoire": {"departement:29"}})
	expect(t, "bad kind", resp, body, http.StatusUnprocessableEntity, "Choisissez le type de structure")
	resp, body = f.post(path, url.Values{"action": {"grant"}, "structure": {"association"}, "nom_structure": {"Emmaüs Connect"}, "territoire": {"pays:FR"}})
	expect(t, "bad territory", resp, body, http.StatusUnprocessableEntity, "Choisissez le territoire")
	resp, _ = f.post(path, url.Values{"action": {"grant"}, "structure": {"association"}, "nom_structure": {"Emmaüs Connect"}, "territoire": {"region:53"}})
	if resp.StatusCode != http.StatusSeeOther || f.scalar(`SELECT count(*) FROM user_roles WHERE user_id = ? AND role = 'mediateur'`, u) != 1 {
		t.Fatalf("grant: %d", resp.StatusCode)
	}
	resp, body = f.get("/admin/utilisateurs?q=" + url.QueryEscape("Léo"))
	expect(t, "users page", resp, body, http.StatusOK, "Médiateur·rice numérique", "Mettre à jour le rôle de médiateur", "Association – Emmaüs Connect, Bretagne",
		`value="region:53" selected`)
	if n := f.scalar(`SELECT count(*) FROM audit_log WHERE action = 'mediation.granted' AND actor_id = ?`, admin); n != 1 {
		t.Errorf("grant audited %d times", n)
	}
	resp, _ = f.post(path, url.Values{"action": {"revoke"}})
	if resp.StatusCode != http.StatusSeeOther || f.scalar(`SELECT count(*) FROM user_roles WHERE user_id = ?`, u) != 0 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	resp, body = f.post(path, url.Values{"action": {"revoke"}})
	expect(t, "revoke twice", resp, body, http.StatusUnprocessableEntity, html.EscapeString("n'a pas le rôle de médiateur"))

	// A revoked médiateur loses their pages at once.
	f.as(u)
	resp, body = f.get("/mediation")
	expect(t, "revoked", resp, body, http.StatusForbidden, "réservée aux médiateurs")
}

// TestAssistedInExportsAndReport checks the column of the exports and the
// line of the report.
func TestAssistedInExportsAndReport(t *testing.T) {
	f := newMedFix(t)
	id, _ := f.contribute(assistedForm("Une idée accompagnée"))
	person := f.scalar(`SELECT person_id FROM assisted_contributions WHERE contribution_id = ?`, id)
	other := f.contribution(f.user("Autrice"), "Une idée sans aide")
	if _, err := f.svc.Support(context.Background(), f.mediator, person, other, true); err != nil {
		t.Fatal(err)
	}
	rapporteur := f.user("Rapporteuse", account.RoleRapporteur)
	f.as(rapporteur)
	resp, body := f.get("/synthese/export/contributions.csv")
	expect(t, "csv", resp, body, http.StatusOK, "accompagnee")
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil || len(records) != 3 {
		t.Fatalf("csv: %d records, %v", len(records), err)
	}
	col := slices.Index(records[0], "accompagnee")
	got := map[string]string{}
	for _, r := range records[1:] {
		got[r[14]] = r[col] // titre
	}
	if col < 0 || got["Une idée accompagnée"] != "oui" || got["Une idée sans aide"] != "non" {
		t.Errorf("accompagnee column %d: %v", col, got)
	}
	resp, body = f.get("/synthese/export/export-json.zip")
	expect(t, "json", resp, body, http.StatusOK)
	resp, body = f.get("/synthese/rapport")
	expect(t, "report", resp, body, http.StatusOK, "Dont 1 contribution accompagnée par un médiateur numérique (50 %).")
	resp, body = f.get("/synthese?accompagnee=1")
	expect(t, "workspace", resp, body, http.StatusOK, "Une idée accompagnée", `<option value="1" selected>`)
	if strings.Contains(body, "Une idée sans aide") {
		t.Error("the workspace filter keeps the other one")
	}
}
