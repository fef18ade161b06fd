package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// queryKeys are the query parameters that pages read, for
// FuzzQueryRoutes to fuzz; the fuzzer may name others.
var queryKeys = []string{"q", "axe", "entree", "categorie", "region", "departement", "hub", "accompagnee", "reagit_a", "reponse",
	"du", "au", "tri", "page", "par", "graine", "apres", "avant", "statut", "etiquette", "retenue", "facile", "retour", "selection",
	"theme", "format", "code", "state", "etat", "vue"}

// FuzzQueryRoutes asks every GET route of routes() with a fuzzed query
// parameter, as the administrator holding every role (so that each request
// reaches its handler) or as a visitor: no answer may be a server error.
// `make test` runs it briefly (the Makefile's FUZZ_TARGETS); its seeds run
// with every `go test`.
func FuzzQueryRoutes(f *testing.F) {
	for i := range 40 {
		f.Add(uint8(i), uint8(i), "", "1", i%3 == 0)
	}
	for _, v := range []string{"", " ", "\x00", "\xff\xfe", "é\u202e", "-1", "0", "99999999999999999999", "1e400", "2026-02-30",
		"<script>alert(1)</script>", "' OR '1'='1", "//evil.example", "javascript:alert(1)", "\"mot\" -autre OR (", "%", "_*",
		strings.Repeat("médiation ", 60)} {
		f.Add(uint8(len(v)), uint8(len(v)*7), "", v, len(v)%2 == 1)
	}
	fx := fuzzFormFix(f)
	fx.serve()
	routes := fx.routesOf(fiber.MethodGet)
	f.Fuzz(func(t *testing.T, route, key uint8, name, value string, anonymous bool) {
		fx.t, fx.testApp.t = t, t
		path := routes[int(route)%len(routes)]
		k := queryKeys[int(key)%len(queryKeys)]
		if name != "" {
			k = name
		}
		req, err := http.NewRequest(http.MethodGet, path+"?"+url.Values{k: {value}}.Encode(), nil)
		if err != nil {
			t.Skip() // not a request a browser could send
		}
		jar := fx.jar
		if anonymous {
			fx.jar = map[string]string{}
		}
		status, body := fx.send(req)
		fx.jar = jar
		if status >= http.StatusInternalServerError {
			t.Fatalf("GET %s with %q=%q (visitor %v): %d\n%s", path, k, value, anonymous, status, excerpt(body))
		}
	})
}

// routesOf are the routes of routes() with method, their parameters filled.
func (f *formFix) routesOf(method string) []string {
	var out []string
	for _, rt := range (&Server{}).routes() {
		if rt.method != method {
			continue
		}
		p := rt.path
		switch {
		case strings.HasPrefix(p, "/arguments/"), strings.HasPrefix(p, "/moderation/arguments/"):
			p = strings.Replace(p, ":id", fmt.Sprint(f.argument), 1)
		case strings.HasPrefix(p, "/moderation/comptes/"), strings.HasPrefix(p, "/admin/utilisateurs/"), strings.HasPrefix(p, "/auteurs/"):
			p = strings.Replace(p, ":id", fmt.Sprint(f.target), 1)
		case strings.HasPrefix(p, "/synthese/selections/"):
			p = strings.Replace(p, ":id", fmt.Sprint(f.set), 1)
		default:
			p = strings.Replace(p, ":id", fmt.Sprint(f.contribution), 1)
		}
		p = strings.NewReplacer(":slug", "numi", ":provider", "inconnu", ":file", "contributions.csv", ":format", "pdf", ":cid", fmt.Sprint(f.contribution)).Replace(p)
		out = append(out, p)
	}
	return out
}
