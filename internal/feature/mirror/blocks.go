package mirror

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/reflect-bot/reflect/internal/prompts"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// Why /reflect mirror was refused.
const (
	refusedInDM = iota
	refusedNotOptedIn
	refusedNotLead
)

// refusalMessage tells someone, privately, why the mirror was not switched: in a DM there is no
// channel, a channel not opted in has no team, and only the lead it asks about may switch it.
func refusalMessage(command string, why int, lead string) slackapp.Message {
	var text string
	switch why {
	case refusedInDM:
		text = fmt.Sprintf("`%s mirror` only works in a channel: run it in your team's opted-in channel. Nothing changed.", command)
	case refusedNotOptedIn:
		text = fmt.Sprintf("This channel isn't opted in to Reflect, so it has no team to ask. Its lead can opt it in first with `%s optin`. Nothing changed.", command)
	default:
		if lead == "" {
			text = "This channel has no lead now, so nobody can turn its team mirror on or off. Nothing changed."
		} else {
			text = fmt.Sprintf("Only the channel's lead, <@%s>, can turn its team mirror on or off: it asks the team about them. Nothing changed.", lead)
		}
	}
	return slackapp.TextMessage("mirror_refused", text)
}

// switchedMessage confirms /reflect mirror on|off to the lead.
func switchedMessage(command, channelID string, on, changed bool, threshold int) slackapp.Message {
	if !on {
		text := fmt.Sprintf("The team mirror is off for <#%s>: nobody will be asked about you. Months already answered still show in your summaries.", channelID)
		if !changed {
			text = fmt.Sprintf("The team mirror was already off for <#%s>. `%s mirror on` turns it on.", channelID, command)
		}
		return slackapp.TextMessage("mirror_off", text)
	}
	text := fmt.Sprintf("The team mirror is on for <#%s>. In the last week of each month I'll DM its members (not you) two or three "+
		"one-tap questions about what you did that month, with \"not sure\" always there; anyone can skip or stop. "+
		"Your monthly summary then shows your team's view beside your own once at least %d of them answered: never anyone's "+
		"answer, never a name. `%s mirror off` turns it off.", channelID, threshold, command)
	if !changed {
		text = fmt.Sprintf("The team mirror was already on for <#%s>. `%s mirror off` turns it off.", channelID, command)
	}
	return slackapp.TextMessage("mirror_on", text)
}

// answerValue is the value of an answer button: the question, the option (none for "not sure")
// and which channel's month it belongs to.
func answerValue(a ask, item string, option int) slackapp.ActionValue {
	v := slackapp.ActionValue{PromptID: item, Arg: a.ChannelID + ":" + a.Period.String()}
	if option >= 0 {
		v.HasOption, v.Option = true, option
	}
	return v
}

// AskMessage is a month's mirror as one member sees it: who and what it asks about, how their
// answers are kept, and each question with its one-tap answers and "not sure" (or that it was
// answered), then Skip and Stop. The same message, rendered again, shows their progress.
func AskMessage(command string, a ask) slackapp.Message {
	target := slackapp.ActionValue{Arg: a.ChannelID + ":" + a.Period.String()}
	month := a.Period.Title()
	if a.Stopped {
		text := "You've stopped the team mirror, so I won't ask you about your lead. Answers you gave before stay counted, without your name."
		return slackapp.Message{Text: text, Blocks: []slackapp.Block{
			slackapp.Section("mirror_stopped", text),
			slackapp.NewActionBlock("mirror_actions", slackapp.Button(actionResume, "Ask me again", target)),
		}}
	}
	if a.State.Skipped {
		text := fmt.Sprintf("Skipped: no questions about <#%s> for %s. I'll ask again next month.", a.ChannelID, month)
		return slackapp.Message{Text: text, Blocks: []slackapp.Block{
			slackapp.Section("mirror_skipped", text),
			slackapp.NewActionBlock("mirror_actions", slackapp.Button(actionStop, "Stop asking me", target)),
		}}
	}
	head := fmt.Sprintf("How did <@%s> lead <#%s> in %s?", a.Lead, a.ChannelID, month)
	intro := fmt.Sprintf("A few taps about what your lead did this month. Your answers are counted without your name: "+
		"I keep only how many people chose each answer, and <@%s> sees the team's overall lean only once at least %d of you "+
		"answered, never anyone's answer and never a name.", a.Lead, a.Threshold)
	blocks := []slackapp.Block{slackapp.Section("mirror_head", "*"+head+"*\n"+intro)}
	open := 0
	for i, q := range a.Questions {
		text := slackapp.EscapeMrkdwn(q.Prompt.Text)
		id := fmt.Sprintf("mirror_q%d", i+1)
		switch {
		case a.State.Answered[q.Prompt.ID]:
			blocks = append(blocks, slackapp.Section(id, fmt.Sprintf("%d. %s\n:white_check_mark: Answered, thank you.", i+1, text)))
		case a.Closed:
			blocks = append(blocks, slackapp.Section(id, fmt.Sprintf("%d. %s\nClosed with the month.", i+1, text)))
		default:
			open++
			var buttons []slackapp.BlockElement
			for _, o := range q.Order() {
				buttons = append(buttons, slackapp.Button(fmt.Sprintf("%s:%d:%d", actionAnswer, i+1, o), q.Prompt.Options[o].Label,
					answerValue(a, q.Prompt.ID, o)))
			}
			buttons = append(buttons, slackapp.Button(fmt.Sprintf("%s:%d:x", actionAnswer, i+1), prompts.NotSure, answerValue(a, q.Prompt.ID, -1)))
			blocks = append(blocks, slackapp.Section(id, fmt.Sprintf("*%d. %s*", i+1, text)),
				slackapp.NewActionBlock(id+"_answers", buttons...))
		}
	}
	switch {
	case a.Closed:
		blocks = append(blocks, slackapp.ContextNote("mirror_foot", fmt.Sprintf("%s's questions closed when the month ended.", month)))
	case open == 0:
		blocks = append(blocks, slackapp.ContextNote("mirror_foot", fmt.Sprintf("All done for %s, thank you.", month)))
	default:
		blocks = append(blocks,
			slackapp.NewActionBlock("mirror_actions",
				slackapp.Button(actionSkip, "Skip this month", target),
				slackapp.Button(actionStop, "Stop asking me", target).WithStyle(slackapp.StyleDanger)),
			slackapp.ContextNote("mirror_foot", fmt.Sprintf("Open until %s ends. `%s help` shows everything.", month, command)))
	}
	return slackapp.Message{Text: head + " A few one-tap questions, counted without your name.", Blocks: blocks}
}

// sideBySide is the lead's own lean beside each channel's view: one line, or a line per channel.
func sideBySide(own string, views []ChannelView) string {
	if len(views) == 1 {
		return report.MirrorLine(own, views[0].View, "")
	}
	lines := make([]string, len(views))
	for i, v := range views {
		lines[i] = report.MirrorLine(own, v.View, fmt.Sprintf("<#%s>", v.ChannelID))
	}
	return strings.Join(lines, "\n")
}

// SummaryBlocks is the side-by-side part of a lead's monthly summary.
func SummaryBlocks(own string, views []ChannelView, threshold int) []slackapp.Block {
	return []slackapp.Block{
		slackapp.Section("mirror_view", "*Your team's view*\n"+sideBySide(own, views)),
		slackapp.ContextNote("mirror_view_note", fmt.Sprintf("From the team mirror: members answer a few questions a month about what you did, "+
			"read on the same scale as your own answers. It shows only once at least %d answered, never anyone's answer or name; "+
			"\"not sure\" counts toward nothing.", threshold)),
	}
}

// HomeBlocks is the mirror's part of the App Home: for each channel the person leads, whether its
// mirror is on with a switch, and last month's side-by-side line (line, "" when none is shown);
// for someone who stopped the mirror, a way to start it again.
func HomeBlocks(led []string, on map[string]bool, line string, stopped bool, threshold int) []slackapp.Block {
	var blocks []slackapp.Block
	if len(led) > 0 {
		blocks = append(blocks, slackapp.Section("mirror_home", fmt.Sprintf("*Team mirror*\nWhen it's on, the members of your channel "+
			"answer a few questions each month about what you did, and your summary shows their view beside yours once at least %d answered.", threshold)))
		if line != "" {
			blocks = append(blocks, slackapp.Section("mirror_home_view", line))
		}
		for i, ch := range led {
			state, label, arg := "off", "Turn the mirror on", "on:"+ch
			if on[ch] {
				state, label, arg = "on", "Turn the mirror off", "off:"+ch
			}
			blocks = append(blocks,
				slackapp.Section(fmt.Sprintf("mirror_home_%d", i+1), fmt.Sprintf("<#%s>: the mirror is *%s*", ch, state)),
				slackapp.NewActionBlock(fmt.Sprintf("mirror_home_%d_switch", i+1),
					slackapp.Button(fmt.Sprintf("%s:%d", actionToggle, i+1), label, slackapp.ActionValue{Arg: arg})))
		}
	}
	if stopped {
		blocks = append(blocks,
			slackapp.Section("mirror_home_stopped", "You've stopped the team mirror: I don't ask you about your lead."),
			slackapp.NewActionBlock("mirror_home_resume", slackapp.Button(actionResume+":home", "Ask me again", slackapp.ActionValue{})))
	}
	return blocks
}
