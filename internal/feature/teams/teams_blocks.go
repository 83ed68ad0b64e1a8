package teams

import (
	"fmt"
	"strings"

	"github.com/reflect-bot/reflect/internal/db"
	"github.com/reflect-bot/reflect/internal/report"
	"github.com/reflect-bot/reflect/internal/slackapp"
)

// Mentions of people and channels are written <@U…> and <#C…>: Slack shows each reader the name
// (or "private channel" to someone who cannot see it). Ids come from Slack, never from typed text.
// https://docs.slack.dev/messaging/formatting-message-text#mentioning-users
// https://docs.slack.dev/messaging/formatting-message-text#linking-channels

// TeamWelcomeMessage is the DM a member gets when a channel opt-in enrols them: who opted them in
// (lead; "" when the channel has no lead now) and through which channel, what Reflect does, what
// the lead can see, and a one-tap Stop. Stop carries no value: it acts for whoever clicks it.
func TeamWelcomeMessage(command, channelID, lead string, minRespondents int) slackapp.Message {
	head := fmt.Sprintf("<@%s> opted <#%s> in to Reflect, so you're enrolled.", lead, channelID)
	who := fmt.Sprintf("<@%s>", lead)
	if lead == "" {
		head = fmt.Sprintf("<#%s> was opted in to Reflect, so you're enrolled.", channelID)
		who = "The channel's lead"
	}
	body := "Each week I'll DM you one short reflection prompt, and once a month a summary of your own answers: " +
		"does your week lean toward leadership or management, and how sustainable is your work? " +
		fmt.Sprintf("Your answers are yours alone. %s sees only anonymous team totals, and only once at least %d people have answered in a month.",
			who, minRespondents)
	tips := fmt.Sprintf("`%s schedule` picks your day and time, `%s pause` takes a break, `%s help` shows everything.",
		command, command, command)
	return slackapp.Message{
		Text: head + " Each week I'll DM you one short reflection prompt; tap Stop if you'd rather not.",
		Blocks: []slackapp.Block{
			slackapp.Section("team_welcome", "*"+head+"*\n"+body),
			slackapp.NewActionBlock("team_welcome_actions",
				slackapp.Button(actionTeamStop, "Stop", slackapp.ActionValue{}).WithStyle(slackapp.StyleDanger)),
			slackapp.ContextNote("team_welcome_tips", tips),
		},
	}
}

// TeamSummaryMessage is a channel's anonymous team summary, for its lead alone. Its first
// line is the summary's FirstLine: the channel, the month and the team's lean, or a note on how
// many people need to answer first.
func TeamSummaryMessage(s report.TeamSummary) slackapp.Message {
	full := s.Text()
	body := strings.TrimSpace(strings.TrimPrefix(full, s.FirstLine))
	body = strings.TrimSpace(strings.TrimSuffix(body, s.Caveat))
	blocks := []slackapp.Block{slackapp.Section("team_first", "*"+slackapp.EscapeMrkdwn(s.FirstLine)+"*")}
	for i, para := range strings.Split(body, "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		blocks = append(blocks, slackapp.Section(fmt.Sprintf("team_%d", i+1), slackapp.EscapeMrkdwn(para)))
	}
	blocks = append(blocks, slackapp.ContextNote("team_caveat", slackapp.EscapeMrkdwn(s.Caveat)))
	return slackapp.Message{Text: slackapp.EscapeMrkdwn(full), Blocks: blocks}
}

// teamChannelOnlyMessage answers a channel verb used in a DM.
func teamChannelOnlyMessage(command, verb string) slackapp.Message {
	return slackapp.TextMessage("team_channel_only", fmt.Sprintf(
		"`%s %s` only works in a channel: run it in the team's channel, where I'm a member.", command, verb))
}

// teamInviteMessage answers opt-in in a channel the bot is not in.
func teamInviteMessage(command string) slackapp.Message {
	return slackapp.TextMessage("team_invite", fmt.Sprintf(
		"I'm not a member of this channel, so I can't see who's in it or who joins later. "+
			"Invite me with `/invite @Reflect`, then run `%s optin` again.", command))
}

// teamRefusalMessage answers someone the opt-in policy does not allow, saying why.
func teamRefusalMessage(why string) slackapp.Message {
	return slackapp.TextMessage("team_refused", "I can't opt this channel in for you. "+why+" Nothing was changed.")
}

// teamAlreadyMessage answers opt-in of a channel that has a lead already.
func teamAlreadyMessage(command, lead string, self bool) slackapp.Message {
	if self {
		return slackapp.TextMessage("team_already", fmt.Sprintf(
			"You opted this channel in already: people who join are enrolled as they come. `%s team` shows the last month that is over.", command))
	}
	return slackapp.TextMessage("team_already", fmt.Sprintf(
		"<@%s> opted this channel in already, so nothing changed. Only they see its team summary.", lead))
}

// teamTakenOverMessage answers opt-in of an opted-in channel whose lead left.
func teamTakenOverMessage(command string, minRespondents int) slackapp.Message {
	return slackapp.TextMessage("team_taken_over", fmt.Sprintf(
		"This channel was opted in already, but its lead has left: you're its lead now. Its members stay as they are. "+
			"You'll get its anonymous team summary on the 1st of each month (when at least %d people answered); `%s team` shows the last month that is over.",
		minRespondents, command))
}

// teamOptInStartedMessage confirms an opt-in as its job starts: the members are enrolled in the
// background, and the lead gets a DM with what was done.
func teamOptInStartedMessage(command, channelID string, minRespondents int) slackapp.Message {
	return slackapp.TextMessage("team_optin_started", fmt.Sprintf(
		"Done: <#%s> is opted in to Reflect, with you as its lead. I'm enrolling its members now, as fast as Slack allows; "+
			"each gets a welcome DM with a one-tap Stop. When everyone has been handled I'll DM you how many were enrolled, "+
			"and who was left out and why.\nPeople who join later are enrolled too, and people who leave are unenrolled. "+
			"On the 1st of each month I'll DM you the team's anonymous summary, shown only when at least %d people answered; "+
			"`%s team` here shows the last month that is over.", channelID, minRespondents, command))
}

// teamOptInDoneMessage is the DM telling a lead what opting their channel in did.
func teamOptInDoneMessage(command string, r db.OptInReport) slackapp.Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Opting <#%s> in to Reflect is done.", r.ChannelID)
	enrolled := r.Welcomed + r.Enrolled
	fmt.Fprintf(&b, "\n• Enrolled %d %s", enrolled, peopleWord(enrolled))
	if enrolled > 0 {
		fmt.Fprintf(&b, "; %d got a welcome DM with a one-tap Stop", r.Welcomed)
		if r.Enrolled > 0 {
			fmt.Fprintf(&b, " (%d already getting prompts another way got no second welcome)", r.Enrolled)
		}
	}
	b.WriteString(".")
	if r.Already > 0 {
		fmt.Fprintf(&b, "\n• %d %s already enrolled through this channel.", r.Already, peopleWord(r.Already))
	}
	// Counted as the team summary counts its members: everyone enrolled through the channel but
	// the lead, so the two numbers agree.
	members := enrolled + r.Already
	fmt.Fprintf(&b, "\n• The team has %d enrolled %s: everyone enrolled through this channel but you, "+
		"its lead, who is never counted in the team's figures.", members, countWord(members, "member", "members"))
	var left []string
	if r.Stopped > 0 {
		left = append(left, fmt.Sprintf("%d %s who had said stop (only their own `%s start` signs them up again)",
			r.Stopped, peopleWord(r.Stopped), command))
	}
	if r.Bots > 0 {
		left = append(left, fmt.Sprintf("%d %s", r.Bots, countWord(r.Bots, "bot", "bots")))
	}
	if r.Deleted > 0 {
		left = append(left, fmt.Sprintf("%d deactivated %s", r.Deleted, countWord(r.Deleted, "account", "accounts")))
	}
	if r.External > 0 {
		left = append(left, fmt.Sprintf("%d %s from outside this workspace", r.External, peopleWord(r.External)))
	}
	if len(left) > 0 {
		fmt.Fprintf(&b, "\n• Left out: %s.", strings.Join(left, ", "))
	}
	if r.Lead {
		fmt.Fprintf(&b, "\nYou're enrolled as a member too: `%s stop` ends your own prompts.", command)
	}
	return slackapp.TextMessage("team_optin_done", b.String())
}

// teamRemovedMessage tells a lead their channel was opted out because Reflect was removed from
// it, or it was deleted.
func teamRemovedMessage(command, channelID string, deleted bool, unenrolled, stopped int) slackapp.Message {
	why := fmt.Sprintf("I was removed from <#%s>, so I can no longer see who joins or leaves it", channelID)
	if deleted {
		why = fmt.Sprintf("<#%s> was deleted", channelID)
	}
	return slackapp.TextMessage("team_removed", fmt.Sprintf(
		"%s: it is opted out of Reflect. %d %s no longer get prompts through it; %d of them had no other reason to, so their prompts stopped. "+
			"Everyone keeps their answers. To opt it in again, invite me back with `/invite @Reflect` and run `%s optin` there.",
		why, unenrolled, peopleWord(unenrolled), stopped, command))
}

func peopleWord(n int) string { return countWord(n, "person", "people") }

func countWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// teamNotOptedInMessage answers optout or team in a channel that is not opted in.
func teamNotOptedInMessage(command string) slackapp.Message {
	return slackapp.TextMessage("team_not_opted_in", fmt.Sprintf(
		"This channel isn't opted in to Reflect, so nothing changed. `%s optin` opts it in.", command))
}

// teamOptOutRefusalMessage answers someone who may not opt the channel out.
func teamOptOutRefusalMessage(lead, why string) slackapp.Message {
	text := "I can't opt this channel out for you: only the lead who opted it in"
	if lead != "" {
		text = fmt.Sprintf("I can't opt this channel out for you: only <@%s>, who opted it in,", lead)
	}
	text += " or someone allowed to opt channels in can."
	if why != "" {
		text += " " + why
	}
	return slackapp.TextMessage("team_optout_refused", text+" Nothing was changed.")
}

// teamOptedOutMessage confirms an opt-out.
func teamOptedOutMessage(command string, unenrolled, stopped int) slackapp.Message {
	return slackapp.TextMessage("team_opted_out", fmt.Sprintf(
		"Done: this channel is opted out. %d %s no longer get prompts through it; %d of them had no other reason to, so their prompts stopped. "+
			"Everyone keeps their answers, and anyone can carry on with `%s start`.",
		unenrolled, peopleWord(unenrolled), stopped, command))
}

// teamNotLeadMessage refuses the team summary to anyone but the channel's lead.
func teamNotLeadMessage(command string, noLead bool) slackapp.Message {
	text := "Only the lead who opted this channel in can see its team summary."
	if noLead {
		text += fmt.Sprintf(" Its lead has left: someone allowed to opt channels in can run `%s optin` here to take over.", command)
	}
	return slackapp.TextMessage("team_not_lead", text)
}

// teamStoppedMessage replaces the welcome after Stop.
func teamStoppedMessage(command string, was bool) slackapp.Message {
	if !was {
		return slackapp.TextMessage("team_stopped", fmt.Sprintf(
			"You weren't getting weekly prompts, so nothing changed. `%s start` signs you up.", command))
	}
	return slackapp.TextMessage("team_stopped", fmt.Sprintf(
		"Done: no more weekly prompts. Your answers are kept (`%s forget` deletes them); `%s start` brings the prompts back.",
		command, command))
}
