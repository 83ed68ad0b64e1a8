package prompts

import (
	"fmt"
	"testing"
)

// BenchmarkNextPrompt measures the due loop's per-person cost of choosing a prompt: the person's
// plan is rebuilt from the catalogue each time (it is a pure function, nothing is cached).
func BenchmarkNextPrompt(b *testing.B) {
	c, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	var asked []string
	for range 30 {
		p, _ := c.NextPrompt("U1", asked)
		asked = append(asked, p.ID)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok := c.NextPrompt(fmt.Sprintf("U%d", i%1000), asked); !ok {
			b.Fatal("no prompt")
		}
	}
}

// BenchmarkOptionOrder measures rendering's cost of the option order of one prompt.
func BenchmarkOptionOrder(b *testing.B) {
	c, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	p, _ := c.Prompt("direction-big-picture")
	b.ReportAllocs()
	for b.Loop() {
		_ = c.OptionOrder("U1", p)
	}
}
