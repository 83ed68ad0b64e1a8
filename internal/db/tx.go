package db

import (
	"context"
	"database/sql"
	"fmt"
)

// txBeginner is what a transaction begins on: a pool (*sql.DB) or one connection (*sql.Conn).
type txBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// transact runs fn in one transaction on b and commits it when fn returns no error; an error
// from fn (or a panic) rolls it back, and fn's error is returned as it is. A read-only
// transaction (opts.ReadOnly) is always rolled back: it has nothing to commit. Errors from BEGIN
// and COMMIT are prefixed with "db: op: ", or returned bare when op is empty.
//
// The engines differ only below this function: the SQLite writer's DSN sets _txlock=immediate,
// so BEGIN takes the write lock at once and a transaction never fails half-way on a lock another
// writer holds; PostgreSQL runs at its default isolation (read committed), where guarded updates,
// unique constraints and row locks carry correctness between replicas.
func transact[T any](ctx context.Context, b txBeginner, opts *sql.TxOptions, op string, fn func(tx *sql.Tx) (T, error)) (T, error) {
	var zero T
	wrap := func(err error) error {
		if op == "" {
			return err
		}
		return fmt.Errorf("db: %s: %w", op, err)
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return zero, wrap(err)
	}
	defer tx.Rollback()
	v, err := fn(tx)
	if err != nil {
		return zero, err
	}
	if opts != nil && opts.ReadOnly {
		return v, nil
	}
	if err := tx.Commit(); err != nil {
		return zero, wrap(err)
	}
	return v, nil
}

// inTx runs fn in one write transaction (see transact).
func (s *Store) inTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	_, err := transact(ctx, s.write, nil, op, func(tx *sql.Tx) (struct{}, error) { return struct{}{}, fn(tx) })
	return err
}

// inReadTx runs fn in one read-only transaction on the read pool, so all its reads see one
// snapshot (see transact).
func (s *Store) inReadTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	_, err := transact(ctx, s.read, &sql.TxOptions{ReadOnly: true}, op, func(tx *sql.Tx) (struct{}, error) { return struct{}{}, fn(tx) })
	return err
}
