package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/config"
	"github.com/reflect-bot/reflect/internal/prompts"
)

// storeKinds reads every outbox kind the store declares: the values of its Kind… constants.
func storeKinds(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "db", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	fs := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fs, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if !strings.HasPrefix(n.Name, "Kind") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						kinds = append(kinds, v)
					}
				}
			}
		}
	}
	if len(kinds) == 0 {
		t.Fatal("found no Kind constants in internal/db")
	}
	return kinds
}

// TestEveryQueuedKindHasARenderer: QueuedKinds names every kind the store declares, and the
// wired app has a renderer or upload renderer for each, so Run's start-up check passes.
func TestEveryQueuedKindHasARenderer(t *testing.T) {
	for _, k := range storeKinds(t) {
		if !slices.Contains(QueuedKinds, k) {
			t.Errorf("the store declares outbox kind %q, missing from QueuedKinds", k)
		}
	}
	cat, err := prompts.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{BotToken: "xoxb-test", AppToken: "xapp-test", SlashCommand: "/reflect", PromptSchedule: "0 9 * * MON"}
	bot, err := New(cfg, nil, newStore(t), cat, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if missing := bot.Slack.MissingRenderers(); len(missing) != 0 {
		t.Errorf("got outbox kinds with no renderer %v, want none", missing)
	}
}
