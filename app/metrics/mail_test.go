package metrics

import (
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/db/dbtest"
)

func TestMailOutboxMetrics(t *testing.T) {
	d := dbtest.New(t)
	if _, err := d.SQL().Exec(`INSERT INTO mail_outbox (recipient, subject, body, created_at, attempts)
VALUES ('a@exemple.fr', 'x', 'x', now() - interval '90 seconds', 4), ('b@exemple.fr', 'y', 'y', now(), 0)`); err != nil {
		t.Fatal(err)
	}
	WatchMailOutbox(d.SQL())
	body := scrape(t)
	for _, want := range []string{"concertation_mail_outbox_pending 2", "concertation_mail_outbox_max_attempts 4", "concertation_mail_outbox_lag_seconds 9"} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in the metrics", want)
		}
	}
}
