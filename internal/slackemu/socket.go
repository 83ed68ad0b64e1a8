package slackemu

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// maxEventRetries is how often Slack redelivers an unacknowledged event.
// https://docs.slack.dev/apis/events-api/#retries (three retries, same event_id)
const maxEventRetries = 3

// MaxConnections is how many Socket Mode connections one app may hold at once; Slack spreads
// envelopes over them, each envelope to one connection.
// https://docs.slack.dev/apis/events-api/using-socket-mode (multiple connections)
const MaxConnections = 10

// disconnectGrace is how long a connection told to disconnect stays open; Slack closes it
// itself a few seconds after a "disconnect" message.
// https://docs.slack.dev/apis/events-api/using-socket-mode#disconnect
const disconnectGrace = 2 * time.Second

// writeTimeout bounds one WebSocket write, so a client that stops reading cannot hold the
// dispatcher.
const writeTimeout = 5 * time.Second

// sockConn is one Socket Mode WebSocket connection.
type sockConn struct {
	ws   *websocket.Conn
	wmu  sync.Mutex // gorilla/websocket allows one writer at a time
	disc chan struct{}
	once sync.Once

	// Guarded by Server.mu.
	disconnecting bool
	stalledUntil  time.Time
	closed        bool
	envelopes     int // envelopes sent on it
}

func (c *sockConn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

func (c *sockConn) ping() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.WriteControl(websocket.PingMessage, []byte("emu"), time.Now().Add(writeTimeout))
}

// delivery is one request to the app (an event, a slash command, an interaction) and its fate.
type delivery struct {
	kind        string // events_api, slash_commands, interactive
	payload     json.RawMessage
	accepts     bool // accepts_response_payload
	eventID     string
	envelopeID  string
	attempt     int
	retryReason string
	sentAt      time.Time
	deadline    time.Time
	sends       int
	acked       bool
	// onAck runs with Server.mu held when the app acknowledges, with the ack's payload.
	onAck func(payload json.RawMessage)
}

type sentEnvelope struct {
	d      *delivery
	sentAt time.Time
}

// socketState is the Socket Mode side of the emulator, guarded by Server.mu.
type socketState struct {
	tickets      map[string]bool
	conns        []*sockConn
	history      []*sockConn // every connection ever accepted, in order
	rr           int
	queue        []*delivery
	inflight     map[string]*delivery     // current envelope id -> delivery awaiting its ack
	sent         map[string]*sentEnvelope // every envelope id ever sent
	all          []*delivery
	connects     int
	latencies    []time.Duration
	redeliveries int
}

func (st *socketState) init() {
	st.tickets = map[string]bool{}
	st.inflight = map[string]*delivery{}
	st.sent = map[string]*sentEnvelope{}
}

func (st *socketState) openConns() []*sockConn {
	return append([]*sockConn(nil), st.conns...)
}

func (s *Server) kickLocked() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// enqueueLocked queues a delivery; the dispatcher sends it as soon as a connection is open, so
// nothing is lost while the app is disconnected.
func (s *Server) enqueueLocked(d *delivery) {
	d.envelopeID = newEnvelopeID()
	s.sock.queue = append(s.sock.queue, d)
	s.sock.all = append(s.sock.all, d)
	s.kickLocked()
}

func newEnvelopeID() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// emitLocked wraps an Events API event in its event_callback and queues it.
// https://docs.slack.dev/apis/events-api/#callback-field (outer event shape)
func (s *Server) emitLocked(eventType string, event map[string]any) string {
	event["type"] = eventType
	if _, ok := event["event_ts"]; !ok {
		event["event_ts"] = s.tsLocked()
	}
	eventID := "Ev" + strings.ToUpper(randomHex(5))
	payload, _ := json.Marshal(map[string]any{
		"token": verificationToken, "team_id": TeamID, "context_team_id": TeamID,
		"context_enterprise_id": nil, "api_app_id": AppID, "event": event,
		"type": "event_callback", "event_id": eventID, "event_time": s.now().Unix(),
		"authorizations": []any{map[string]any{
			"enterprise_id": nil, "team_id": TeamID, "user_id": BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false, "event_context": "4-" + randomHex(20),
	})
	s.enqueueLocked(&delivery{kind: "events_api", payload: payload, eventID: eventID})
	if eventType == "app_uninstalled" || eventType == "tokens_revoked" {
		// https://docs.slack.dev/reference/events/tokens_revoked: the tokens stop working.
		s.revoked = true
	}
	return eventID
}

// Emit sends any Events API event (event["type"] is set to eventType) and returns its event_id.
// app_uninstalled and tokens_revoked also revoke the tokens, as on Slack.
func (s *Server) Emit(eventType string, event map[string]any) string {
	ev := make(map[string]any, len(event)+2)
	for k, v := range event {
		ev[k] = v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.emitLocked(eventType, ev)
	s.changedLocked()
	return id
}

type pendingWrite struct {
	conn *sockConn
	data []byte
}

// dispatchLoop sends queued envelopes and redelivers unacknowledged events, until Close.
func (s *Server) dispatchLoop() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		writes, next := s.dispatchOnce(time.Now())
		for _, w := range writes {
			if err := w.conn.write(w.data); err != nil {
				// The envelope is lost with the connection; an event's ack timeout will redeliver it.
				_ = w.conn.ws.Close()
			}
		}
		timer.Reset(next)
		select {
		case <-s.done:
			return
		case <-s.kick:
		case <-timer.C:
		}
	}
}

// dispatchOnce plans one round. Ack deadlines use the real monotonic clock, not the injected
// one: they bound real waiting between two processes, like Slack's 3-second timeout.
func (s *Server) dispatchOnce(now time.Time) ([]pendingWrite, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for id, d := range s.sock.inflight {
		if d.acked {
			delete(s.sock.inflight, id)
			continue
		}
		if now.Before(d.deadline) {
			continue
		}
		delete(s.sock.inflight, id)
		changed = true
		if d.kind == "events_api" && d.attempt < maxEventRetries {
			// https://docs.slack.dev/apis/events-api/using-socket-mode (retry_attempt,
			// retry_reason "timeout"); a retry is a new envelope carrying the same event_id.
			d.attempt++
			d.retryReason = "timeout"
			d.envelopeID = newEnvelopeID()
			s.sock.queue = append(s.sock.queue, d)
			s.sock.redeliveries++
		}
	}
	var writes []pendingWrite
	var eligible []*sockConn
	for _, c := range s.sock.conns {
		if !c.disconnecting && !c.closed {
			eligible = append(eligible, c)
		}
	}
	if len(eligible) > 0 && len(s.sock.queue) > 0 {
		for _, d := range s.sock.queue {
			c := eligible[s.sock.rr%len(eligible)]
			s.sock.rr++
			data, _ := json.Marshal(map[string]any{
				"envelope_id": d.envelopeID, "type": d.kind, "payload": d.payload,
				"accepts_response_payload": d.accepts, "retry_attempt": d.attempt,
				"retry_reason": d.retryReason,
			})
			d.sentAt, d.deadline = now, now.Add(s.ackTimeout)
			d.sends++
			s.sock.inflight[d.envelopeID] = d
			s.sock.sent[d.envelopeID] = &sentEnvelope{d: d, sentAt: now}
			c.envelopes++
			if now.Before(c.stalledUntil) {
				continue // a half-open connection swallows what is sent to it
			}
			writes = append(writes, pendingWrite{conn: c, data: data})
		}
		s.sock.queue = nil
		changed = true
	}
	if changed {
		s.changedLocked()
	}
	next := time.Hour
	for _, d := range s.sock.inflight {
		next = min(next, max(d.deadline.Sub(now), time.Millisecond))
	}
	return writes, next
}

// https://docs.slack.dev/apis/events-api/using-socket-mode
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.sock.tickets[ticket]
	delete(s.sock.tickets, ticket) // a ticket opens one connection only
	s.mu.Unlock()
	if !valid {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &sockConn{ws: ws, disc: make(chan struct{})}

	// The connection is registered and its hello written under its write lock, so hello is
	// always the first frame and envelopes may follow at once.
	c.wmu.Lock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.wmu.Unlock()
		_ = ws.Close()
		return
	}
	if len(s.sock.openConns()) >= MaxConnections {
		// Slack refuses an app's connection beyond its limit: the socket opens, says why, and
		// closes, and the client backs off before trying again.
		s.mu.Unlock()
		refusal, _ := json.Marshal(map[string]any{
			"type": "disconnect", "reason": "too_many_websockets",
			"debug_info": map[string]any{"host": "applink-emu"},
		})
		_ = ws.SetWriteDeadline(time.Now().Add(writeTimeout))
		_ = ws.WriteMessage(websocket.TextMessage, refusal)
		c.wmu.Unlock()
		_ = ws.Close()
		return
	}
	s.sock.conns = append(s.sock.conns, c)
	s.sock.history = append(s.sock.history, c)
	s.sock.connects++
	n := len(s.sock.conns)
	s.changedLocked()
	s.kickLocked()
	s.mu.Unlock()
	hello, _ := json.Marshal(map[string]any{
		"type": "hello", "num_connections": n,
		"debug_info":      map[string]any{"host": "applink-emu", "build_number": 1, "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": AppID},
	})
	_ = ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	err = ws.WriteMessage(websocket.TextMessage, hello)
	c.wmu.Unlock()
	if err != nil {
		_ = ws.Close()
		s.mu.Lock()
		s.removeConnLocked(c)
		s.mu.Unlock()
		return
	}

	pingDone := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { s.pingLoop(c, pingDone) })
	s.readLoop(c)
	close(pingDone)
	wg.Wait()
	_ = ws.Close()

	s.mu.Lock()
	s.removeConnLocked(c)
	s.mu.Unlock()
}

func (s *Server) removeConnLocked(c *sockConn) {
	c.closed = true
	for i, o := range s.sock.conns {
		if o == c {
			s.sock.conns = append(s.sock.conns[:i], s.sock.conns[i+1:]...)
			break
		}
	}
	s.changedLocked()
}

// pingLoop sends WebSocket PINGs (slack-go drops a connection that sees none) and closes a
// connection told to disconnect once its grace period is over.
func (s *Server) pingLoop(c *sockConn, done <-chan struct{}) {
	ticker := time.NewTicker(s.pingInterval)
	defer ticker.Stop()
	var graceOver <-chan time.Time
	disc := c.disc
	for {
		select {
		case <-done:
			return
		case <-disc:
			disc = nil
			t := time.NewTimer(disconnectGrace)
			defer t.Stop()
			graceOver = t.C
		case <-graceOver:
			_ = c.ws.Close()
			return
		case now := <-ticker.C:
			s.mu.Lock()
			stalled := now.Before(c.stalledUntil)
			s.mu.Unlock()
			if stalled {
				continue
			}
			if err := c.ping(); err != nil {
				_ = c.ws.Close()
				return
			}
		}
	}
}

// readLoop reads acks until the connection ends.
func (s *Server) readLoop(c *sockConn) {
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		s.handleAck(c, data)
	}
}

// handleAck records an acknowledgement.
// https://docs.slack.dev/apis/events-api/using-socket-mode#acknowledge
func (s *Server) handleAck(c *sockConn, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Now().Before(c.stalledUntil) {
		return // lost on a half-open connection
	}
	var ack struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(data, &ack); err != nil || ack.EnvelopeID == "" {
		s.violationLocked("socket mode: unreadable message from the app: %.200s", data)
		return
	}
	if len(data) >= 20*1024 {
		// https://docs.slack.dev/apis/events-api/using-socket-mode (responses under 20 KB)
		s.violationLocked("socket mode: ack for %s is %d bytes, Slack drops 20 KB or more", ack.EnvelopeID, len(data))
		return
	}
	se, ok := s.sock.sent[ack.EnvelopeID]
	if !ok {
		s.violationLocked("socket mode: ack for unknown envelope %q", ack.EnvelopeID)
		return
	}
	d := se.d
	if d.acked {
		return // a late ack of an earlier attempt
	}
	d.acked = true
	delete(s.sock.inflight, d.envelopeID)
	s.sock.latencies = append(s.sock.latencies, time.Since(se.sentAt))
	if !d.accepts && len(ack.Payload) > 0 && string(ack.Payload) != "null" && string(ack.Payload) != "{}" {
		s.violationLocked("socket mode: ack for a %s envelope carries a payload Slack ignores", d.kind)
	}
	if d.onAck != nil {
		d.onAck(ack.Payload)
	}
	s.changedLocked()
}

// Disconnect sends every open connection a "disconnect" message with reason ("warning",
// "refresh_requested", "link_disabled"); Slack then closes the socket, and sends nothing more
// on it.
// https://docs.slack.dev/apis/events-api/using-socket-mode#disconnect
func (s *Server) Disconnect(reason string) {
	s.mu.Lock()
	conns := s.sock.openConns()
	for _, c := range conns {
		c.disconnecting = true
	}
	s.changedLocked()
	s.mu.Unlock()
	msg, _ := json.Marshal(map[string]any{
		"type": "disconnect", "reason": reason,
		"debug_info": map[string]any{"host": "applink-emu"},
	})
	for _, c := range conns {
		_ = c.write(msg)
		c.once.Do(func() { close(c.disc) })
	}
}

// DropConnections closes every socket abruptly (a TCP reset, no close frame).
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := s.sock.openConns()
	for _, c := range conns {
		s.removeConnLocked(c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		if tc, ok := c.ws.UnderlyingConn().(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = c.ws.Close()
	}
}

// Stall makes the open sockets half-open for d: nothing is read from or written to them and no
// PINGs are sent, as when a network path dies silently.
func (s *Server) Stall(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	until := time.Now().Add(d)
	for _, c := range s.sock.conns {
		c.stalledUntil = until
	}
}

// Connections is how many Socket Mode connections are open.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sock.conns)
}

// ConnectCount is how many Socket Mode connections were ever opened.
func (s *Server) ConnectCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.connects
}

// EnvelopesPerConnection returns how many envelopes each connection ever accepted was sent, in
// the order they connected (closed ones included).
func (s *Server) EnvelopesPerConnection() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := make([]int, len(s.sock.history))
	for i, c := range s.sock.history {
		n[i] = c.envelopes
	}
	return n
}

// AckLatencies are the times from sending an envelope to its ack, in ack order.
func (s *Server) AckLatencies() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.sock.latencies...)
}

// Unacked is how many deliveries were sent but never acknowledged (still waiting included).
func (s *Server) Unacked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, d := range s.sock.all {
		if d.sends > 0 && !d.acked {
			n++
		}
	}
	return n
}

// Redeliveries is how many times an unacknowledged event was sent again.
func (s *Server) Redeliveries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.redeliveries
}
