package web

import "github.com/gofiber/fiber/v2"

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
		{fiber.MethodGet, "/axes/:slug", s.axis},
		{fiber.MethodGet, "/hubs", s.hubList},
		{fiber.MethodGet, "/hubs/:slug", s.hubShow},
		{fiber.MethodGet, "/accessibilite", s.accessibility},
		{fiber.MethodGet, "/healthz", s.healthz},
		{fiber.MethodGet, "/readyz", s.readyz},

		// accounts

		// contributions

		// search

		// synthesis

		// moderation
	}
}
