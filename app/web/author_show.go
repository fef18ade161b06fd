package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/gofiber/fiber/v2"
)

type authorShowPage struct {
	Page
	Name          string
	CategoryLabel string
	List          *listView
}

var errAuthorNotFound = &UserError{Status: http.StatusNotFound, Message: "Cet auteur n'existe pas."}

// authorShow is the public page of an author: display name, category and
// free contributions (Hub proposals are published under the Hub's name).
func (s *Server) authorShow(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return errAuthorNotFound
	}
	// Only authors have a page: an account that has published no free
	// contribution is not shown, so account ids do not list the members.
	published, err := s.Contributions.IsAuthor(c.UserContext(), id)
	if err != nil {
		return err
	}
	if !published {
		return errAuthorNotFound
	}
	u, err := s.Accounts.ByID(c.UserContext(), id)
	if errors.Is(err, account.ErrNotFound) {
		return errAuthorNotFound
	}
	if err != nil {
		return err
	}
	p, err := s.contributionPage(c, u.DisplayName)
	if err != nil {
		return err
	}
	refs, err := s.Contributions.Refs(c.UserContext())
	if err != nil {
		return err
	}
	data := authorShowPage{Page: p, Name: u.DisplayName}
	if u.Category != nil {
		data.CategoryLabel = refs.CategoryLabel(*u.Category)
	}
	data.List, err = s.buildList(c, p, "/auteurs/"+strconv.FormatInt(id, 10), listFixed{AuthorID: id})
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplAuthorShow, data)
}
