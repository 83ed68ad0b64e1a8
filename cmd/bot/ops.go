package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/reflect-bot/reflect/internal/config"
	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/ops"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// The store is what the operations endpoints read.
var (
	_ ops.Store  = (*db.Store)(nil)
	_ ops.Counts = (*db.Store)(nil)
)

// healthcheckTimeout bounds the whole healthcheck; Docker's own timeout is a little longer.
const healthcheckTimeout = 2 * time.Second

// startOps serves /healthz, /readyz and /metrics on addr until stop is called; stop waits for
// the server to finish. It listens before returning, so a port already taken stops the start-up.
// An empty addr turns the endpoints off, and stop does nothing.
func startOps(ctx context.Context, addr string, log *slog.Logger, store *db.Store, app *slackapp.App, ack *ops.AckLatency) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	srv, err := ops.New(ops.Config{Store: store, Runtime: app, Counts: store, AckLatency: ack, Version: version(), Log: log})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ops: HTTP_ADDR %s: %w", addr, err)
	}
	// The server outlives ctx: it keeps answering (/readyz with 503) while the runtime drains,
	// and stops when told to, before the database closes.
	srvCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(srvCtx, ln); err != nil {
			log.Error("operations endpoints stopped", "error", err)
		}
	}()
	return func() {
		cancel()
		<-done
	}, nil
}

// healthcheck asks the running bot's /healthz, for Docker's HEALTHCHECK in an image without curl.
// It needs only HTTP_ADDR; with the endpoints off there is nothing to ask, and it succeeds.
func healthcheck(ctx context.Context, stdout io.Writer) error {
	addr, err := config.LoadHTTPAddr()
	if err != nil {
		return err
	}
	if addr == "" {
		fmt.Fprintln(stdout, "healthcheck: HTTP_ADDR is empty, so the endpoints are off; nothing to check")
		return nil
	}
	url, err := healthURL(addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	// No proxy from the environment: this is a loopback call.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}
	fmt.Fprintln(stdout, "healthcheck: ok")
	return nil
}

// healthURL is the /healthz address for a server listening on addr: on loopback when it listens
// on every interface, on its own host otherwise.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("healthcheck: HTTP_ADDR %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
