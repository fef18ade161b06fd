package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"
)

// Lock is a PostgreSQL session advisory lock, held on a connection of the
// primary's pool taken for it, until Release or until that connection ends
// (the server restarted, the process died): then another process can take it.
type Lock struct {
	conn *sql.Conn
	ns   int32
	name string
}

// TryLock takes the advisory lock (ns, name) when no other session holds
// it; ok is false when one does.
func (d *DB) TryLock(ctx context.Context, ns int32, name string) (l *Lock, ok bool, err error) {
	conn, err := d.SQL().Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lock %q: %w", name, err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, hashtext($2))`, ns, name).Scan(&ok); err != nil || !ok {
		_ = conn.Close()
		if err != nil {
			return nil, false, fmt.Errorf("lock %q: %w", name, err)
		}
		return nil, false, nil
	}
	return &Lock{conn: conn, ns: ns, name: name}, true, nil
}

// Held tells whether the lock is still held: whether its connection
// answers.
func (l *Lock) Held(ctx context.Context) bool {
	return l.conn.PingContext(ctx) == nil
}

// Release lets the lock go. When it cannot say so to the server, it closes
// the connection, which lets it go as well, rather than return to the pool a
// connection that holds it.
func (l *Lock) Release(ctx context.Context) {
	var released bool
	err := l.conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock($1, hashtext($2))`, l.ns, l.name).Scan(&released)
	if err != nil || !released {
		_ = l.conn.Raw(func(any) error { return driver.ErrBadConn }) // the pool drops it
	}
	_ = l.conn.Close()
}

// Now returns the primary's clock.
func (d *DB) Now(ctx context.Context) (time.Time, error) {
	var t time.Time
	if err := d.SQL().QueryRowContext(ctx, `SELECT now()`).Scan(&t); err != nil {
		return t, fmt.Errorf("database clock: %w", err)
	}
	return t, nil
}
