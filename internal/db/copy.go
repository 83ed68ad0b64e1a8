package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// copyOrder lists the tables CopyInto copies, parents before children so every foreign key finds
// its row. schema_migrations is not copied: the target has its own, at the same version.
var copyOrder = []string{
	"people", "enrolments", "channels", "deliveries", "answers", "assessments", "assessment_items",
	"seen_events", "outbox", "summaries_sent", "app_state", "optin_jobs", "optin_members",
	"team_figures", "job_runs", "experiments",
	"mirror_channels", "mirror_stops", "mirror_marks", "mirror_months", "mirror_answers",
}

// identityTables have an id column whose PostgreSQL sequence must start after the copied ids.
var identityTables = []string{"deliveries", "answers", "assessments", "outbox"}

// copyBatch is how many rows one INSERT carries.
const copyBatch = 500

// CopyInto copies every row of this SQLite store into dst, an empty PostgreSQL store at the same
// schema version (`bot migrate-data`), in one transaction on dst, then checks that every table
// holds as many rows on both sides and returns the counts. The source is read in one read
// transaction, a consistent snapshot; the bot should be stopped so nothing written after it is
// left behind. A target that already holds data is refused before anything is written, and a
// failure half-way rolls the whole copy back: the source is never changed.
func (s *Store) CopyInto(ctx context.Context, dst *Store) (map[string]int, error) {
	switch {
	case s.pg:
		return nil, errors.New("db: copy: the source must be a SQLite database")
	case !dst.pg:
		return nil, errors.New("db: copy: the target must be a PostgreSQL database (DATABASE_URL=postgres://…)")
	}
	from, err := s.SchemaVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: copy: %w", err)
	}
	to, err := dst.SchemaVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: copy: %w", err)
	}
	if from != to {
		return nil, fmt.Errorf("db: copy: the source is at schema version %d and the target at %d: open the source once with this release first", from, to)
	}
	have, err := dst.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: copy: %w", err)
	}
	for _, t := range copyOrder {
		if have[t] > 0 {
			return nil, fmt.Errorf("db: copy: the target already holds data (%d rows in %s): copy only into an empty database", have[t], t)
		}
	}

	copied := map[string]int{}
	err = s.inReadTx(ctx, "copy", func(src *sql.Tx) error {
		return dst.inTx(ctx, "copy", func(tx *sql.Tx) error {
			for _, table := range copyOrder {
				n, err := copyTable(ctx, src, tx, table)
				if err != nil {
					return fmt.Errorf("db: copy %s: %w", table, err)
				}
				copied[table] = n
			}
			for _, table := range identityTables {
				// The next id is one past the highest copied (or 1 for an empty table).
				if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'),
					COALESCE((SELECT MAX(id) FROM `+table+`), 0) + 1, false)`); err != nil {
					return fmt.Errorf("db: copy: restart %s ids: %w", table, err)
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}

	// Verify by counts, read afresh from both sides.
	want, err := s.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: copy: verify: %w", err)
	}
	got, err := dst.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: copy: verify: %w", err)
	}
	for _, t := range copyOrder {
		if got[t] != copied[t] || want[t] < copied[t] {
			return nil, fmt.Errorf("db: copy: verify: %s has %d rows in the target, %d copied, %d in the source", t, got[t], copied[t], want[t])
		}
	}
	return copied, nil
}

// copyTable copies one table's rows, in batches of multi-row INSERTs naming the source's columns
// (the two schemas have the same columns; TestSchemasMatch keeps it so).
func copyTable(ctx context.Context, src, dst *sql.Tx, table string) (int, error) {
	// table comes from copyOrder, never from input.
	rows, err := src.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var (
		args  []any
		count int
	)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		n := len(args) / len(cols)
		q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
		if _, err := dst.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		count += n
		args = args[:0]
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return 0, err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b) // every column is text or a number; never bytea
			}
		}
		args = append(args, vals...)
		if len(args) >= copyBatch*len(cols) {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if err := flush(); err != nil {
		return 0, err
	}
	return count, nil
}
