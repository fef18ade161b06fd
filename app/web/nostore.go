package web

import "github.com/gofiber/fiber/v2"

// noStore wraps h so that its answer, error pages included, is never kept by
// a browser or a shared cache: for pages with personal or restricted data
// (account, workspace, moderation, audit) and exports.
//
//	{fiber.MethodGet, "/moderation", noStore(s.moderationQueue)},
func noStore(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return h(c)
	}
}

// noStoreAreas are the address prefixes whose answers all carry personal or
// restricted data: account pages, the rapporteurs' workspace and its exports,
// administration, moderation and the local mailbox.
var noStoreAreas = []string{"/compte", "/synthese", "/admin", "/moderation", "/dev/mails"}

// noStoreArea marks no-store every answer under noStoreAreas, error pages and
// refused forms included, so that no page of these areas, present or future,
// is kept by a browser or a shared cache.
func noStoreArea(c *fiber.Ctx) error {
	p := c.Path()
	for _, prefix := range noStoreAreas {
		if p == prefix || (len(p) > len(prefix) && p[:len(prefix)] == prefix && (p[len(prefix)] == '/' || p[len(prefix)] == '.')) {
			c.Set(fiber.HeaderCacheControl, "no-store")
			break
		}
	}
	return c.Next()
}
