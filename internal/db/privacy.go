package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// dmChannelsSQL lists the person's DM channels (?1 is the user id): the one on their row and any
// a delivery or a post of theirs was made in. Replies to what a person typed are queued by DM
// channel alone, without the person, so this is how those rows are found. Only ids of direct
// message channels (D…) count: a post to a shared channel is not the person's.
const dmChannelsSQL = `
	SELECT dm_channel_id FROM people WHERE user_id = ?1 AND dm_channel_id LIKE 'D%'
	UNION SELECT channel_id FROM deliveries WHERE user_id = ?1 AND channel_id LIKE 'D%'
	UNION SELECT channel_id FROM outbox WHERE user_id = ?1 AND channel_id LIKE 'D%'`

// personOutboxSQL selects the outbox rows that are the person's (?1 is the user id): addressed to
// them, carrying one of their deliveries, or addressed only to one of their DM channels.
const personOutboxSQL = `
	user_id = ?1
	OR delivery_id IN (SELECT id FROM deliveries WHERE user_id = ?1)
	OR (user_id IS NULL AND channel_id IN (` + dmChannelsSQL + `))`

// Forget deletes every row about a person in one transaction (/reflect forget) and reports
// whether Reflect knew them: answers, deliveries, assessments and their items, enrolments,
// monthly summary records, and every outbox row that is theirs, including replies queued only by
// their DM channel, whose payloads can quote what they wrote. Channels they opted in stay opted
// in for their members, without a lead. Seen event ids are not theirs to delete: they hold no
// user id. The file is then rewritten, so the deleted content does not linger on disk either
// (see eraseDeleted). When a long reader keeps that from finishing in time, the error wraps
// ErrErasePending and known is still set: the rows are gone, the disk follows (FinishErase).
func (s *Store) Forget(ctx context.Context, userID string) (bool, error) {
	if userID == "" {
		return false, errors.New("db: forget: empty user id")
	}
	known := false
	err := s.eraseDeleted(ctx, true, func(tx *sql.Tx) (bool, error) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE user_id = ?`, userID).Scan(&n); err != nil {
			return false, err
		}
		if n == 0 {
			return false, nil
		}
		known = true
		// Children before parents, so nothing depends on the cascades (a PostgreSQL port, or a
		// connection without foreign_keys, still deletes everything); the final delete of the
		// person still cascades to any table a later migration hangs off people.
		steps := []struct{ what, query string }{
			{"outbox", `DELETE FROM outbox WHERE ` + personOutboxSQL},
			{"answers", `DELETE FROM answers WHERE user_id = ?1`},
			{"assessment items", `DELETE FROM assessment_items WHERE assessment_id IN (SELECT id FROM assessments WHERE user_id = ?1)`},
			{"assessments", `DELETE FROM assessments WHERE user_id = ?1`},
			{"deliveries", `DELETE FROM deliveries WHERE user_id = ?1`},
			{"enrolments", `DELETE FROM enrolments WHERE user_id = ?1`},
			{"summaries", `DELETE FROM summaries_sent WHERE user_id = ?1`},
			{"experiments", `DELETE FROM experiments WHERE user_id = ?1`},
			// A member's mirror answers hold nothing of theirs (only counts); what they are
			// forgotten by is the mark that they were asked and answered. The mirror about a
			// lead (their months and their counts) goes with the lead.
			{"mirror marks", `DELETE FROM mirror_marks WHERE user_id = ?1`},
			{"mirror stop", `DELETE FROM mirror_stops WHERE user_id = ?1`},
			{"mirror counts", `DELETE FROM mirror_answers WHERE EXISTS (SELECT 1 FROM mirror_months m
				WHERE m.channel_id = mirror_answers.channel_id AND m.period = mirror_answers.period AND m.lead_user_id = ?1)`},
			{"mirror months", `DELETE FROM mirror_months WHERE lead_user_id = ?1`},
			{"mirror channels", `DELETE FROM mirror_channels WHERE lead_user_id = ?1`},
			{"channels", `UPDATE channels SET lead_user_id = NULL WHERE lead_user_id = ?1`},
			{"opt-in progress", `DELETE FROM optin_members WHERE user_id = ?1`},
			{"opt-in jobs", `UPDATE optin_jobs SET lead_user_id = '' WHERE lead_user_id = ?1`},
			{"person", `DELETE FROM people WHERE user_id = ?1`},
		}
		for _, st := range steps {
			if _, err := tx.ExecContext(ctx, st.query, userID); err != nil {
				return false, fmt.Errorf("%s: %w", st.what, err)
			}
		}
		return true, nil
	})
	if errors.Is(err, ErrErasePending) {
		return known, fmt.Errorf("db: forget: %w", err)
	}
	if err != nil {
		return false, fmt.Errorf("db: forget: %w", err)
	}
	return known, nil
}

// PurgeAnswers deletes answers given and assessments taken before `before` (RETENTION_MONTHS),
// and returns how many answers and assessments went, together. What it deletes is zeroed on disk
// too; the file is not rebuilt (see eraseDeleted; an ErrErasePending comes with the count). Deliveries stay: they hold no words, and the
// rotation needs them to avoid repeating a prompt.
func (s *Store) PurgeAnswers(ctx context.Context, before time.Time) (int64, error) {
	cutoff := millis(before)
	var total int64
	err := s.eraseDeleted(ctx, false, func(tx *sql.Tx) (bool, error) {
		steps := []struct {
			what, query string
			count       bool
		}{
			{"answers", `DELETE FROM answers WHERE answered_at < ?`, true},
			{"assessment items", `DELETE FROM assessment_items WHERE assessment_id IN (SELECT id FROM assessments WHERE taken_at < ?)`, false},
			{"assessments", `DELETE FROM assessments WHERE taken_at < ?`, true},
			// An experiment's note is the person's words too.
			{"experiments", `DELETE FROM experiments WHERE committed_at < ?`, false},
		}
		for _, st := range steps {
			res, err := tx.ExecContext(ctx, st.query, cutoff)
			if err != nil {
				return false, fmt.Errorf("%s: %w", st.what, err)
			}
			if st.count {
				n, err := res.RowsAffected()
				if err != nil {
					return false, fmt.Errorf("%s: %w", st.what, err)
				}
				total += n
			}
		}
		return total > 0, nil
	})
	if errors.Is(err, ErrErasePending) {
		return total, fmt.Errorf("db: purge answers: %w", err)
	}
	if err != nil {
		return 0, fmt.Errorf("db: purge answers: %w", err)
	}
	return total, nil
}

// ErrErasePending is returned (wrapped) by Forget and PurgeAnswers when the rows are deleted and
// committed but the deleted words may still be on disk: a long reader (a backup running) kept the
// write-ahead log from being checkpointed for longer than the store waits. The store has recorded
// the unfinished erasure durably; FinishErase completes it once the reader is gone.
var ErrErasePending = errors.New("deleted, but the erasure on disk finishes once a running reader ends")

// Erasure settings.
const (
	// eraseKey is the app_state key recording an erasure on disk not yet finished: "rebuild"
	// while the file still needs its VACUUM, "checkpoint" once only the log remains. It is set in
	// the deleting transaction, so a crash between the commit and the checkpoint cannot lose it.
	eraseKey = "erase_pending"
	// defaultEraseWait is how long Forget waits for readers: long enough for a short query to end,
	// short enough for a button's answer.
	defaultEraseWait = 10 * time.Second
	// checkpointBusy is the busy timeout of one checkpoint attempt. A TRUNCATE checkpoint holds
	// off new writers while it waits for readers, so each attempt is kept short and the writer
	// connection is given back between attempts.
	checkpointBusy = 100 * time.Millisecond
	// checkpointPause is the pause between attempts.
	checkpointPause = 100 * time.Millisecond
)

// eraseDeleted runs fn in a write transaction whose deletions overwrite the deleted content with
// zeros (SQLite's secure_delete), and afterwards, with rebuild, rewrites the whole file (VACUUM).
// Then it checkpoints the write-ahead log and truncates it. Together they keep what a person asked
// to forget, or what outlived retention, from lingering in free space of the database file or in
// old log frames, where a plain DELETE leaves it.
//
// Why both: secure_delete zeroes only what this transaction frees. Earlier versions of a row,
// left behind when the row was updated in place (an outbox post going from pending to sent, an
// edited answer), were freed without zeroing unless secure_delete was on at the time; only a
// rebuild removes those. A rebuild costs time in proportion to the file, so it is kept for
// forgetting a person, which is rare.
//
// A reader holding an old snapshot (a backup's VACUUM INTO) keeps the checkpoint from copying the
// zeroed pages over the old ones, so the words stay in the file until it ends. The deleting
// transaction therefore records the erasure as pending (eraseKey); the checkpoint is retried for
// up to eraseWait, and only when it went through is the record cleared and nil returned.
// Otherwise the error wraps ErrErasePending and FinishErase, run by a periodic job, finishes it.
// secure_delete is set only around this work, on the connection doing it.
//
// PostgreSQL has neither setting: there fn runs in a plain transaction and, with rebuild, a
// (non-blocking) VACUUM of the tables that held the person's words follows, so their row versions
// are pruned at once rather than at autovacuum's next pass. VACUUM FULL would also rewrite the
// pages, but it locks each table against every replica for as long as it runs.
func (s *Store) eraseDeleted(ctx context.Context, rebuild bool, fn func(tx *sql.Tx) (bool, error)) error {
	changed, err := s.deleteSecurely(ctx, rebuild, fn)
	if err != nil || !changed {
		return err
	}
	if s.pg {
		if rebuild {
			_, _ = s.write.ExecContext(ctx, `VACUUM answers, outbox, assessment_items, assessments, deliveries, people`)
		}
		return nil
	}
	deadline := time.Now().Add(s.eraseWait)
	for {
		done, err := s.finishErase(ctx)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if !time.Now().Before(deadline) {
			return ErrErasePending
		}
		select {
		case <-ctx.Done():
			return ErrErasePending
		case <-time.After(checkpointPause):
		}
	}
}

// deleteSecurely runs fn in one transaction with secure_delete on and, on SQLite, records the
// erasure as pending in the same transaction. It reports whether fn changed anything.
func (s *Store) deleteSecurely(ctx context.Context, rebuild bool, fn func(tx *sql.Tx) (bool, error)) (bool, error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if !s.pg {
		var was int
		if err := conn.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&was); err != nil {
			return false, fmt.Errorf("read secure_delete: %w", err)
		}
		if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = 1`); err != nil {
			return false, fmt.Errorf("set secure_delete: %w", err)
		}
		// Put the setting back however fn ends. A failure leaves it on, which only costs some writes.
		defer func() {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA secure_delete = %d`, was))
		}()
	}
	return transact(ctx, conn, nil, "", func(tx *sql.Tx) (bool, error) {
		changed, err := fn(tx)
		if err != nil {
			return false, err
		}
		if changed && !s.pg {
			step := "checkpoint"
			if rebuild {
				step = "rebuild"
			}
			// A rebuild still owed by an earlier erasure is not downgraded to a checkpoint.
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO app_state (key, value, updated_at) VALUES (?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET
					value = CASE WHEN app_state.value = 'rebuild' THEN 'rebuild' ELSE excluded.value END,
					updated_at = excluded.updated_at`, eraseKey, step, millis(s.now())); err != nil {
				return false, fmt.Errorf("record erasure: %w", err)
			}
		}
		return changed, nil
	})
}

// FinishErase finishes an erasure on disk that Forget or PurgeAnswers left pending (see
// ErrErasePending), in one attempt that does not wait for readers, and reports whether one is
// still pending. It does nothing when none is, and on PostgreSQL.
func (s *Store) FinishErase(ctx context.Context) (pending bool, err error) {
	if s.pg {
		return false, nil
	}
	done, err := s.finishErase(ctx)
	if err != nil {
		return true, fmt.Errorf("db: finish erase: %w", err)
	}
	return !done, nil
}

// finishErase makes one attempt at the recorded erasure: the VACUUM if one is owed, then a
// TRUNCATE checkpoint with a short busy timeout. It clears the record and reports true when the
// log was checkpointed in full and truncated (or nothing was pending).
func (s *Store) finishErase(ctx context.Context) (bool, error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var step string
	err = conn.QueryRowContext(ctx, `SELECT value FROM app_state WHERE key = ?`, eraseKey).Scan(&step)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if step == "rebuild" {
		if _, err := conn.ExecContext(ctx, `VACUUM`); err != nil {
			return false, nil // a busy file: the next attempt tries again
		}
		if _, err := conn.ExecContext(ctx, `UPDATE app_state SET value = 'checkpoint' WHERE key = ?`, eraseKey); err != nil {
			return false, err
		}
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, checkpointBusy.Milliseconds())); err != nil {
		return false, err
	}
	var busy, logFrames, checkpointed int
	cerr := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &checkpointed)
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA busy_timeout = 5000`); err != nil {
		return false, err
	}
	if cerr != nil || busy != 0 {
		return false, nil // a reader still holds old pages: the next attempt tries again
	}
	// Cleared only now: the log starts afresh with this one small write, which holds no words.
	if _, err := conn.ExecContext(ctx, `DELETE FROM app_state WHERE key = ?`, eraseKey); err != nil {
		return false, err
	}
	return true, nil
}
