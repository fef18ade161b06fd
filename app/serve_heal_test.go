package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
)

// lockedBuffer collects the output of a child process while tests read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitLog waits until the server's log contains want.
func (s *server) waitLog(t *testing.T, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(s.logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("log still lacks %q after %v:\n%s", want, within, s.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signUpWriter is one browser that signs up new accounts in a loop, and
// remembers the addresses whose sign-up the server acknowledged.
type signUpWriter struct {
	client *http.Client
	base   string
	csrf   string
}

func newSignUpWriter(t *testing.T, base string) *signUpWriter {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	w := &signUpWriter{client: &http.Client{Jar: jar, Timeout: 10 * time.Second}, base: base}
	resp, err := w.client.Get(base + "/inscription")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on /inscription")
	}
	w.csrf = string(m[1])
	return w
}

// signUp posts the sign-up form and reports whether the server acknowledged
// it (200 and the "check your mailbox" page).
func (w *signUpWriter) signUp(email string) bool {
	form := url.Values{"_csrf": {w.csrf}, "email": {email}, "password": {"un mot de passe solide"},
		"display_name": {"Charge Test"}, "category": {"citoyen"}, "departement": {"29"}, "terms": {"oui"}}
	resp, err := w.client.PostForm(w.base+"/inscription", form)
	if err != nil {
		return false
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte("Vérifiez votre boîte mail"))
}

// TestServeHealsAfterPostgresKill runs the real program on its embedded
// PostgreSQL, signs up accounts from four browsers at once, kills the
// postmaster with SIGKILL in the middle, and checks that the app restarts
// it by itself, says so in its log, serves writes again within seconds, keeps
// /healthz at 200 throughout (the outage is shorter than the grace period),
// and that every sign-up it acknowledged is in the database afterwards.
func TestServeHealsAfterPostgresKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and kills it")
	}
	dataDir, err := os.MkdirTemp("", "serve-heal-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dataDir) })
	if err := os.Chmod(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, dataDir, "RATE_LIMITS=signup:ip=1000000/1h,signup:account=1000000/1h")
	defer s.stop(t)

	var (
		mu    sync.Mutex
		acked []string
		seq   atomic.Int64
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	for i := range 4 {
		w := newSignUpWriter(t, s.url)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				email := fmt.Sprintf("charge-%d-%d@exemple.fr", i, seq.Add(1))
				if !w.signUp(email) {
					time.Sleep(20 * time.Millisecond) // pacing while the database is down
					continue
				}
				mu.Lock()
				acked = append(acked, email)
				mu.Unlock()
			}
		}()
	}
	ackedCount := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	deadline := time.Now().Add(time.Minute)
	for ackedCount() < 20 { // under load before the kill
		if time.Now().After(deadline) {
			t.Fatalf("only %d sign-ups acknowledged before the kill; logs:\n%s", ackedCount(), s.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	pidFile, err := os.ReadFile(filepath.Join(dataDir, "postgres", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pidFile), "\n", 2)[0]))
	if err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.waitLog(t, "embedded PostgreSQL stopped unexpectedly", 30*time.Second)
	s.waitLog(t, "embedded PostgreSQL restarted", time.Minute)
	restarted := time.Since(killed)
	after := ackedCount()
	deadline = time.Now().Add(time.Minute)
	for ackedCount() < after+20 { // the restarted server takes writes
		if time.Now().After(deadline) {
			close(stop)
			wg.Wait()
			t.Fatalf("writes did not come back after the restart (%d acknowledged in all); logs:\n%s", ackedCount(), s.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	t.Logf("kill -9 of the postmaster under 4 writers: restarted after %v, 20 more sign-ups acknowledged after %v; %d in all (shared machine)",
		restarted.Round(time.Millisecond), time.Since(killed).Round(time.Millisecond), len(acked))

	resp, err := http.Get(s.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz after the outage: %d", resp.StatusCode)
	}

	// Every acknowledged sign-up is in the database (read through the
	// server's own socket while it runs).
	q := url.Values{"host": {filepath.Join(dataDir, "run")}, "port": {"5432"}, "sslmode": {"disable"}}
	d, err := db.Open(context.Background(), (&url.URL{Scheme: "postgres", User: url.User("concertation"), Path: "/concertation", RawQuery: q.Encode()}).String())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var found int
	if err := d.SQL().QueryRow(`SELECT count(*) FROM users WHERE email = ANY($1)`, acked).Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found != len(acked) {
		t.Errorf("%d of the %d acknowledged sign-ups are in the database: acknowledged writes were lost", found, len(acked))
	}
}

// TestServeFromAClosedHomeFolder runs the real program as `make run` does
// from a clone in a home folder closed to others (mode 700, as /root): the
// postgres system user cannot reach DATA_DIR, so the cluster goes under
// /var/lib/concertation, the log says where, and a restart finds the data.
func TestServeFromAClosedHomeFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL twice")
	}
	if os.Geteuid() != 0 {
		t.Skip("only root runs PostgreSQL as another user")
	}
	home, err := os.MkdirTemp("", "home-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(home, "x", "data")

	s := startServe(t, dataDir)
	m := regexp.MustCompile(`kept elsewhere.* cluster=(\S+)`).FindStringSubmatch(s.logs.String())
	if m == nil {
		s.stop(t)
		t.Fatalf("the log does not say where the cluster is:\n%s", s.logs)
	}
	cluster := m[1]
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(cluster)) })
	if !strings.HasPrefix(cluster, db.DefaultFallbackRoot+"/x-data-") {
		t.Errorf("cluster in %s, want under %s", cluster, db.DefaultFallbackRoot)
	}
	resp, err := http.Get(s.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("home page: %d", resp.StatusCode)
	}
	s.stop(t)

	s = startServe(t, dataDir)
	defer s.stop(t)
	if strings.Contains(s.logs.String(), "loading the reference data") {
		t.Errorf("data did not survive the restart (seeded again); logs:\n%s", s.logs)
	}
	if !strings.Contains(s.logs.String(), "cluster="+cluster) {
		t.Errorf("second start uses another cluster; logs:\n%s", s.logs)
	}
}
