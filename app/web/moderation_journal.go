package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/gofiber/fiber/v2"
)

const journalPageSize = 50

// journalEntry is one line of the public moderation log.
type journalEntry struct {
	moderation.LogEntry
	URL      string // the item's public address
	Base     string // the moderators' action address
	CanAct   bool   // a moderator may restore the item (hidden now) from here
	Restored bool
}

type moderationJournalPage struct {
	Page
	Entries   []journalEntry
	Total     int
	Pager     pager
	Done      string
	Moderator bool // shows the "Rétablir" buttons
}

// moderationJournal is the public moderation log: what was hidden or
// restored, when and why; no name, no e-mail, no text of the item.
func (s *Server) moderationJournal(c *fiber.Ctx) error {
	p, err := s.page(c, "Journal de modération")
	if err != nil {
		return err
	}
	page := pageNumber(c)
	entries, total, err := s.Moderation.PublicLog(c.UserContext(), journalPageSize, (page-1)*journalPageSize)
	if err != nil {
		return err
	}
	data := moderationJournalPage{
		Page: p, Total: total,
		Pager: newPager(page, total, journalPageSize, func(n int) string { return "/moderation/journal?page=" + strconv.Itoa(n) }),
	}
	moderator := p.User.IsModerator()
	data.Moderator = moderator
	if moderator {
		data.Done = queueDone[c.Query("fait")]
	}
	for _, e := range entries {
		data.Entries = append(data.Entries, journalEntry{
			LogEntry: e,
			URL:      entryURL(e),
			Base:     "/moderation/" + kindPath(e.ItemKind) + "/" + strconv.FormatInt(e.ItemID, 10),
			CanAct:   moderator && e.Hidden && e.Decision != moderation.DecisionRestored,
			Restored: e.Decision == moderation.DecisionRestored,
		})
	}
	return s.render.Render(c, http.StatusOK, tplModerationJournal, data)
}

// moderationJournalCSV exports the whole public log as CSV (RFC 4180,
// UTF-8), every cell neutralised against formula injection.
func (s *Server) moderationJournalCSV(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="journal-moderation.csv"`)
	w := csv.NewWriter(c.Response().BodyWriter())
	w.UseCRLF = true
	if err := w.Write([]string{"date", "élément", "numéro", "décision", "motif"}); err != nil {
		return err
	}
	err := s.Moderation.EachLogEntry(c.UserContext(), func(e moderation.LogEntry) error {
		row := []string{
			e.At.In(paris).Format("2006-01-02T15:04:05-07:00"),
			e.KindLabel(),
			strconv.FormatInt(e.ItemID, 10),
			e.DecisionLabel(),
			e.Reason,
		}
		for i := range row {
			row[i] = neutralizeCell(row[i])
		}
		return w.Write(row)
	})
	if err != nil {
		c.Response().ResetBody()
		return err
	}
	w.Flush()
	return w.Error()
}

// entryURL is the public address of a log entry's item, "" when its
// contribution no longer exists.
func entryURL(e moderation.LogEntry) string {
	if e.ContributionID == nil {
		return ""
	}
	return itemURL(e.ItemKind, e.ItemID, *e.ContributionID)
}

// neutralizeCell prefixes with an apostrophe a cell that a spreadsheet would
// read as a formula (starting with = + - @, a tab or a carriage return).
func neutralizeCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
