package db

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"testing"
)

// Kinds is the one list of what can be queued: every Kind constant declared in kinds.go is in it
// exactly once, so a kind added without a place in the list (and so without a renderer check)
// fails here.
func TestKindsListsEveryKind(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "kinds.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []Kind
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			vs := sp.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Kind" {
				continue
			}
			for _, v := range vs.Values {
				lit := v.(*ast.BasicLit)
				declared = append(declared, Kind(lit.Value[1:len(lit.Value)-1]))
			}
		}
	}
	if len(declared) < 10 {
		t.Fatalf("found %d Kind constants in kinds.go (%v): the parse missed them", len(declared), declared)
	}
	listed := Kinds()
	for _, k := range declared {
		if n := len(slices.DeleteFunc(slices.Clone(listed), func(l Kind) bool { return l != k })); n != 1 {
			t.Errorf("kind %q is in Kinds() %d times, want once", k, n)
		}
	}
	if len(listed) != len(declared) {
		t.Errorf("Kinds() has %d kinds, kinds.go declares %d", len(listed), len(declared))
	}
	for _, k := range replyKinds() {
		if !slices.Contains(listed, k) {
			t.Errorf("reply kind %q is not in Kinds()", k)
		}
	}
}
