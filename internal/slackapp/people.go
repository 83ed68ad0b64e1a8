package slackapp

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
)

// Limits of the Web API reads of people and channels.
const (
	// membersPageSize is conversations.members' page size: Slack's largest (limit is at most
	// 1,000), so a channel of 1,200 takes two calls of its Tier 4 budget.
	// https://docs.slack.dev/reference/methods/conversations.members
	membersPageSize = 1000
	// MaxMemberPages bounds a channel's member list (a million people): a cursor that never ends
	// must not keep a job forever.
	MaxMemberPages = 1000
	// usersPageSize is users.list's page size, the one Slack recommends.
	// https://docs.slack.dev/reference/methods/users.list
	usersPageSize = 200
	// SlackbotID is Slackbot, a member of every channel whose users.info does not say is_bot.
	SlackbotID = "USLACKBOT"
)

// ChannelInfo is what opting a channel in needs to know about it.
type ChannelInfo struct {
	ID, Name string
	Creator  string // the user who created it; "" when Slack does not say
	IsMember bool   // the bot is a member
	// The kind of conversation: opt-in works in public and private channels, not DMs.
	IsPrivate, IsArchived, IsIM, IsMpIM bool
}

// ChannelInfo looks a conversation up with conversations.info: its name, creator, whether the bot
// is a member (is_member) and what kind it is. A private channel the bot is not in, like an
// unknown one, gives an *APIError with Code "channel_not_found".
// https://docs.slack.dev/reference/methods/conversations.info
func (a *App) ChannelInfo(ctx context.Context, channelID string) (ChannelInfo, error) {
	var ch *slack.Channel
	err := a.web.call(ctx, "conversations.info", callOpts{}, func(ctx context.Context) error {
		var err error
		ch, err = a.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channelID})
		return err
	})
	if err != nil {
		return ChannelInfo{}, err
	}
	if ch == nil {
		return ChannelInfo{}, fmt.Errorf("slackapp: conversations.info: %w (no channel in the reply)", ErrAmbiguous)
	}
	return ChannelInfo{
		ID: ch.ID, Name: ch.Name, Creator: ch.Creator, IsMember: ch.IsMember,
		IsPrivate: ch.IsPrivate, IsArchived: ch.IsArchived, IsIM: ch.IsIM, IsMpIM: ch.IsMpIM,
	}, nil
}

// Member is a person as opting a channel in sees them.
type Member struct {
	UserProfile
	// External is someone from another organisation, in a channel shared with Slack Connect:
	// users.info marks them is_stranger, or names another team.
	External bool
	// InChannel is whether they are a member of the channel in question.
	InChannel bool
}

// MemberInfo looks a person up with users.info, as UserInfo does, keeping also whether they come
// from outside the workspace teamID.
// https://docs.slack.dev/reference/methods/users.info
// https://docs.slack.dev/reference/objects/user-object (is_admin, is_owner, is_restricted,
// is_ultra_restricted, is_stranger, team_id)
func (a *App) MemberInfo(ctx context.Context, userID, teamID string) (Member, error) {
	u, err := a.userInfo(ctx, userID)
	if err != nil {
		return Member{}, err
	}
	return memberOf(u, teamID), nil
}

// memberOf is a users.list or users.info user, External when they come from outside teamID.
func memberOf(u *slack.User, teamID string) Member {
	return Member{
		UserProfile: profileOf(u),
		External:    u.IsStranger || (teamID != "" && u.TeamID != "" && u.TeamID != teamID),
	}
}

// memberFromUser is a users.list or users.info user as opting in sees them: Slackbot counts as a
// bot.
// https://docs.slack.dev/reference/objects/user-object
func memberFromUser(u *slack.User, teamID string) Member {
	m := memberOf(u, teamID)
	m.IsBot = m.IsBot || u.ID == SlackbotID
	return m
}

// MembersPage reads one page of a channel's members (people, bots and this app alike).
// https://docs.slack.dev/reference/methods/conversations.members
// https://docs.slack.dev/apis/web-api/pagination
func (a *App) MembersPage(ctx context.Context, channelID, cursor string) (page []string, next string, err error) {
	err = a.web.call(ctx, "conversations.members", callOpts{}, func(ctx context.Context) error {
		var err error
		page, next, err = a.api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{
			ChannelID: channelID, Cursor: cursor, Limit: membersPageSize,
		})
		return err
	})
	return page, next, err
}

// IsChannelMember reports whether userID is in channelID, reading its members until found.
func (a *App) IsChannelMember(ctx context.Context, channelID, userID string) (bool, error) {
	cursor := ""
	for range MaxMemberPages {
		page, next, err := a.MembersPage(ctx, channelID, cursor)
		if err != nil {
			return false, err
		}
		for _, id := range page {
			if id == userID {
				return true, nil
			}
		}
		if next == "" {
			return false, nil
		}
		cursor = next
	}
	return false, fmt.Errorf("slackapp: conversations.members: more than %d pages", MaxMemberPages)
}

// UsersPage reads one page of the workspace's people with users.list, as Members of teamID's
// workspace (InChannel unset). A stale cursor gives an *APIError with Code "invalid_cursor".
// https://docs.slack.dev/reference/methods/users.list
func (a *App) UsersPage(ctx context.Context, cursor, teamID string) (members []Member, next string, err error) {
	err = a.web.call(ctx, "users.list", callOpts{}, func(ctx context.Context) error {
		p, err := a.api.GetUsersPaginated(slack.GetUsersOptionCursor(cursor), slack.GetUsersOptionLimit(usersPageSize),
			slack.GetUsersOptionIncludeLocale(false)).Next(ctx)
		if err != nil {
			return err
		}
		members = make([]Member, len(p.Users))
		for i := range p.Users {
			members[i] = memberFromUser(&p.Users[i], teamID)
		}
		next = p.Cursor
		return nil
	})
	return members, next, err
}
