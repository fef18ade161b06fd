package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/gofiber/fiber/v2"
)

const queuePageSize = 20

// blockDurations are the periods a moderator can block an account for, in days.
var blockDurations = []struct {
	Days  int
	Label string
}{{1, "1 jour"}, {7, "7 jours"}, {30, "30 jours"}, {90, "3 mois"}, {365, "1 an"}}

// queueDone are the fixed confirmations after an action (?fait=code).
var queueDone = map[string]string{
	"masque":   "Le contenu est masqué. Le motif est affiché publiquement et l'auteur ou l'autrice a été prévenu.",
	"retabli":  "Le contenu est de nouveau visible. L'auteur ou l'autrice a été prévenu.",
	"classe":   "Les signalements sont classés sans suite.",
	"suspendu": "Le compte est suspendu. La personne a été prévenue du motif et de la durée.",
	"leve":     "La suspension du compte est levée. La personne a été prévenue.",
}

// queueEntry is one item of the queue with its action addresses.
type queueEntry struct {
	moderation.QueueItem
	Base      string // /moderation/contributions/12
	PublicURL string
	Anchor    string
	// BlockedNow reports whether the author's account is blocked now.
	BlockedNow bool
}

// KindLabel returns "Contribution" or "Argument".
func (e queueEntry) KindLabel() string {
	if e.Kind == moderation.KindArgument {
		return "Argument"
	}
	return "Contribution"
}

type moderationQueuePage struct {
	Page
	Items     []queueEntry
	Total     int
	Threshold int
	Pager     pager
	Motifs    []reasonOption
	Durations []struct {
		Days  int
		Label string
	}
	Done  string
	Error string
	Now   time.Time
}

// moderationQueue lists the items with open reports, the most reported first.
func (s *Server) moderationQueue(c *fiber.Ctx) error {
	v, err := s.requireModerator(c)
	if v == nil {
		return err
	}
	return s.renderQueue(c, http.StatusOK, "")
}

func (s *Server) renderQueue(c *fiber.Ctx, status int, errMsg string) error {
	p, err := s.page(c, "Modération")
	if err != nil {
		return err
	}
	page := pageNumber(c)
	items, total, err := s.Moderation.Queue(c.UserContext(), queuePageSize, (page-1)*queuePageSize)
	if err != nil {
		return err
	}
	data := moderationQueuePage{
		Page: p, Total: total, Threshold: s.Moderation.Threshold(),
		Pager:  newPager(page, total, queuePageSize, func(n int) string { return "/moderation?page=" + strconv.Itoa(n) }),
		Motifs: reasonOptions(""), Durations: blockDurations,
		Done: queueDone[c.Query("fait")], Error: errMsg, Now: s.Now(),
	}
	for _, it := range items {
		data.Items = append(data.Items, queueEntry{
			QueueItem:  it,
			Base:       "/moderation/" + kindPath(it.Kind) + "/" + strconv.FormatInt(it.ID, 10),
			PublicURL:  itemURL(it.Kind, it.ID, it.ContributionID),
			Anchor:     it.Kind + "-" + strconv.FormatInt(it.ID, 10),
			BlockedNow: it.AuthorBlockedUntil != nil && data.Now.Before(*it.AuthorBlockedUntil),
		})
	}
	return s.render.Render(c, status, tplModerationQueue, data)
}

// moderationDecide applies a moderator's decision on the item kind/:id:
// "masquer", "retablir" or "classer".
func (s *Server) moderationDecide(kind, decision string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := s.requireModerator(c)
		if v == nil {
			return err
		}
		id, err := itemID(c)
		if err != nil {
			return err
		}
		ctx, done := c.UserContext(), ""
		switch decision {
		case "masquer":
			in := moderation.HideInput{Motif: c.FormValue("motif"), Precision: c.FormValue("precision")}
			err, done = s.Moderation.Hide(ctx, v.ID, kind, id, in), "masque"
		case "retablir":
			err, done = s.Moderation.Restore(ctx, v.ID, kind, id), "retabli"
		default:
			err, done = s.Moderation.Dismiss(ctx, v.ID, kind, id), "classe"
		}
		if ve, ok := moderation.IsValidation(err); ok {
			return s.renderQueue(c, http.StatusUnprocessableEntity, ve.Message)
		}
		if err != nil {
			return moderationError(err)
		}
		return c.Redirect(s.afterDecision(c, done), http.StatusSeeOther)
	}
}

// afterDecision is where a decision leads: back to the public log when it
// was taken there, otherwise to the queue.
func (s *Server) afterDecision(c *fiber.Ctx, done string) string {
	if c.FormValue("depuis") == "journal" {
		return "/moderation/journal?fait=" + done
	}
	return "/moderation?fait=" + done
}

// moderationBlock blocks the account :id for the chosen number of days, or
// lifts its block ("lever").
func (s *Server) moderationBlock(lift bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := s.requireModerator(c)
		if v == nil {
			return err
		}
		id, err := itemID(c)
		if err != nil {
			return err
		}
		if lift {
			if err := s.Moderation.Unblock(c.UserContext(), v.ID, id); err != nil {
				return accountModerationError(err)
			}
			return c.Redirect("/moderation?fait=leve", http.StatusSeeOther)
		}
		days, _ := strconv.Atoi(c.FormValue("duree"))
		valid := false
		for _, d := range blockDurations {
			valid = valid || d.Days == days
		}
		if !valid {
			return s.renderQueue(c, http.StatusUnprocessableEntity, "Choisissez la durée de la suspension.")
		}
		in := moderation.BlockInput{Until: s.Now().Add(time.Duration(days) * 24 * time.Hour), Reason: c.FormValue("motif")}
		err = s.Moderation.Block(c.UserContext(), v.ID, id, in)
		if ve, ok := moderation.IsValidation(err); ok {
			return s.renderQueue(c, http.StatusUnprocessableEntity, ve.Message)
		}
		if err != nil {
			return accountModerationError(err)
		}
		return c.Redirect("/moderation?fait=suspendu", http.StatusSeeOther)
	}
}

func accountModerationError(err error) error {
	if errors.Is(err, moderation.ErrNotFound) {
		return &UserError{Status: http.StatusNotFound, Message: "Ce compte n'existe pas ou a été supprimé."}
	}
	return moderationError(err)
}
