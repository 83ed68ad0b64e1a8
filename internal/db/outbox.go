package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// OutboxMessage is a post to make to Slack, written by the domain in the same transaction as the
// change that calls for it.
type OutboxMessage struct {
	UserID      string    // the person it is for; empty for non-person posts. Deleting the person drops it.
	ChannelID   string    // where to post, if known (a person's DM is found from UserID otherwise)
	Kind        Kind      // what it is, for the relay
	DeliveryID  int64     // the delivery it carries, 0 = none
	Payload     []byte    // opaque JSON for the relay; nil is stored as {}
	AvailableAt time.Time // not before; zero = now
	// Follows is the id of a post this one goes with, 0 = none: when that one is given up, this
	// one is too if it is still waiting. The enqueuer decides; the queue knows no kinds.
	Follows int64
}

// OutboxItem is a claimed outbox message, leased to one relay.
type OutboxItem struct {
	ID         int64
	UserID     string
	ChannelID  string
	Kind       Kind
	DeliveryID int64
	Payload    []byte
	Attempts   int // including the current one
	CreatedAt  time.Time
	// Token fences the claim: StartOutbox and RenewOutbox act only while the item is still held
	// under this claim, so a relay whose lease was taken over cannot post it as well.
	Token int64
	// FileID is the file an earlier attempt of an upload was about to share (SetOutboxFile), ""
	// if none.
	FileID string
}

// maxReason bounds last_error: it is a diagnosis ("ratelimited", "timeout"), never message text.
const maxReason = 200

// Enqueue adds a message to the outbox and returns its id.
func (s *Store) Enqueue(ctx context.Context, m OutboxMessage) (int64, error) {
	id, err := enqueue(ctx, s.write, s.now(), m)
	if err != nil {
		return 0, fmt.Errorf("db: enqueue: %w", err)
	}
	return id, nil
}

// queryRower is a *sql.DB or a *sql.Tx.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// enqueue adds a message to the outbox through q, so a domain change and the posts it calls for
// commit together.
func enqueue(ctx context.Context, q queryRower, now time.Time, m OutboxMessage) (int64, error) {
	if m.Kind == "" {
		return 0, errors.New("empty kind")
	}
	payload := m.Payload
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		return 0, errors.New("payload is not valid JSON")
	}
	at := m.AvailableAt
	if at.IsZero() {
		at = now
	}
	var id int64
	err := q.QueryRowContext(ctx, `
		INSERT INTO outbox (user_id, channel_id, kind, delivery_id, payload, state, attempts, available_at, due_at, created_at, follows_id, lane)
		VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)
		RETURNING id`,
		nullString(m.UserID), nullString(m.ChannelID), string(m.Kind), nullID(m.DeliveryID), string(payload),
		millis(at), millis(at), millis(now), nullID(m.Follows), laneOf(m.Kind),
	).Scan(&id)
	return id, err
}

// Lanes: the first key of the claim's order (outbox.lane).
const (
	laneReply = 0 // a reply to what someone just did: goes first and waits for no earlier post
	laneOther = 1 // every other post
)

// laneOf returns a kind's lane: replies (replyKinds) go first.
func laneOf(k Kind) int {
	for _, r := range replyKinds() {
		if k == r {
			return laneReply
		}
	}
	return laneOther
}

// inTurn holds for an outbox row whose turn has come: a person's posts go out in the order they
// were queued, whichever relay (or replica) takes them, so one waits while an earlier one of
// theirs is due and still waiting or in flight (a post never lands before one queued ahead of
// it). A post that is not due yet (due_at after now: available later) holds up nothing, while one
// that is due and waits for a retry keeps its place. Replies (lane 0) to what someone just did
// wait for nothing, and posts to no person have no order. NextOutboxAt checks it in one pass over
// the open posts (their first due id per person); the claim checks it per candidate instead
// (inTurnRow). now is the placeholder of the current time ("?2").
func inTurn(now string) string {
	return `(lane = 0 OR user_id IS NULL OR id IN (
	SELECT MIN(id) FROM outbox WHERE state IN ('pending', 'sending') AND user_id IS NOT NULL
	  AND due_at <= ` + now + `
	GROUP BY user_id))`
}

// inTurnRow is inTurn for the row o, checked on its own: it is due, and no earlier post of the
// person's is open and due, which one probe of outbox_user_open answers. The claim walks its
// order and checks only the candidates it passes, so its cost does not grow with the queue.
func inTurnRow(now string) string {
	return `(o.lane = 0 OR o.user_id IS NULL OR (o.due_at <= ` + now + ` AND NOT EXISTS (
	SELECT 1 FROM outbox e WHERE e.user_id = o.user_id AND e.state IN ('pending', 'sending')
	  AND e.id < o.id AND e.due_at <= ` + now + `)))`
}

// claimOutboxQuery is ClaimOutbox's statement: ?1 the lease's end, ?2 now, ?3 the limit, ?4 the
// owner.
//
// One statement: select and mark together, so no two claimers can take the same row. SQLite has
// one writer; on PostgreSQL, where replicas claim side by side, the CTE locks the rows it picks
// and skips those another claimer holds, and the outer condition is checked again on the locked
// row. The CTE is MATERIALIZED so it runs once, whatever the plan: as a plain "id IN (SELECT …
// LIMIT n)" the planner may make it the inner side of a nested loop (it does when the table's
// statistics were taken while it was nearly empty), re-running the limited subquery per row, and
// one claim of 8 took all 1,000 open posts.
//
// The CTE reads the open posts in the order of the index outbox_claim (lane, created_at, id) and
// stops at the limit: replies to what someone just did go before scheduled posts, so a DM during
// a fan-out is answered at once, and within each lane the oldest go first. What it passes over
// on the way is what cannot go yet (posts in flight, checks waiting for their prompt, retries
// not yet due), however many posts wait behind. SQLite is told the index (INDEXED BY): left to
// itself it may pick outbox_state_available and sort every claimable post.
func claimOutboxQuery(pg bool) string {
	// SQLite has one writer, so the rows the CTE picked are still as it read them; checked again
	// there, the planner scans every claimable post to test each against the picked ones.
	index, lock, recheck := "INDEXED BY outbox_claim", "", ""
	if pg {
		index, lock = "", "FOR UPDATE SKIP LOCKED"
		recheck = `((state = 'pending' AND available_at <= ?2) OR (state = 'sending' AND lease_until <= ?2)) AND `
	}
	return `
		WITH picked AS MATERIALIZED (
			SELECT o.id FROM outbox o ` + index + `
			WHERE o.state IN ('pending', 'sending')
			  AND ((o.state = 'pending' AND o.available_at <= ?2) OR (o.state = 'sending' AND o.lease_until <= ?2))
			  AND ` + inTurnRow("?2") + `
			ORDER BY o.lane, o.created_at, o.id
			LIMIT ?3 ` + lock + `)
		UPDATE outbox SET state = 'sending', lease_until = ?1, attempts = attempts + 1, lease_owner = ?4,
		                  claim_token = claim_token + 1
		WHERE ` + recheck + `id IN (SELECT id FROM picked)
		RETURNING id, user_id,
		          COALESCE(channel_id, (SELECT p.dm_channel_id FROM people p WHERE p.user_id = outbox.user_id)),
		          kind, delivery_id, payload, attempts, created_at, claim_token, file_id`
}

// ClaimOutbox takes up to limit items that are pending and available (available_at <= now) or
// sending with an expired lease and in turn (at most one per person, see inTurn), marks them
// sending with lease_until = now+lease, increments attempts, returns them oldest first. An item
// for a person with no channel of its own gets their DM channel once it is known, so the relay
// needs no conversations.open. An expired lease means a relay died mid-send: the item is handed
// out again, and the relay must check Slack for the message before posting it twice. A claim
// costs the same with a hundred or a hundred thousand posts queued (claimOutboxQuery).
func (s *Store) ClaimOutbox(ctx context.Context, lease time.Duration, limit int) ([]OutboxItem, error) {
	if lease <= 0 || limit <= 0 {
		return nil, fmt.Errorf("db: claim outbox: lease %s and limit %d must be positive", lease, limit)
	}
	now := s.now()
	rows, err := s.write.QueryContext(ctx, claimOutboxQuery(s.pg), millis(now.Add(lease)), millis(now), limit, s.owner)
	if err != nil {
		return nil, fmt.Errorf("db: claim outbox: %w", err)
	}
	defer rows.Close()
	var items []OutboxItem
	for rows.Next() {
		var (
			it                OutboxItem
			userID, channelID sql.NullString
			fileID            sql.NullString
			deliveryID        sql.NullInt64
			payload           string
			created           int64
		)
		if err := rows.Scan(&it.ID, &userID, &channelID, &it.Kind, &deliveryID, &payload, &it.Attempts, &created, &it.Token, &fileID); err != nil {
			return nil, fmt.Errorf("db: claim outbox: %w", err)
		}
		it.UserID, it.ChannelID, it.DeliveryID, it.FileID = userID.String, channelID.String, deliveryID.Int64, fileID.String
		it.Payload, it.CreatedAt = []byte(payload), fromMillis(created)
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: claim outbox: %w", err)
	}
	// RETURNING gives no order guarantee.
	sort.Slice(items, func(i, j int) bool {
		if !items[i].CreatedAt.Equal(items[j].CreatedAt) {
			return items[i].CreatedAt.Before(items[j].CreatedAt)
		}
		return items[i].ID < items[j].ID
	})
	return items, nil
}

// CompleteOutbox marks an item sent with the Slack channel and ts, and in the same transaction
// applies what a sent post of its kind changes besides the queue (sentEffects: a prompt's delivery
// becomes sent, a chart is remembered). Completing an item that is already sent changes nothing,
// so a relay may repeat the call after an ambiguous failure.
func (s *Store) CompleteOutbox(ctx context.Context, id int64, channelID, ts string) error {
	if ts == "" {
		return errors.New("db: complete outbox: empty ts")
	}
	now := s.now()
	return s.inTx(ctx, "complete outbox", func(tx *sql.Tx) error {
		var err error
		var (
			deliveryID sql.NullInt64
			channel    sql.NullString // as stored: the given one, else the one enqueued
			userID     sql.NullString
			kind       Kind
		)
		err = tx.QueryRowContext(ctx, `
			UPDATE outbox
			SET state = 'sent', channel_id = COALESCE(?, channel_id), ts = ?, sent_at = ?, lease_until = NULL
			WHERE id = ? AND state <> 'sent'
			RETURNING delivery_id, channel_id, user_id, kind`,
			nullString(channelID), ts, millis(now), id).Scan(&deliveryID, &channel, &userID, &kind)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := outboxState(ctx, tx, id); err != nil {
				return fmt.Errorf("db: complete outbox %d: %w", id, err)
			}
			return nil // already sent
		case err != nil:
			return fmt.Errorf("db: complete outbox: %w", err)
		}
		// A post to a person that landed in a DM (channel ids starting with D) tells us their DM
		// channel, so later posts and history lookups need no conversations.open.
		if userID.Valid && strings.HasPrefix(channel.String, "D") {
			if _, err := tx.ExecContext(ctx, `
				UPDATE people SET dm_channel_id = ? WHERE user_id = ? AND dm_channel_id IS NULL`,
				channel.String, userID.String); err != nil {
				return fmt.Errorf("db: complete outbox: remember dm channel: %w", err)
			}
		}
		if effect := sentEffects[kind]; effect != nil {
			sent := sentPost{UserID: userID.String, ChannelID: channel.String, TS: ts, DeliveryID: deliveryID.Int64}
			if err := effect(ctx, tx, sent); err != nil {
				return fmt.Errorf("db: complete outbox: %s sent: %w", kind, err)
			}
		}
		return nil
	})
}

// RetryOutbox puts an item back to pending, available at `at`, recording a short reason (never
// message text). Only a pending or sending item can be retried: a sent one must not be posted
// again, and a failed one stays failed. A relay passes its claim's token, so it cannot settle an
// item another relay has claimed since (ErrWrongState); token 0 acts whoever holds the item.
func (s *Store) RetryOutbox(ctx context.Context, id, token int64, at time.Time, reason string) error {
	err := s.settle(ctx, id, `
		UPDATE outbox SET state = 'pending', available_at = ?, lease_until = NULL, last_error = ?
		WHERE id = ? AND state IN ('pending', 'sending') AND (?4 = 0 OR claim_token = ?4)`,
		millis(at), nullString(shortReason(reason)), id, token)
	if err != nil {
		return fmt.Errorf("db: retry outbox %d: %w", id, err)
	}
	return nil
}

// DeferOutbox puts a claimed item back to pending as if this try never happened: Slack refused it
// with 429 before it could take effect, so the next try need not look for it. Only the relay's
// first try of an item may be deferred; a later one must keep its count, because an earlier try
// may have landed. token fences the claim as in RetryOutbox.
func (s *Store) DeferOutbox(ctx context.Context, id, token int64, at time.Time, reason string) error {
	err := s.settle(ctx, id, `
		UPDATE outbox SET state = 'pending', available_at = ?, lease_until = NULL, last_error = ?,
		                  attempts = attempts - 1
		WHERE id = ? AND state = 'sending' AND attempts = 1 AND (?4 = 0 OR claim_token = ?4)`,
		millis(at), nullString(shortReason(reason)), id, token)
	if err != nil {
		return fmt.Errorf("db: defer outbox %d: %w", id, err)
	}
	return nil
}

// FailOutbox gives up on an item (token fences the claim as in RetryOutbox), and with it the posts
// still waiting that follow it (OutboxMessage.Follows).
func (s *Store) FailOutbox(ctx context.Context, id, token int64, reason string) error {
	err := s.settle(ctx, id, `
		UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = ?
		WHERE id = ? AND state IN ('pending', 'sending') AND (?3 = 0 OR claim_token = ?3)`,
		nullString(shortReason(reason)), id, token)
	if err != nil {
		return fmt.Errorf("db: fail outbox %d: %w", id, err)
	}
	return nil
}

// settle runs a guarded state change on one outbox item and, when it matched nothing, says why.
func (s *Store) settle(ctx context.Context, id int64, query string, args ...any) error {
	return s.inTx(ctx, "", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			state, err := outboxState(ctx, tx, id)
			if err != nil {
				return err
			}
			return fmt.Errorf("item is %s: %w", state, ErrWrongState)
		}
		return failFollowers(ctx, tx, id)
	})
}

// failFollowers gives up the posts still waiting that follow item id (OutboxMessage.Follows), if
// id has just been given up: a post never goes out without the one it goes with.
func failFollowers(ctx context.Context, tx *sql.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = 'the post it follows failed'
		WHERE follows_id = ? AND state = 'pending'
		  AND EXISTS (SELECT 1 FROM outbox f WHERE f.id = ? AND f.state = 'failed')`, id, id)
	return err
}

// StartOutbox records that the relay is about to make a post's call to Slack, and is the fence
// against a relay that outran its lease: it holds only while the item is still 'sending' under
// the caller's claim (token) with its lease not yet run out, and then gives the lease a fresh
// term of lease from now, so the call ends (its timeout is shorter than lease) before anyone else
// may take the item. ok=false means the item is no longer the caller's: it must not be posted.
func (s *Store) StartOutbox(ctx context.Context, id, token int64, lease time.Duration) (bool, error) {
	now := s.now()
	res, err := s.write.ExecContext(ctx, `
		UPDATE outbox SET lease_until = ?
		WHERE id = ? AND state = 'sending' AND claim_token = ? AND lease_until > ?`,
		millis(now.Add(lease)), id, token, millis(now))
	if err != nil {
		return false, fmt.Errorf("db: start outbox %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("db: start outbox %d: %w", id, err)
	}
	return n == 1, nil
}

// SetOutboxFile records the file an upload is about to share, while the item is still held under
// the claim token (as StartOutbox): false means the claim was lost and nothing may be shared.
func (s *Store) SetOutboxFile(ctx context.Context, id, token int64, fileID string) (bool, error) {
	res, err := s.write.ExecContext(ctx, `
		UPDATE outbox SET file_id = ?
		WHERE id = ? AND state = 'sending' AND claim_token = ? AND lease_until > ?`,
		fileID, id, token, millis(s.now()))
	if err != nil {
		return false, fmt.Errorf("db: set outbox file %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("db: set outbox file %d: %w", id, err)
	}
	return n == 1, nil
}

// RenewOutbox extends to now+lease the leases of the given claimed items that are still held
// under their claim and not run out, and returns the ids of those it renewed; the others are
// lost to their relay (taken over, settled, or expired).
func (s *Store) RenewOutbox(ctx context.Context, items []OutboxItem, lease time.Duration) (map[int64]bool, error) {
	held := make(map[int64]bool, len(items))
	if len(items) == 0 {
		return held, nil
	}
	now := s.now()
	var (
		conds []string
		args  = []any{millis(now.Add(lease)), millis(now)}
	)
	for _, it := range items {
		conds = append(conds, "(id = ? AND claim_token = ?)")
		args = append(args, it.ID, it.Token)
	}
	rows, err := s.write.QueryContext(ctx, `
		UPDATE outbox SET lease_until = ?
		WHERE state = 'sending' AND lease_until > ? AND (`+strings.Join(conds, " OR ")+`)
		RETURNING id`, args...)
	if err != nil {
		return nil, fmt.Errorf("db: renew outbox: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("db: renew outbox: %w", err)
		}
		held[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: renew outbox: %w", err)
	}
	return held, nil
}

// outboxState reads an item's state, or ErrNotFound.
func outboxState(ctx context.Context, tx *sql.Tx, id int64) (string, error) {
	var state string
	err := tx.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = ?`, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return state, err
}

// shortReason cuts a reason to maxReason bytes on a rune boundary.
func shortReason(reason string) string {
	if len(reason) <= maxReason {
		return reason
	}
	cut := maxReason
	for cut > 0 && !utf8.RuneStart(reason[cut]) {
		cut--
	}
	return reason[:cut]
}

// OutboxDepth returns how many items are waiting or in flight (pending + sending).
func (s *Store) OutboxDepth(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: outbox depth: %w", err)
	}
	return n, nil
}

// NextOutboxAt returns when the next pending item becomes available (ok=false if none) — lets the
// relay sleep. An in-flight item's lease expiry counts too, so a relay also wakes to take over the
// work of one that died; a post waiting its turn behind another counts only through that one.
// The time may be in the past: there is work now.
func (s *Store) NextOutboxAt(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullInt64
	// A post not due yet counts by its own time: when it comes, it is either in turn or waits
	// behind a due one, and then counts through that one.
	err := s.read.QueryRowContext(ctx, `
		SELECT MIN(due) FROM (
			SELECT available_at AS due FROM outbox WHERE state = 'pending' AND (due_at > ?1 OR `+inTurn("?1")+`)
			UNION ALL
			SELECT lease_until AS due FROM outbox WHERE state = 'sending'
		) AS upcoming`, millis(s.now())).Scan(&next)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("db: next outbox at: %w", err)
	}
	if !next.Valid {
		return time.Time{}, false, nil
	}
	return fromMillis(next.Int64), true, nil
}

// PurgeOutbox deletes sent and failed items created before olderThan and returns how many went.
// Payloads can hold what a person wrote (a confirmation quotes their words), so they should not
// outlive their use.
func (s *Store) PurgeOutbox(ctx context.Context, olderThan time.Time) (int64, error) {
	res, err := s.write.ExecContext(ctx,
		`DELETE FROM outbox WHERE state IN ('sent', 'failed') AND created_at < ?`, millis(olderThan))
	if err != nil {
		return 0, fmt.Errorf("db: purge outbox: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("db: purge outbox: %w", err)
	}
	return n, nil
}

// FailedOutboxCounts returns how many posts failed for good, by kind (for metrics).
func (s *Store) FailedOutboxCounts(ctx context.Context) (map[string]int, error) {
	return s.countBy(ctx, "failed outbox counts", `SELECT kind, COUNT(*) FROM outbox WHERE state = 'failed' GROUP BY kind`)
}
