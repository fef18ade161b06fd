package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// Rows is what a batched read scans: pgx's rows in a batch, database/sql's
// inside a transaction.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Batch is a set of read statements sent to the database in one round trip
// (pgx's pipeline): a page that needs three small reads waits once, and the
// database wakes once, instead of three times. Each owning package queues its
// own statements; the caller runs the batch.
type Batch struct {
	queued []batchRead
}

type batchRead struct {
	query string
	args  []any
	read  func(Rows) error
}

// Queue adds a read statement (placeholders $1, $2…): read is called with its
// rows when the batch runs.
func (b *Batch) Queue(read func(Rows) error, query string, args ...any) {
	b.queued = append(b.queued, batchRead{query: query, args: args, read: read})
}

// Run sends the batch and calls each statement's read in order, on the pool
// Query would use (the replica by the same rules). Inside a transaction
// carried by ctx the statements run one after another in it.
func (d *DB) Run(ctx context.Context, b *Batch) error {
	if len(b.queued) == 0 {
		return nil
	}
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok || len(b.queued) == 1 {
		for _, q := range b.queued {
			if err := d.runOne(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}
	conn, err := d.ReadSQL(ctx).Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("batch: driver connection is %T, not pgx", dc)
		}
		var pb pgx.Batch
		for _, q := range b.queued {
			read := q.read
			pb.Queue(q.query, q.args...).Query(func(rows pgx.Rows) error {
				if err := read(rows); err != nil {
					return err
				}
				return rows.Err()
			})
		}
		return c.Conn().SendBatch(ctx, &pb).Close()
	})
}

func (d *DB) runOne(ctx context.Context, q batchRead) error {
	rows, err := d.Query(ctx, q.query, q.args...)
	if err != nil {
		return err
	}
	defer func(rows *sql.Rows) { _ = rows.Close() }(rows)
	if err := q.read(rows); err != nil {
		return err
	}
	return rows.Err()
}
