package db

import (
	"context"
	"database/sql"

	"gorm.io/gorm"
)

type primaryKey struct{}

// WithPrimary marks ctx so that reads use the primary: the pages of a person
// who has just written read their own change.
func WithPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

// OnPrimary reports whether reads made with ctx use the primary whatever the
// state of a replica: ctx carries a transaction or was marked by WithPrimary.
func OnPrimary(ctx context.Context) bool {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return true
	}
	return ctx.Value(primaryKey{}) != nil
}

// Read returns the GORM handle for a read made with ctx: the transaction
// carried by ctx when there is one, the database otherwise.
func (d *DB) Read(ctx context.Context) *gorm.DB { return d.Conn(ctx) }

// ReadSQL is Read for code that needs a *sql.DB (lists, exports).
func (d *DB) ReadSQL(ctx context.Context) *sql.DB { return d.SQL() }
