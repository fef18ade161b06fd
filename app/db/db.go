// Package db opens the PostgreSQL database through GORM, carries transactions in
// the context, applies the migrations and runs the embedded PostgreSQL of the
// local run. It is, with the domain store files, the only place that sees GORM.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DB is the application's handle on PostgreSQL. Stores take a *DB and reach
// GORM through Conn, so a transaction opened higher up (InTx) is used by every
// store call made with its context.
type DB struct {
	g       *gorm.DB
	health  health
	replica *replica // nil without a read replica (UseReplica)
}

// Open connects to url and checks the connection.
func Open(ctx context.Context, url string) (*DB, error) {
	g, err := openPool(url)
	if err != nil {
		return nil, err
	}
	d := &DB{g: g}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.Ping(pingCtx); err != nil {
		_ = d.SQL().Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return d, nil
}

// openPool opens a GORM pool on url without connecting yet. Its statements
// are counted (Statements).
func openPool(url string) (*gorm.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	cfg.Tracer = statementCounter{}
	// The platform's statements are short and many at once: starting
	// parallel workers costs more (20 ms and more) than they save, and
	// takes cores from the other requests.
	if _, set := cfg.RuntimeParams["max_parallel_workers_per_gather"]; !set {
		cfg.RuntimeParams["max_parallel_workers_per_gather"] = "0"
	}
	// Nor compiling them: JIT starts above a plan cost that a list page's
	// walk of an index reaches, and its compilation took longer than the
	// query.
	if _, set := cfg.RuntimeParams["jit"]; !set {
		cfg.RuntimeParams["jit"] = "off"
	}
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: stdlib.OpenDB(*cfg)}), &gorm.Config{
		SkipDefaultTransaction: true,
		TranslateError:         true,
		DisableAutomaticPing:   true,
		Logger:                 logger.Discard,
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(40)
	sqlDB.SetMaxIdleConns(40)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return g, nil
}

// SQL returns the underlying pool, for the migration runner and bulk tools.
func (d *DB) SQL() *sql.DB {
	s, _ := d.g.DB()
	return s
}

// Ping checks that the database answers, and records the outcome for
// Unreachable.
func (d *DB) Ping(ctx context.Context) error {
	err := d.SQL().PingContext(ctx)
	d.health.record(err, time.Now())
	return err
}

// Close closes the pool, and the replica's.
func (d *DB) Close() error {
	if d.replica != nil {
		d.replica.close()
	}
	return d.SQL().Close()
}

type txKey struct{}

// Conn returns the GORM handle to use for ctx: the transaction carried by ctx
// when there is one, the pool otherwise.
func (d *DB) Conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return d.g.WithContext(ctx)
}

// InTx runs fn in a transaction carried by the context it receives. Nested
// calls join the outer transaction. The transaction commits when fn returns
// nil. When PostgreSQL breaks a deadlock by cancelling it (two writers each
// waiting for a row the other holds, which a rare mix of writes can make),
// the outermost call runs fn again in a new transaction, a few times: fn
// must keep its effects in the transaction or overwrite them when run again.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	return Retry(ctx, func() error {
		return d.g.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return fn(context.WithValue(ctx, txKey{}, tx))
		})
	})
}

// Retry runs one transaction (or one statement) with run, again when
// PostgreSQL cancelled it to break a deadlock, or when its connection was
// found closed before a statement was sent (driver.ErrBadConn: a connection
// of the pool that died with a restart of the server; the transaction did
// not commit), at most retries times.
func Retry(ctx context.Context, run func() error) error {
	const retries = 4
	var err error
	for attempt := range retries {
		if err = run(); !(IsDeadlock(err) || errors.Is(err, driver.ErrBadConn)) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond) // let the other transaction finish
	}
	return err
}

// IsDeadlock reports whether err is PostgreSQL's deadlock_detected.
func IsDeadlock(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "40P01"
}

// ErrNotFound is returned by stores through IsNotFound checks on GORM errors.
var ErrNotFound = gorm.ErrRecordNotFound

// IsNotFound reports whether err means that no row matched.
func IsNotFound(err error) bool {
	return errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, sql.ErrNoRows)
}

// IsForeignKeyViolation reports whether err comes from a foreign key.
func IsForeignKeyViolation(err error) bool {
	return errors.Is(err, gorm.ErrForeignKeyViolated)
}

// IsUniqueViolation reports whether err comes from a unique constraint.
func IsUniqueViolation(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey)
}

// Statements returns the number of SQL statements sent to PostgreSQL by every
// pool of this process (counted by the driver, whatever the caller: GORM or
// database/sql): /metrics shows it, benchmarks divide it by requests, tests
// check that a page's statements do not grow with its size.
func Statements() int64 { return statements.Load() }

// statements counts the statements of every pool opened by openPool.
var statements atomic.Int64

// statementCounter is the pgx tracer that counts statements.
type statementCounter struct{}

func (statementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	statements.Add(1)
	return ctx
}

func (statementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Each statement of a batch counts as one (Batch sends several at once).
func (statementCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (statementCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	statements.Add(1)
}

func (statementCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
