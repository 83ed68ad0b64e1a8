package prompts

import (
	"strings"
	"testing"
)

// BenchmarkReadText reads a typical written answer and a long one (the 3,000 characters a DM
// answer is cut to) with the built-in lexicon.
func BenchmarkReadText(b *testing.B) {
	c, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	p, _ := c.Prompt("adaptability-next-experiment")
	typical := "I didn't get to the roadmap; instead I coached Ana on her first talk, then fixed the budget and the sprint plan."
	long := strings.Repeat("We took the coach to the planet, no budget or plan, but a long-term vision and some coaching. ", 32)[:3000]
	for _, bc := range []struct{ name, text string }{{"typical", typical}, {"3000-chars", long}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = c.ReadText(p, bc.text)
			}
		})
	}
}
