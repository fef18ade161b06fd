package web

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/seeds"
)

// fuzzDatabaseEnv passes the database of FuzzFormRoutes from the fuzzing
// coordinator to its workers (see TestMain).
const fuzzDatabaseEnv = "CONCERTATION_FUZZ_DATABASE_URL"

// FuzzFormRoutes posts fuzzed forms to every POST route of routes(), as an
// administrator holding every role (so that each request reaches its
// handler), url-encoded or multipart: one field, chosen among the fields of
// every form or named by the fuzzer, gets the fuzzed value, the others a
// valid one. No answer may be a server error. `make fuzz` runs it (see the
// Makefile's FUZZ_TARGETS); its seeds run with every `go test`.
func FuzzFormRoutes(f *testing.F) {
	for i := range 40 {
		f.Add(uint8(i), uint8(i), "", "valeur", i%2 == 0)
	}
	for _, v := range []string{"", " ", "\x00", "\xff\xfe", "é\u202e", "-1", "0", "99999999999999999999", "1e400",
		"<script>alert(1)</script>", "' OR '1'='1", "//evil.example", "/\t/evil.example", "javascript:alert(1)",
		"tri=soutiens&tri=hasard", string(make([]byte, 5000))} {
		f.Add(uint8(len(v)), uint8(len(v)*7), "", v, len(v)%2 == 1)
	}
	f.Add(uint8(3), uint8(0), "champ\x00inconnu", "x", true)
	fx := fuzzFormFix(f)
	fx.serve()
	routes := fx.postRoutes()
	f.Fuzz(func(t *testing.T, route, field uint8, name, value string, multi bool) {
		fx.t, fx.testApp.t = t, t
		path := routes[int(route)%len(routes)]
		kv := [2]string{formFields[int(field)%len(formFields)][0], value}
		if name != "" {
			kv[0] = name
		}
		status, body := fx.send(fx.formRequest(path, withFields([][2]string{kv}), multi, ""))
		if status >= http.StatusInternalServerError {
			t.Fatalf("POST %s with %q=%q (multipart %v): %d\n%s", path, kv[0], kv[1], multi, status, excerpt(body))
		}
		if path == "/deconnexion" || path == "/compte/supprimer" || path == "/connexion" {
			fx.ensureAdmin()
			fx.signInAdmin()
		}
	})
}

// fuzzFormFix is the fixture of FuzzFormRoutes. The coordinator (or a plain
// go test) makes a database and passes its address to the workers, which
// each add their own accounts to it.
func fuzzFormFix(f *testing.F) *formFix {
	if url := os.Getenv(fuzzDatabaseEnv); url != "" && fuzzWorker() {
		d, err := db.Open(context.Background(), url)
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { _ = d.Close() })
		m := newModFixOn(f, newTestAppOn(f, d, nil))
		m.users = os.Getpid() * 1000 // addresses apart from the other processes'
		return newFormFixOn(f, m)
	}
	url := dbtest.NewURL(f)
	d, err := db.Open(context.Background(), url)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = d.Close() })
	if err := seed.Reference(context.Background(), d, seeds.FS); err != nil {
		f.Fatal(err)
	}
	f.Setenv(fuzzDatabaseEnv, url)
	return newFormFixOn(f, newModFixOn(f, newTestAppOn(f, d, nil)))
}
