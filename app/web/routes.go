package web

import (
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/gofiber/fiber/v2"
)

type route struct {
	method  string
	path    string
	handler fiber.Handler
}

// routes is the list of every route of the platform, grouped by area.
func (s *Server) routes() []route {
	return []route{
		// site
		{fiber.MethodGet, "/", s.home},
		{fiber.MethodGet, "/axes", s.axes},
		{fiber.MethodGet, "/axes/:slug", s.axis},
		{fiber.MethodGet, "/hubs", s.hubList},
		{fiber.MethodGet, "/hubs/:slug", s.hubShow},
		{fiber.MethodGet, "/accessibilite", s.accessibility},
		{fiber.MethodPost, "/accessibilite/contact", s.accessibilityContact},
		{fiber.MethodGet, "/admin/accessibilite", s.adminAccessibility},
		{fiber.MethodPost, "/admin/accessibilite/:id/traite", s.adminAccessibilityHandled},
		{fiber.MethodGet, "/plan-du-site", s.siteMap},
		{fiber.MethodGet, "/healthz", s.healthz},
		{fiber.MethodGet, "/readyz", s.readyz},

		// accounts
		{fiber.MethodGet, "/inscription", s.signUpForm},
		{fiber.MethodPost, "/inscription", s.signUp},
		{fiber.MethodGet, "/inscription/confirmer", s.verifyForm},
		{fiber.MethodPost, "/inscription/confirmer", s.verify},
		{fiber.MethodGet, "/connexion", s.signInForm},
		{fiber.MethodPost, "/connexion", s.signIn},
		{fiber.MethodPost, "/connexion/oidc/:provider", s.oidcBegin},
		{fiber.MethodGet, "/connexion/oidc/:provider/retour", s.oidcCallback},
		{fiber.MethodPost, "/deconnexion", s.signOut},
		{fiber.MethodGet, "/deconnecte", s.signedOut},
		{fiber.MethodGet, "/mot-de-passe-oublie", s.forgotForm},
		{fiber.MethodPost, "/mot-de-passe-oublie", s.forgot},
		{fiber.MethodGet, "/mot-de-passe/nouveau", s.resetForm},
		{fiber.MethodPost, "/mot-de-passe/nouveau", s.reset},
		{fiber.MethodGet, "/compte", s.myAccount},
		{fiber.MethodPost, "/compte", s.saveProfile},
		{fiber.MethodGet, "/compte/completer", s.myAccount},
		{fiber.MethodPost, "/compte/completer", s.saveProfile},
		{fiber.MethodGet, "/compte/donnees", s.myData},
		{fiber.MethodPost, "/compte/donnees/export", s.exportData},
		{fiber.MethodPost, "/compte/supprimer", s.deleteAccount},
		{fiber.MethodGet, "/donnees-personnelles", s.privacy},
		{fiber.MethodGet, "/dev/mails", s.devMails},
		{fiber.MethodGet, "/admin/utilisateurs", s.adminUsers},
		{fiber.MethodPost, "/admin/utilisateurs/:id/roles", s.adminUserRole},
		{fiber.MethodGet, "/admin/hubs", s.adminHubs},
		{fiber.MethodGet, "/admin/hubs/:slug", s.adminHub},
		{fiber.MethodPost, "/admin/hubs/:slug/territoires", s.adminHubTerritories},
		{fiber.MethodGet, "/admin/consultation", s.adminConsultation},
		{fiber.MethodPost, "/admin/consultation/statut", s.adminConsultationStatus},

		// contributions: every write goes through s.open, the closing guard
		{fiber.MethodGet, "/contributions", s.contributionList},
		{fiber.MethodGet, "/contributions/nouvelle", s.open(s.contributionNew)},
		{fiber.MethodPost, "/contributions/nouvelle", s.open(s.contributionCreate)},
		{fiber.MethodGet, "/contributions/similaires", s.contributionSimilar},
		{fiber.MethodGet, "/contributions/:id", s.contributionShow},
		{fiber.MethodGet, "/contributions/:id/modifier", s.open(s.contributionEdit)},
		{fiber.MethodPost, "/contributions/:id/modifier", s.open(s.contributionUpdate)},
		{fiber.MethodGet, "/contributions/:id/retirer", s.open(s.contributionWithdrawForm)},
		{fiber.MethodPost, "/contributions/:id/retirer", s.open(s.contributionWithdraw)},
		{fiber.MethodPost, "/contributions/:id/soutenir", s.open(s.contributionSupport)},
		{fiber.MethodPost, "/contributions/:id/retirer-soutien", s.open(s.contributionUnsupport)},
		{fiber.MethodPost, "/contributions/:id/arguments", s.open(s.argumentCreate)},
		{fiber.MethodGet, "/auteurs/:id", s.authorShow},

		// search
		{fiber.MethodGet, "/metrics", s.metrics},

		// synthesis
		{fiber.MethodGet, "/synthese", s.rapporteurOnly(s.synthesisWorkspace)},
		{fiber.MethodGet, "/synthese/contributions/:id", s.rapporteurOnly(s.synthesisContribution)},
		{fiber.MethodPost, "/synthese/contributions/:id/etiquettes", s.rapporteurOnly(s.synthesisAddTag)},
		{fiber.MethodPost, "/synthese/contributions/:id/etiquettes/retirer", s.rapporteurOnly(s.synthesisRemoveTag)},
		{fiber.MethodPost, "/synthese/contributions/:id/retenue", s.rapporteurOnly(s.synthesisRetain)},
		{fiber.MethodPost, "/synthese/contributions/:id/notes", s.rapporteurOnly(s.synthesisAddNote)},
		{fiber.MethodPost, "/synthese/contributions/:id/note-publique", s.rapporteurOnly(s.synthesisPublicNote)},
		{fiber.MethodPost, "/synthese/contributions/:id/reponse", s.rapporteurOnly(s.contributionAnswer)},
		{fiber.MethodPost, "/synthese/selections", s.rapporteurOnly(s.synthesisSaveSet)},
		{fiber.MethodPost, "/synthese/selections/:id/supprimer", s.rapporteurOnly(s.synthesisDeleteSet)},
		{fiber.MethodGet, "/synthese/export/:file", s.rapporteurOnly(s.synthesisExport)},
		{fiber.MethodGet, "/synthese/rapport", s.rapporteurOnly(s.synthesisReport("html"))},
		{fiber.MethodGet, "/synthese/rapport.pdf", s.rapporteurOnly(s.synthesisReport("pdf"))},
		{fiber.MethodGet, "/synthese/rapport.odt", s.rapporteurOnly(s.synthesisReport("odt"))},
		{fiber.MethodPost, "/synthese/rapport/preparer", s.rapporteurOnly(s.synthesisReportPrepare)},
		{fiber.MethodGet, "/synthese/rapports", s.rapporteurOnly(s.synthesisReportFiles)},
		{fiber.MethodGet, "/synthese/rapports/:id/:format", s.rapporteurOnly(s.synthesisReportFile)},
		{fiber.MethodGet, "/synthese/themes", s.rapporteurOnly(s.synthesisThemes)},
		{fiber.MethodPost, "/synthese/themes/analyses", s.rapporteurOnly(s.synthesisThemeRun)},
		{fiber.MethodGet, "/synthese/themes/:id", s.rapporteurOnly(s.synthesisTheme)},
		{fiber.MethodPost, "/synthese/themes/:id/renommer", s.rapporteurOnly(s.themeEdit(s.synthesisThemeRename))},
		{fiber.MethodPost, "/synthese/themes/:id/statut", s.rapporteurOnly(s.themeEdit(s.synthesisThemeStatus))},
		{fiber.MethodPost, "/synthese/themes/:id/fusionner", s.rapporteurOnly(s.themeEdit(s.synthesisThemeMerge))},
		{fiber.MethodPost, "/synthese/themes/:id/scinder", s.rapporteurOnly(s.themeEdit(s.synthesisThemeSplit))},
		{fiber.MethodPost, "/synthese/themes/:id/contributions", s.rapporteurOnly(s.themeEdit(s.synthesisThemeAdd))},
		{fiber.MethodPost, "/synthese/themes/:id/contributions/:cid/retirer", s.rapporteurOnly(s.themeEdit(s.synthesisThemeRemove))},
		{fiber.MethodGet, "/statistiques", s.stats},
		{fiber.MethodGet, "/statistiques/definitions", s.statsDefinitions},
		{fiber.MethodGet, "/statistiques/territoires", s.statsTerritories},
		{fiber.MethodGet, "/donnees", s.openData},
		{fiber.MethodGet, "/donnees/:file", s.openDataFile},

		// moderation
		{fiber.MethodGet, "/contributions/:id/signaler", noStore(s.reportForm(moderation.KindContribution))},
		{fiber.MethodPost, "/contributions/:id/signaler", noStore(s.report(moderation.KindContribution))},
		{fiber.MethodGet, "/arguments/:id/signaler", noStore(s.reportForm(moderation.KindArgument))},
		{fiber.MethodPost, "/arguments/:id/signaler", noStore(s.report(moderation.KindArgument))},
		{fiber.MethodGet, "/moderation", noStore(s.moderationQueue)},
		{fiber.MethodPost, "/moderation/contributions/:id/masquer", noStore(s.moderationDecide(moderation.KindContribution, "masquer"))},
		{fiber.MethodPost, "/moderation/contributions/:id/retablir", noStore(s.moderationDecide(moderation.KindContribution, "retablir"))},
		{fiber.MethodPost, "/moderation/contributions/:id/classer", noStore(s.moderationDecide(moderation.KindContribution, "classer"))},
		{fiber.MethodPost, "/moderation/arguments/:id/masquer", noStore(s.moderationDecide(moderation.KindArgument, "masquer"))},
		{fiber.MethodPost, "/moderation/arguments/:id/retablir", noStore(s.moderationDecide(moderation.KindArgument, "retablir"))},
		{fiber.MethodPost, "/moderation/arguments/:id/classer", noStore(s.moderationDecide(moderation.KindArgument, "classer"))},
		{fiber.MethodPost, "/moderation/comptes/:id/suspendre", noStore(s.moderationBlock(false))},
		{fiber.MethodPost, "/moderation/comptes/:id/lever-suspension", noStore(s.moderationBlock(true))},
		{fiber.MethodGet, "/moderation/journal", noStore(s.moderationJournal)},
		{fiber.MethodGet, "/moderation/journal.csv", noStore(s.moderationJournalCSV)},
		{fiber.MethodGet, "/compte/notifications", noStore(s.myNotifications)},
		{fiber.MethodGet, "/admin/journal", noStore(s.auditJournal)},

		// médiation numérique: the médiateur's pages, their writes through s.open;
		// the claim by the person; the moderators' figures; the role (admin)
		{fiber.MethodGet, "/mediation", noStore(s.mediationHome)},
		{fiber.MethodGet, "/mediation/contribution", noStore(s.open(s.assistedForm))},
		{fiber.MethodPost, "/mediation/contribution", noStore(s.open(s.assistedCreate))},
		{fiber.MethodPost, "/mediation/contributions/:id/code", noStore(s.open(s.assistedNewCode))},
		{fiber.MethodGet, "/mediation/personnes/nouvelle", noStore(s.open(s.personForm))},
		{fiber.MethodPost, "/mediation/personnes/nouvelle", noStore(s.open(s.personCreate))},
		{fiber.MethodPost, "/contributions/:id/soutien-accompagne", noStore(s.open(s.assistedSupport))},
		{fiber.MethodGet, "/compte/recuperer", noStore(s.claimForm)},
		{fiber.MethodPost, "/compte/recuperer", noStore(s.claim)},
		{fiber.MethodGet, "/moderation/mediation", noStore(s.mediationVolumes)},
		{fiber.MethodGet, "/moderation/mediation/:id", noStore(s.mediatorActivity)},
		{fiber.MethodPost, "/admin/utilisateurs/:id/mediateur", noStore(s.adminMediator)},
	}
}
