package query_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/query"
)

// TestTimelineByDayAndWeek checks the statistics' timeline against
// PostgreSQL's own buckets: by day when the view spans three months or less,
// by week from Monday beyond, in Paris time, with the quiet periods filled.
func TestTimelineByDayAndWeek(t *testing.T) {
	f := newFixture(t)
	f.bulkContributions(600)
	flt := query.Parse(url.Values{}, f.refs, false)
	check := func(unit, bucket string) {
		t.Helper()
		m, err := query.ExactMetrics(f.ctx, f.db.SQL(), f.refs, flt)
		if err != nil {
			t.Fatal(err)
		}
		if m.Bucket != bucket {
			t.Fatalf("bucket %q, want %q", m.Bucket, bucket)
		}
		var rows []struct {
			Start string
			N     int
		}
		err = f.db.Conn(f.ctx).Raw(`SELECT to_char(date_trunc('` + unit + `', created_at AT TIME ZONE 'Europe/Paris'), 'YYYY-MM-DD') AS start, count(*) AS n
			FROM contributions WHERE status = 'published' GROUP BY 1 ORDER BY 1`).Scan(&rows).Error
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		for _, r := range rows {
			want[r.Start] = r.N
		}
		seen := 0
		for i, tc := range m.Timeline {
			day := tc.Start.Format(time.DateOnly)
			if tc.Contributions != want[day] {
				t.Errorf("%s %s: %d contributions, want %d", bucket, day, tc.Contributions, want[day])
			}
			if want[day] > 0 {
				seen++
			}
			if i > 0 && tc.Start.Sub(m.Timeline[i-1].Start) > 8*24*time.Hour {
				t.Errorf("gap before %s", day)
			}
		}
		if seen != len(want) {
			t.Errorf("%d periods with contributions, want %d", seen, len(want))
		}
	}
	// Spread over 40 days, then over 200 days (one contribution in three
	// moved every 8 hours).
	spread := func(hours int) {
		t.Helper()
		err := f.db.Conn(f.ctx).Exec(`UPDATE contributions SET created_at = timestamptz '2026-06-01 22:30:00+00' + (id % 600) * ? * interval '1 hour'`, hours).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	spread(1)
	check("day", "jour")
	spread(8)
	check("week", "semaine")
}
