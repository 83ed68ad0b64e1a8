package report

import (
	"time"

	"github.com/reflect-bot/reflect/internal/prompts"
)

var march2026 = Month{2026, time.March}

// day returns noon UTC on the given date.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

// chosen is an answer by one tap on an option that carries a lean (weight 1).
func chosen(dim prompts.Dimension, at time.Time, lean float64) Answer {
	return Answer{At: at, Dimension: dim, Reading: prompts.Reading{Lean: lean, Weight: 1}}
}

// typed is a free-text answer whose words leaned (weight prompts.TextWeight).
func typed(dim prompts.Dimension, at time.Time, lean float64) Answer {
	return Answer{At: at, Dimension: dim, Reading: prompts.Reading{Lean: lean, Weight: prompts.TextWeight}}
}

// checked is a one-tap wellbeing check.
func checked(at time.Time, wellbeing float64) Answer {
	return Answer{At: at, Dimension: prompts.Wellbeing, Reading: prompts.Reading{Wellbeing: &wellbeing}}
}

// delivered is a scheduled prompt, answered or not.
func delivered(at time.Time, answered bool) Delivery {
	return Delivery{Occurrence: at, Answered: answered}
}

// weekly returns one lean answer and one wellbeing check on the Monday of each of n weeks from
// start, with the given lean and wellbeing per week.
func weekly(start time.Time, leans, wells []float64) []Answer {
	var out []Answer
	for i := range leans {
		at := start.AddDate(0, 0, 7*i)
		out = append(out, chosen(prompts.Direction, at, leans[i]), checked(at, wells[i]))
	}
	return out
}
