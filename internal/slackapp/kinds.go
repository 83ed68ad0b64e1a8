package slackapp

import (
	"fmt"
	"slices"

	"github.com/reflect-bot/reflect/internal/db"
)

// ExpectKinds declares the outbox kinds that can be queued (db.Kinds()). Run
// refuses to start while any of them has neither a renderer nor an upload renderer, so a kind
// added without one fails at start-up, not when its first item is posted.
func (a *App) ExpectKinds(kinds ...db.Kind) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.kinds = append(a.kinds, kinds...)
}

// MissingRenderers lists, sorted, the expected kinds (ExpectKinds) that have no renderer or
// upload renderer.
func (a *App) MissingRenderers() []db.Kind {
	a.mu.RLock()
	defer a.mu.RUnlock()
	var missing []db.Kind
	for _, k := range a.kinds {
		if a.renderers[k] == nil && a.uploads[k] == nil && !slices.Contains(missing, k) {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	return missing
}

// checkRenderers is Run's start-up check of the expected kinds.
func (a *App) checkRenderers() error {
	if missing := a.MissingRenderers(); len(missing) > 0 {
		return fmt.Errorf("slackapp: run: no renderer for the outbox kinds %v: register one for each kind the store can queue", missing)
	}
	return nil
}
