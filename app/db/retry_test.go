package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestRetry checks which failures run a transaction again: a deadlock, and a
// connection found closed before anything was sent (a pool connection that
// died with a restart of the server); any other error is returned at once.
func TestRetry(t *testing.T) {
	ctx := context.Background()
	deadlock := &pgconn.PgError{Code: "40P01"}
	for _, tc := range []struct {
		name  string
		fails []error // the errors of the first runs, then success
		runs  int
		err   bool
	}{
		{"success", nil, 1, false},
		{"bad connection, then success", []error{fmt.Errorf("recount: %w", driver.ErrBadConn)}, 2, false},
		{"deadlock, then success", []error{deadlock}, 2, false},
		{"always a bad connection", []error{driver.ErrBadConn, driver.ErrBadConn, driver.ErrBadConn, driver.ErrBadConn, driver.ErrBadConn}, 4, true},
		{"another error", []error{errors.New("syntax error")}, 1, true},
	} {
		runs := 0
		err := Retry(ctx, func() error {
			runs++
			if runs <= len(tc.fails) {
				return tc.fails[runs-1]
			}
			return nil
		})
		if runs != tc.runs || (err != nil) != tc.err {
			t.Errorf("%s: %d runs, err %v; want %d runs, error %v", tc.name, runs, err, tc.runs, tc.err)
		}
	}
}
