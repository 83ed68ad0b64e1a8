package slackapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/reflect-bot/reflect/internal/db"
)

// Upload is a file to share in a person's DM, such as a summary's chart.
type Upload struct {
	Filename string // shown to the person; the relay makes it unique per outbox item
	Title    string
	AltText  string
	Data     []byte
}

// ErrNothingToSend from an UploadRenderer means the item has no file to share (a month without
// answers has no chart): it is closed without a post.
var ErrNothingToSend = errors.New("slackapp: nothing to send")

// UploadRenderer turns an outbox item of one kind into a file to upload instead of a message.
type UploadRenderer func(ctx context.Context, item db.OutboxItem) (Upload, error)

// RegisterUpload makes the relay upload items of kind as files rendered by r.
func (a *App) RegisterUpload(kind db.Kind, r UploadRenderer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.uploads[kind] = r
}

func (a *App) uploadRenderer(kind db.Kind) UploadRenderer {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.uploads[kind]
}

// deliverUpload shares a file in a DM exactly once, with Slack's external upload flow:
// files.getUploadURLExternal, a POST of the bytes, files.completeUploadExternal with the channel.
// Only the last step shares the file. Before it, the file id Slack gave is recorded on the item
// (under its claim); if the outcome is unknown, the retry looks for a message carrying that file
// before uploading again, so the file keeps the plain name the person should see.
// https://docs.slack.dev/messaging/working-with-files#upload
func (a *App) deliverUpload(ctx context.Context, it db.OutboxItem, r UploadRenderer) {
	rctx, cancel := renderContext(ctx)
	up, err := r(rctx, it)
	cancel()
	if errors.Is(err, ErrNothingToSend) {
		cctx, cancel := afterCtx(ctx)
		defer cancel()
		if err := a.outbox.FailOutbox(cctx, it.ID, it.Token, "nothing to send"); err != nil {
			a.log.Error("outbox close failed", "outbox_id", it.ID, "error", err)
		}
		return
	}
	if err != nil {
		a.failItem(ctx, it, "render "+string(it.Kind)+" failed")
		return
	}
	channel := it.ChannelID
	if channel == "" {
		if it.UserID == "" {
			a.failItem(ctx, it, "no channel and no person")
			return
		}
		// files.completeUploadExternal needs a channel id, not a user id.
		if channel, err = a.openDM(ctx, it.UserID, a.itemOpts(it)); err != nil {
			a.settleError(ctx, it, err)
			return
		}
	}
	name := up.Filename
	if it.Attempts > 1 && it.FileID != "" && a.alreadyPosted(ctx, it, channel, func(m slack.Message) bool {
		for _, f := range m.Files {
			if f.ID == it.FileID {
				return true
			}
		}
		return false
	}) {
		return
	}
	var upload *slack.GetUploadURLExternalResponse
	err = a.web.call(ctx, "files.getUploadURLExternal", a.itemOpts(it), func(ctx context.Context) error {
		upload, err = a.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{
			FileName: name, FileSize: len(up.Data), AltTxt: up.AltText,
		})
		return err
	})
	if err != nil {
		a.settleError(ctx, it, err)
		return
	}
	err = a.web.call(ctx, "upload", a.itemOpts(it), func(ctx context.Context) error {
		return a.api.UploadToURL(ctx, slack.UploadToURLParameters{UploadURL: upload.UploadURL, Reader: bytes.NewReader(up.Data), Filename: name})
	})
	if err != nil {
		// The bytes alone share nothing: an unsent or failed upload is simply tried again.
		if errors.Is(err, ErrAmbiguous) {
			err = fmt.Errorf("%w: upload", ErrUnsent)
		}
		a.settleError(ctx, it, err)
		return
	}
	// Recorded before sharing: a completion whose answer is lost leaves this id to look for.
	cctx, cancel := afterCtx(ctx)
	held, err := a.outbox.SetOutboxFile(cctx, it.ID, it.Token, upload.FileID)
	cancel()
	if err != nil || !held {
		// Not recorded, or the item is no longer ours: share nothing; a later claim uploads again.
		a.log.Warn("upload file id not recorded; the share is left to a later claim", "outbox_id", it.ID, "error", err)
		return
	}
	err = a.web.call(ctx, "files.completeUploadExternal", a.postOpts(it), func(ctx context.Context) error {
		_, err := a.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
			Files: []slack.FileSummary{{ID: upload.FileID, Title: up.Title}}, Channel: channel,
		})
		return err
	})
	if err != nil {
		a.settleError(ctx, it, err)
		return
	}
	// The share has no ts in its answer; the file id stands in, which nothing updates later.
	a.completeItem(ctx, it, channel, upload.FileID)
	a.stats.outboxSent.Add(1)
}

// findInHistory looks through a channel's messages since it was created (less some clock skew)
// for one that match accepts, and returns its ts.
func (a *App) findInHistory(ctx context.Context, channel string, it db.OutboxItem, match func(slack.Message) bool) (string, bool, error) {
	created := it.CreatedAt
	params := &slack.GetConversationHistoryParameters{
		ChannelID:          channel,
		Oldest:             slackTS(created.Add(-historySkew)),
		Limit:              historyPageSize,
		IncludeAllMetadata: true,
	}
	for range historyPages {
		var resp *slack.GetConversationHistoryResponse
		err := a.web.call(ctx, "conversations.history", a.itemOpts(it), func(ctx context.Context) error {
			var err error
			resp, err = a.api.GetConversationHistoryContext(ctx, params)
			return err
		})
		if err != nil {
			return "", false, err
		}
		for _, m := range resp.Messages {
			if match(m) {
				return m.Timestamp, true, nil
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	return "", false, nil
}
