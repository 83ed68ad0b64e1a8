package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"time"
)

// DeliveryKind is why a delivery is owed.
type DeliveryKind string

// Delivery kinds.
const (
	DeliveryScheduled DeliveryKind = "scheduled" // owed for an occurrence of the person's schedule
	DeliveryOnDemand  DeliveryKind = "on_demand" // asked for with /reflect prompt
)

// DeliveryState is where a delivery stands.
type DeliveryState string

// Delivery states. Pending and sent are open: the prompt still waits for an answer.
const (
	DeliveryPending  DeliveryState = "pending"  // created; its prompt is not posted yet
	DeliverySent     DeliveryState = "sent"     // its prompt is posted, unanswered
	DeliveryAnswered DeliveryState = "answered" // its main prompt was answered
	DeliverySkipped  DeliveryState = "skipped"  // "Skip this week", or answered ahead (never sent)
	DeliveryExpired  DeliveryState = "expired"  // its occurrence passed unanswered
)

// DeliveryPayload is the outbox payload of prompt, wellbeing and reminder posts.
type DeliveryPayload struct {
	DeliveryID int64  `json:"delivery_id"`
	PromptID   string `json:"prompt_id"`
	// WellbeingPromptID is the week's wellbeing check, asked in the prompt's own message (prompt
	// posts only; empty when the delivery has none, and in posts queued by an earlier version,
	// whose check was queued as a post of its own).
	WellbeingPromptID string `json:"wellbeing_prompt_id,omitempty"`
}

// Delivery is one prompt owed to one person.
type Delivery struct {
	ID                int64
	UserID            string
	Occurrence        time.Time
	Kind              DeliveryKind
	PromptID          string
	WellbeingPromptID string
	State             DeliveryState
	ChannelID, TS     string // the prompt message, once posted
	RemindedAt        *time.Time
}

// NewDelivery is a delivery to create. Skip records an occurrence that is not sent (answered
// ahead), so it still counts as handled; such a row has no prompt.
type NewDelivery struct {
	Occurrence        time.Time
	Kind              DeliveryKind
	PromptID          string
	WellbeingPromptID string // empty = no wellbeing check
	Skip              bool
}

// DuePerson is an enrolled person whose next occurrence has come, with what the due loop needs to
// decide what to do.
type DuePerson struct {
	Person
	LastScheduled      time.Time // the latest scheduled occurrence handled; zero if none
	LastOnDemandAnswer time.Time // the latest answer to an on-demand prompt; zero if none
	OpenScheduled      int       // scheduled deliveries still unanswered
	Asked              []string  // prompt ids asked so far, oldest first, wellbeing checks included
	Claim              int64     // the ClaimDue that returned them (0 from DuePeople): goes into DuePlan.Claim
}

// DuePlan is what the due loop decided for one person; ApplyDue performs it.
type DuePlan struct {
	UserID  string
	WasDue  time.Time    // next_due_at as read: the plan applies only if it is unchanged
	NextDue time.Time    // the following occurrence
	Expire  time.Time    // open scheduled deliveries before this are expired (they count as unanswered)
	Streak  int          // unanswered prompts in a row after this plan
	Ask     bool         // send the one-time "pause or carry on?" question
	Asked   bool         // asked_to_continue after this plan
	Deliver *NewDelivery // nil = nothing to send
	// Summary is the month (YYYY-MM) whose summary goes with this delivery, if it was not sent
	// yet: summaries_sent makes it once per person and month.
	Summary string
	// Claim is DuePerson.Claim: a plan that is dropped (the person changed meanwhile) still ends
	// its claim, so the person is planned again from what they are now.
	Claim int64
}

// duePersonColumns are what the due loop reads of a person (personColumns), then their
// history's aggregates (scanDuePerson): the latest scheduled occurrence handled, the latest answer
// to an on-demand prompt, and the scheduled deliveries still open. Its placeholders take
// duePersonArgs.
const duePersonColumns = personColumns + `,
	(SELECT MAX(d.occurrence) FROM deliveries d WHERE d.user_id = p.user_id AND d.kind = ?),
	(SELECT MAX(a.answered_at) FROM answers a JOIN deliveries d ON d.id = a.delivery_id
	  WHERE d.user_id = p.user_id AND d.kind = ? AND a.prompt_id = d.prompt_id),
	(SELECT COUNT(*) FROM deliveries d WHERE d.user_id = p.user_id AND d.kind = ? AND d.state IN (?, ?))`

// duePersonColumnsUnaliased is duePersonColumns naming the table "people" rather than p: SQLite's
// RETURNING knows the table it changes by its name only.
var duePersonColumnsUnaliased = regexp.MustCompile(`\bp\.`).ReplaceAllString(duePersonColumns, "people.")

// duePersonArgs are duePersonColumns' arguments.
func duePersonArgs() []any {
	return []any{string(DeliveryScheduled), string(DeliveryOnDemand), string(DeliveryScheduled),
		string(DeliveryPending), string(DeliverySent)}
}

// dueWhere selects the people due at ?: enrolled, not deleted, next_due_at at or before it.
const dueWhere = `p.next_due_at <= ? AND p.deleted = 0
	AND EXISTS (SELECT 1 FROM enrolments e WHERE e.user_id = p.user_id)`

// DuePeople returns up to limit enrolled people whose next_due_at is at or before now, earliest
// first, claimed or not (ClaimDue is the due loop's read). It reads a whole batch in two queries,
// whatever its size: the people with their history's aggregates, then every prompt they were
// asked. Each person's row and aggregates come from one statement, so a person another replica
// has just moved on (next_due_at after now) is not returned from a stale read: planning from such
// a row would send next week's prompt today.
func (s *Store) DuePeople(ctx context.Context, now time.Time, limit int) ([]DuePerson, error) {
	var out []DuePerson
	err := s.inReadTx(ctx, "", func(tx *sql.Tx) error {
		var err error
		out, err = readDue(ctx, tx, now, `
			SELECT `+duePersonColumns+`
			FROM people p
			WHERE `+dueWhere+`
			ORDER BY p.next_due_at, p.user_id
			LIMIT ?`, append(duePersonArgs(), millis(now), limit)...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: due people: %w", err)
	}
	return out, nil
}

// ClaimDue claims up to limit of the people due at now (as DuePeople), earliest first, for the
// caller to plan, and returns them with what planning needs. A claim lasts lease: until it lapses
// no other ClaimDue returns the person, so due loops on several replicas share the people due
// instead of each planning all of them. ApplyDue ends the claim (DuePlan.Claim); a claim whose
// holder died lapses, and the person is claimed again. It reads a batch in two queries, as
// DuePeople, in one write transaction: the claim, returning each person's row and aggregates as
// the claim leaves them, then the prompts they were asked.
//
// On PostgreSQL the people are picked in a MATERIALIZED CTE with FOR UPDATE SKIP LOCKED: two
// replicas claiming at once skip each other's rows instead of waiting for them, and a row
// another claimer changed meanwhile is checked again as it is now. SQLite has one writer, so
// its UPDATE … WHERE user_id IN (… LIMIT n) is alone while it runs.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]DuePerson, error) {
	if limit <= 0 || lease <= 0 {
		return nil, fmt.Errorf("db: claim due: limit %d and lease %s must be positive", limit, lease)
	}
	token := newToken()
	pick := `SELECT p.user_id FROM people p
		WHERE ` + dueWhere + ` AND (p.due_claim_until IS NULL OR p.due_claim_until <= ?)
		ORDER BY p.next_due_at, p.user_id
		LIMIT ?`
	query := `
		UPDATE people SET due_claim = ?, due_claim_until = ?
		WHERE user_id IN (` + pick + `)
		RETURNING ` + duePersonColumnsUnaliased
	args := []any{token, millis(now.Add(lease)), millis(now), millis(now), limit}
	if s.pg {
		query = `
		WITH picked AS MATERIALIZED (` + pick + ` FOR UPDATE SKIP LOCKED)
		UPDATE people AS p SET due_claim = ?, due_claim_until = ?
		FROM picked WHERE p.user_id = picked.user_id
		RETURNING ` + duePersonColumns
		args = []any{millis(now), millis(now), limit, token, millis(now.Add(lease))}
	}
	out, err := transact(ctx, s.write, nil, "", func(tx *sql.Tx) ([]DuePerson, error) {
		return readDue(ctx, tx, now, query, append(args, duePersonArgs()...)...)
	})
	if err != nil {
		return nil, fmt.Errorf("db: claim due: %w", err)
	}
	// RETURNING gives no order guarantee.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].NextDueAt, out[j].NextDueAt
		if !a.Equal(*b) {
			return a.Before(*b)
		}
		return out[i].UserID < out[j].UserID
	})
	for i := range out {
		out[i].Claim = token
	}
	return out, nil
}

// NextDueAfter returns the earliest next occurrence later than now over everyone scheduled (ok is
// false when there is none), so the due loop can wake when it comes rather than on its next tick.
func (s *Store) NextDueAfter(ctx context.Context, now time.Time) (next time.Time, ok bool, err error) {
	var ms sql.NullInt64
	if err := s.read.QueryRowContext(ctx, `SELECT MIN(next_due_at) FROM people WHERE next_due_at > ?`,
		millis(now)).Scan(&ms); err != nil {
		return time.Time{}, false, fmt.Errorf("db: next due: %w", err)
	}
	if !ms.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(ms.Int64).UTC(), true, nil
}

// newToken returns a random positive token for a claim: distinct across replicas and restarts.
func newToken() int64 {
	return rand.Int64N(math.MaxInt64-1) + 1
}

// readDue runs query, which returns duePersonColumns, keeps the people due at now, and reads the
// prompts they were asked: two queries whatever the batch's size.
func readDue(ctx context.Context, tx *sql.Tx, now time.Time, query string, args ...any) ([]DuePerson, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DuePerson
	for rows.Next() {
		var (
			d                  DuePerson
			lastSched, lastAns sql.NullInt64
		)
		if d.Person, err = scanPerson(rows, &lastSched, &lastAns, &d.OpenScheduled); err != nil {
			return nil, err
		}
		if d.NextDueAt == nil || d.NextDueAt.After(now) {
			continue // not due (the WHERE says so already; kept as the rule)
		}
		if lastSched.Valid {
			d.LastScheduled = fromMillis(lastSched.Int64)
		}
		if lastAns.Valid {
			d.LastOnDemandAnswer = fromMillis(lastAns.Int64)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	ids := make([]string, len(out))
	for i, d := range out {
		ids[i] = d.UserID
	}
	asked, err := askedPrompts(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Asked = asked[out[i].UserID]
	}
	return out, nil
}

// AskedPrompts returns the prompt ids a person was asked, oldest first, wellbeing checks included:
// the history the rotation replays.
func (s *Store) AskedPrompts(ctx context.Context, userID string) ([]string, error) {
	asked, err := askedPrompts(ctx, s.read, []string{userID})
	if err != nil {
		return nil, err
	}
	return asked[userID], nil
}

// askedIDs bounds the ids one asked-prompts query names, well under either engine's limit on
// parameters (a variable so that a test can make batches span several queries).
var askedIDs = 500

// askedPrompts returns the prompt ids each of the people was asked, oldest first, wellbeing
// checks included, in one query per askedIDs people.
func askedPrompts(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, userIDs []string) (map[string][]string, error) {
	asked := make(map[string][]string, len(userIDs))
	for len(userIDs) > 0 {
		batch := userIDs[:min(len(userIDs), askedIDs)]
		userIDs = userIDs[len(batch):]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, `
			SELECT user_id, prompt_id, wellbeing_prompt_id FROM deliveries
			WHERE user_id IN (?`+strings.Repeat(", ?", len(batch)-1)+`) AND prompt_id <> ''
			ORDER BY user_id, occurrence, id`, args...)
		if err != nil {
			return nil, fmt.Errorf("db: asked prompts: %w", err)
		}
		for rows.Next() {
			var user, p string
			var w sql.NullString
			if err := rows.Scan(&user, &p, &w); err != nil {
				rows.Close()
				return nil, fmt.Errorf("db: asked prompts: %w", err)
			}
			asked[user] = append(asked[user], p)
			if w.Valid {
				asked[user] = append(asked[user], w.String)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("db: asked prompts: %w", err)
		}
	}
	return asked, nil
}

// ApplyDue performs the due loop's plans in one transaction and reports how many applied. A plan
// whose person's next_due_at is no longer WasDue is dropped: someone else (another replica, a
// schedule change) got there first. The delivery insert is ON CONFLICT DO NOTHING on (person,
// occurrence, kind), and its posts are queued only when it was inserted, so an occurrence is sent
// at most once however often this runs.
func (s *Store) ApplyDue(ctx context.Context, plans []DuePlan) (int, error) {
	now := s.now()
	return transact(ctx, s.write, nil, "apply due", func(tx *sql.Tx) (int, error) {
		applied := 0
		for _, pl := range plans {
			var dm sql.NullString
			err := tx.QueryRowContext(ctx, `
				UPDATE people SET next_due_at = ?, unanswered_streak = ?, asked_to_continue = ?, updated_at = ?,
				                  due_claim = NULL, due_claim_until = NULL
				WHERE user_id = ? AND next_due_at = ? AND deleted = 0
				RETURNING dm_channel_id`,
				millis(pl.NextDue), pl.Streak, boolInt(pl.Asked), millis(now), pl.UserID, millis(pl.WasDue)).Scan(&dm)
			if errors.Is(err, sql.ErrNoRows) {
				if pl.Claim != 0 {
					if _, err := tx.ExecContext(ctx, `
						UPDATE people SET due_claim = NULL, due_claim_until = NULL WHERE user_id = ? AND due_claim = ?`,
						pl.UserID, pl.Claim); err != nil {
						return 0, fmt.Errorf("db: apply due: end claim: %w", err)
					}
				}
				continue
			}
			if err != nil {
				return 0, fmt.Errorf("db: apply due: %w", err)
			}
			applied++
			if err := expireScheduled(ctx, tx, pl.UserID, pl.Expire); err != nil {
				return 0, fmt.Errorf("db: apply due: %w", err)
			}
			if pl.Deliver != nil {
				_, inserted, err := addDelivery(ctx, tx, now, pl.UserID, dm.String, *pl.Deliver)
				if err != nil {
					return 0, fmt.Errorf("db: apply due: %w", err)
				}
				if inserted && pl.Summary != "" {
					if err := queueSummary(ctx, tx, now, pl.UserID, dm.String, pl.Summary, true); err != nil {
						return 0, fmt.Errorf("db: apply due: %w", err)
					}
				}
			}
			if pl.Ask {
				if _, err := enqueue(ctx, tx, now, OutboxMessage{UserID: pl.UserID, ChannelID: dm.String, Kind: KindContinue}); err != nil {
					return 0, fmt.Errorf("db: apply due: %w", err)
				}
			}
		}
		return applied, nil
	})
}

// expireScheduled closes a person's unanswered scheduled deliveries from before `before`, and
// gives up their posts still queued (user_id at the top of the WHERE keeps it on the index: it
// runs once per due person): a prompt whose occurrence has gone is stale and never sent
// (its reminder neither), and neither is a wellbeing check still waiting (the next delivery brings
// a new one).
func expireScheduled(ctx context.Context, tx *sql.Tx, userID string, before time.Time) error {
	if _, err := tx.ExecContext(ctx, `
		UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = 'expired'
		WHERE user_id = ? AND state = 'pending' AND (
		  kind = ?
		  OR (kind IN (?, ?) AND delivery_id IN (
		    SELECT id FROM deliveries WHERE user_id = ? AND kind = ?
		      AND state IN (?, ?) AND occurrence < ?)))`,
		userID, string(KindWellbeing), string(KindPrompt), string(KindReminder),
		userID, string(DeliveryScheduled), string(DeliveryPending), string(DeliverySent), millis(before)); err != nil {
		return fmt.Errorf("expire posts: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE deliveries SET state = ?
		WHERE user_id = ? AND kind = ? AND state IN (?, ?) AND occurrence < ?`,
		string(DeliveryExpired), userID, string(DeliveryScheduled), string(DeliveryPending), string(DeliverySent), millis(before)); err != nil {
		return fmt.Errorf("expire deliveries: %w", err)
	}
	return nil
}

// addDelivery inserts a delivery unless one exists for the same person, occurrence and kind,
// and queues its one post: the prompt, with the wellbeing check if any in the same message, so an
// occurrence costs one post per person and the check can never go out without its prompt. It
// returns the id and whether it was inserted.
func addDelivery(ctx context.Context, tx *sql.Tx, now time.Time, userID, dmChannel string, d NewDelivery) (int64, bool, error) {
	state := "pending"
	if d.Skip {
		state = "skipped"
	}
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO deliveries (user_id, occurrence, kind, prompt_id, wellbeing_prompt_id, state, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, occurrence, kind) DO NOTHING
		RETURNING id`,
		userID, millis(d.Occurrence), d.Kind, d.PromptID, nullString(d.WellbeingPromptID), state, millis(now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("insert delivery: %w", err)
	}
	if d.Skip {
		return id, true, nil
	}
	// The post is linked to the delivery: its channel and ts become the delivery's message.
	payload, _ := json.Marshal(DeliveryPayload{DeliveryID: id, PromptID: d.PromptID, WellbeingPromptID: d.WellbeingPromptID})
	if _, err := enqueue(ctx, tx, now, OutboxMessage{UserID: userID, ChannelID: dmChannel, Kind: KindPrompt,
		DeliveryID: id, Payload: payload}); err != nil {
		return 0, false, fmt.Errorf("queue %s: %w", KindPrompt, err)
	}
	return id, true, nil
}

// markDeliverySent records where a post carrying a delivery landed: the delivery's channel_id and
// ts, and state sent if it was still pending. The delivery keeps the first message posted for it:
// a later post for the same delivery (a reminder) does not replace the ts that answers update.
func markDeliverySent(ctx context.Context, tx *sql.Tx, sent sentPost) error {
	if sent.DeliveryID == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE deliveries
		SET channel_id = COALESCE(channel_id, ?), ts = COALESCE(ts, ?),
		    state = CASE WHEN state = ? THEN ? ELSE state END
		WHERE id = ?`,
		nullString(sent.ChannelID), sent.TS, string(DeliveryPending), string(DeliverySent), sent.DeliveryID); err != nil {
		return fmt.Errorf("update delivery: %w", err)
	}
	return nil
}

// CreateDelivery creates a delivery outside the schedule (/reflect prompt) and queues its posts.
func (s *Store) CreateDelivery(ctx context.Context, userID string, d NewDelivery) (int64, error) {
	now := s.now()
	return transact(ctx, s.write, nil, "create delivery", func(tx *sql.Tx) (int64, error) {
		var err error
		var dm sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT dm_channel_id FROM people WHERE user_id = ?`, userID).Scan(&dm)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("db: create delivery for %s: %w", userID, ErrNotFound)
		}
		if err != nil {
			return 0, fmt.Errorf("db: create delivery: %w", err)
		}
		id, inserted, err := addDelivery(ctx, tx, now, userID, dm.String, d)
		if err != nil {
			return 0, fmt.Errorf("db: create delivery: %w", err)
		}
		if !inserted {
			return 0, fmt.Errorf("db: create delivery: one exists for that occurrence: %w", ErrWrongState)
		}
		return id, nil
	})
}

const deliveryColumns = `id, user_id, occurrence, kind, prompt_id, wellbeing_prompt_id, state, channel_id, ts, reminded_at`

func scanDelivery(sc interface{ Scan(...any) error }) (Delivery, error) {
	var (
		d         Delivery
		occ       int64
		wb, ch, t sql.NullString
		reminded  sql.NullInt64
	)
	if err := sc.Scan(&d.ID, &d.UserID, &occ, &d.Kind, &d.PromptID, &wb, &d.State, &ch, &t, &reminded); err != nil {
		return Delivery{}, err
	}
	d.Occurrence = fromMillis(occ)
	d.WellbeingPromptID, d.ChannelID, d.TS = wb.String, ch.String, t.String
	d.RemindedAt = timePtr(reminded)
	return d, nil
}

// Delivery returns one of a person's deliveries; another person's gives ErrNotFound, so nobody
// can answer for someone else.
func (s *Store) Delivery(ctx context.Context, userID string, id int64) (Delivery, error) {
	d, err := scanDelivery(s.read.QueryRowContext(ctx,
		`SELECT `+deliveryColumns+` FROM deliveries WHERE id = ? AND user_id = ?`, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fmt.Errorf("db: delivery %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("db: delivery: %w", err)
	}
	return d, nil
}

// OpenDeliveries returns a person's posted, unanswered deliveries, newest first.
func (s *Store) OpenDeliveries(ctx context.Context, userID string, limit int) ([]Delivery, error) {
	return s.deliveries(ctx, "open deliveries", `SELECT `+deliveryColumns+` FROM deliveries
		WHERE user_id = ? AND state = ? ORDER BY occurrence DESC, id DESC LIMIT ?`, userID, string(DeliverySent), limit)
}

// Deliveries returns all of a person's deliveries, oldest first.
func (s *Store) Deliveries(ctx context.Context, userID string) ([]Delivery, error) {
	return s.deliveries(ctx, "deliveries", `SELECT `+deliveryColumns+` FROM deliveries
		WHERE user_id = ? ORDER BY occurrence, id`, userID)
}

func (s *Store) deliveries(ctx context.Context, op, query string, args ...any) ([]Delivery, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("db: %s: %w", op, err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("db: %s: %w", op, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: %s: %w", op, err)
	}
	return out, nil
}

// SkipDelivery marks an open delivery skipped ("Skip this week"): a response, so the streak
// resets, and no reminder follows. It reports whether it changed anything.
func (s *Store) SkipDelivery(ctx context.Context, userID string, id int64) (bool, error) {
	now := s.now()
	return transact(ctx, s.write, nil, "skip delivery", func(tx *sql.Tx) (bool, error) {
		res, err := tx.ExecContext(ctx, `
			UPDATE deliveries SET state = ? WHERE id = ? AND user_id = ? AND state IN (?, ?, ?)`,
			string(DeliverySkipped), id, userID, string(DeliveryPending), string(DeliverySent), string(DeliveryExpired))
		if err != nil {
			return false, fmt.Errorf("db: skip delivery: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return false, nil
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = 'skipped'
			WHERE delivery_id = ? AND kind = ? AND state = 'pending'`, id, string(KindReminder)); err != nil {
			return false, fmt.Errorf("db: skip delivery: cancel reminder: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE people SET unanswered_streak = 0, asked_to_continue = 0, updated_at = ? WHERE user_id = ?`,
			millis(now), userID); err != nil {
			return false, fmt.Errorf("db: skip delivery: %w", err)
		}
		return true, nil
	})
}

// RemindLater queues a reminder for an open delivery at `at` ("Remind me tomorrow") and marks it
// reminded, so the automatic reminder does not come as well. It reports whether it queued one.
func (s *Store) RemindLater(ctx context.Context, userID string, id int64, at time.Time) (bool, error) {
	now := s.now()
	return transact(ctx, s.write, nil, "remind later", func(tx *sql.Tx) (bool, error) {
		var err error
		var prompt string
		var dm sql.NullString
		err = tx.QueryRowContext(ctx, `
			UPDATE deliveries SET reminded_at = ? WHERE id = ? AND user_id = ? AND state = ?
			RETURNING prompt_id, channel_id`, millis(now), id, userID, string(DeliverySent)).Scan(&prompt, &dm)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("db: remind later: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = 'replaced'
			WHERE delivery_id = ? AND kind = ? AND state = 'pending'`, id, string(KindReminder)); err != nil {
			return false, fmt.Errorf("db: remind later: %w", err)
		}
		payload, _ := json.Marshal(DeliveryPayload{DeliveryID: id, PromptID: prompt})
		if _, err := enqueue(ctx, tx, now, OutboxMessage{UserID: userID, ChannelID: dm.String, Kind: KindReminder,
			DeliveryID: id, Payload: payload, AvailableAt: at}); err != nil {
			return false, fmt.Errorf("db: remind later: %w", err)
		}
		return true, nil
	})
}

// QueueReminders queues the one automatic reminder for scheduled deliveries posted at or before
// cutoff and still unanswered, and reports how many. Only enrolled, unpaused people are reminded:
// Stop leaves their open deliveries as they are, and must not be followed by a reminder.
func (s *Store) QueueReminders(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	now := s.now()
	return transact(ctx, s.write, nil, "queue reminders", func(tx *sql.Tx) (int, error) {
		rows, err := tx.QueryContext(ctx, `
			UPDATE deliveries SET reminded_at = ?
			WHERE id IN (SELECT d.id FROM deliveries d JOIN people p ON p.user_id = d.user_id
			             WHERE d.state = ? AND d.kind = ? AND d.reminded_at IS NULL
			               AND d.occurrence <= ? AND p.deleted = 0
			               AND EXISTS (SELECT 1 FROM enrolments e WHERE e.user_id = d.user_id)
			               AND (p.paused_until IS NULL OR p.paused_until <= ?)
			             ORDER BY d.occurrence LIMIT ?)
			RETURNING id, user_id, prompt_id, channel_id`,
			millis(now), string(DeliverySent), string(DeliveryScheduled), millis(cutoff), millis(now), limit)
		if err != nil {
			return 0, fmt.Errorf("db: queue reminders: %w", err)
		}
		var msgs []OutboxMessage
		for rows.Next() {
			var (
				id       int64
				user, pr string
				ch       sql.NullString
			)
			if err := rows.Scan(&id, &user, &pr, &ch); err != nil {
				rows.Close()
				return 0, fmt.Errorf("db: queue reminders: %w", err)
			}
			payload, _ := json.Marshal(DeliveryPayload{DeliveryID: id, PromptID: pr})
			msgs = append(msgs, OutboxMessage{UserID: user, ChannelID: ch.String, Kind: KindReminder, DeliveryID: id, Payload: payload})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("db: queue reminders: %w", err)
		}
		for _, m := range msgs {
			if _, err := enqueue(ctx, tx, now, m); err != nil {
				return 0, fmt.Errorf("db: queue reminders: %w", err)
			}
		}
		return len(msgs), nil
	})
}

// DeliveryCounts returns how many deliveries are in each state (for metrics).
func (s *Store) DeliveryCounts(ctx context.Context) (map[string]int, error) {
	return s.countBy(ctx, "delivery counts", `SELECT state, COUNT(*) FROM deliveries GROUP BY state`)
}
