package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	cip "github.com/ninsho/ninsho/internal/awsapi/cognitoidp"
	"github.com/ninsho/ninsho/internal/store"
)

// Groups and memberships are objects (see doc.go):
//
//	userpool.group         <poolId>/<group>                 groupRecord
//	userpool.group-count   <poolId>/                        groupCount
//	userpool.group-member  <poolId>/<group>/<userKey>       memberRecord
//	userpool.user-group    <poolId>/<userKey>/<group>       memberRecord
//
// Each segment is path-escaped, so a "/" in a group or user name cannot make
// one prefix list another's objects. A membership is written both ways in
// one transaction, so ListUsersInGroup and AdminListGroupsForUser are both
// prefix listings.
const (
	kindGroup       = "userpool.group"
	kindGroupCount  = "userpool.group-count"
	kindGroupMember = "userpool.group-member"
	kindUserGroup   = "userpool.user-group"
)

// Cognito's quotas (COGNITO-NOTES §4.3).
const (
	maxGroupsPerPool = 10000
	maxGroupsPerUser = 100
)

type groupRecord struct {
	Name        string    `json:"name"`
	Description *string   `json:"description,omitempty"`
	RoleArn     *string   `json:"roleArn,omitempty"`
	Precedence  *int32    `json:"precedence,omitempty"`
	Created     time.Time `json:"created"`
	Modified    time.Time `json:"modified"`
}

type groupCount struct {
	N int `json:"n"`
}

type memberRecord struct {
	Group    string `json:"group"`
	Username string `json:"username"`
	UserKey  string `json:"userKey"`
}

func seg(s string) string { return url.PathEscape(s) }

func groupKey(poolID, group string) string { return poolID + "/" + seg(group) }

func groupMemberPrefix(poolID, group string) string { return poolID + "/" + seg(group) + "/" }

func userGroupPrefix(poolID, userKey string) string { return poolID + "/" + seg(userKey) + "/" }

func groupNotFound() error { return cip.NewResourceNotFoundException("Group not found.") }

func (g groupRecord) toType(poolID string) cip.GroupType {
	return cip.GroupType{
		GroupName:        awsapi.String(g.Name),
		UserPoolId:       awsapi.String(poolID),
		Description:      g.Description,
		RoleArn:          g.RoleArn,
		Precedence:       g.Precedence,
		CreationDate:     awsapi.Time(g.Created),
		LastModifiedDate: awsapi.Time(g.Modified),
	}
}

func getJSON[T any](ctx context.Context, tx store.ObjectTx, kind, key string) (T, error) {
	var v T
	o, err := tx.GetObject(ctx, kind, key)
	if err != nil {
		return v, err
	}
	return v, json.Unmarshal(o.Value, &v)
}

func putJSON(ctx context.Context, tx store.ObjectTx, kind, key string, v any, create bool) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	o := store.Object{Kind: kind, Key: key, Value: b}
	if create {
		return tx.CreateObject(ctx, o)
	}
	return tx.PutObject(ctx, o)
}

func (s *Service) loadGroup(ctx context.Context, poolID, name string) (groupRecord, error) {
	g, err := getJSON[groupRecord](ctx, s.Store, kindGroup, groupKey(poolID, name))
	if errors.Is(err, store.ErrNotFound) {
		return g, groupNotFound()
	}
	return g, err
}

// CreateGroup creates a group in a pool.
func (s *Service) CreateGroup(ctx context.Context, in *cip.CreateGroupInput) (*cip.CreateGroupOutput, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	now := s.now()
	g := groupRecord{Name: *in.GroupName, Description: in.Description, RoleArn: in.RoleArn, Precedence: in.Precedence, Created: now, Modified: now}
	err = s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		countKey := p.rec.ID + "/"
		c, err := getJSON[groupCount](ctx, tx, kindGroupCount, countKey)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if c.N >= maxGroupsPerPool {
			return cip.NewLimitExceededExceptionf("The user pool has reached its limit of %d groups.", maxGroupsPerPool)
		}
		if err := putJSON(ctx, tx, kindGroup, groupKey(p.rec.ID, g.Name), g, true); err != nil {
			if errors.Is(err, store.ErrExists) {
				return cip.NewGroupExistsExceptionf("A group with the name %s already exists.", g.Name)
			}
			return err
		}
		c.N++
		return putJSON(ctx, tx, kindGroupCount, countKey, c, false)
	})
	if err != nil {
		return nil, err
	}
	gt := g.toType(p.rec.ID)
	return &cip.CreateGroupOutput{Group: &gt}, nil
}

// GetGroup returns a group.
func (s *Service) GetGroup(ctx context.Context, in *cip.GetGroupInput) (*cip.GetGroupOutput, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	g, err := s.loadGroup(ctx, p.rec.ID, *in.GroupName)
	if err != nil {
		return nil, err
	}
	gt := g.toType(p.rec.ID)
	return &cip.GetGroupOutput{Group: &gt}, nil
}

// UpdateGroup changes the description, role or precedence a request gives;
// the others stay as they are.
func (s *Service) UpdateGroup(ctx context.Context, in *cip.UpdateGroupInput) (*cip.UpdateGroupOutput, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var g groupRecord
	_, err = s.Store.UpdateObject(ctx, kindGroup, groupKey(p.rec.ID, *in.GroupName), func(o store.Object) (store.Object, error) {
		g = groupRecord{}
		if err := json.Unmarshal(o.Value, &g); err != nil {
			return o, err
		}
		if in.Description != nil {
			g.Description = in.Description
		}
		if in.RoleArn != nil {
			g.RoleArn = in.RoleArn
		}
		if in.Precedence != nil {
			g.Precedence = in.Precedence
		}
		g.Modified = now
		b, err := json.Marshal(g)
		o.Value = b
		return o, err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, groupNotFound()
	}
	if err != nil {
		return nil, err
	}
	gt := g.toType(p.rec.ID)
	return &cip.UpdateGroupOutput{Group: &gt}, nil
}

// DeleteGroup deletes a group and its memberships.
func (s *Service) DeleteGroup(ctx context.Context, in *cip.DeleteGroupInput) (*awsapi.Empty, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	name := *in.GroupName
	err = s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		if err := tx.DeleteObject(ctx, kindGroup, groupKey(p.rec.ID, name)); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return groupNotFound()
			}
			return err
		}
		prefix := groupMemberPrefix(p.rec.ID, name)
		after := ""
		for {
			members, err := tx.ListObjects(ctx, kindGroupMember, prefix, store.Page{After: after, Limit: 500})
			if err != nil {
				return err
			}
			for _, o := range members {
				userKey := o.Key[len(prefix):]
				if err := tx.DeleteObject(ctx, kindUserGroup, p.rec.ID+"/"+userKey+"/"+seg(name)); err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
			if len(members) < 500 {
				break
			}
			after = members[len(members)-1].Key
		}
		if _, err := tx.DeleteObjectsWithPrefix(ctx, kindGroupMember, prefix); err != nil {
			return err
		}
		countKey := p.rec.ID + "/"
		c, err := getJSON[groupCount](ctx, tx, kindGroupCount, countKey)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if c.N > 0 {
			c.N--
		}
		return putJSON(ctx, tx, kindGroupCount, countKey, c, false)
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// groupLimit is the Limit of the list operations: 0 or absent means the
// maximum, 60.
func groupLimit(l *int32) int {
	n := int(awsapi.ToInt32(l))
	if n <= 0 || n > 60 {
		return 60
	}
	return n
}

// ListGroups pages through a pool's groups in name order.
func (s *Service) ListGroups(ctx context.Context, in *cip.ListGroupsInput) (*cip.ListGroupsOutput, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	objs, next, err := s.objectPage(ctx, kindGroup, p.rec.ID+"/", in.NextToken, groupLimit(in.Limit))
	if err != nil {
		return nil, err
	}
	out := &cip.ListGroupsOutput{Groups: make([]cip.GroupType, 0, len(objs)), NextToken: next}
	for _, o := range objs {
		var g groupRecord
		if err := json.Unmarshal(o.Value, &g); err != nil {
			return nil, err
		}
		out.Groups = append(out.Groups, g.toType(p.rec.ID))
	}
	return out, nil
}

// AdminAddUserToGroup adds a user to a group; adding a member again is not
// an error.
func (s *Service) AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput) (*awsapi.Empty, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if _, err := s.loadGroup(ctx, p.rec.ID, *in.GroupName); err != nil {
		return nil, err
	}
	_, u, err := s.adminUser(ctx, p.rec.ID, *in.Username)
	if err != nil {
		return nil, err
	}
	name := *in.GroupName
	m := memberRecord{Group: name, Username: u.Username, UserKey: u.Key}
	err = s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		if _, err := tx.GetObject(ctx, kindGroup, groupKey(p.rec.ID, name)); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return groupNotFound()
			}
			return err
		}
		ugKey := userGroupPrefix(p.rec.ID, u.Key) + seg(name)
		if _, err := tx.GetObject(ctx, kindUserGroup, ugKey); err == nil {
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		have, err := tx.ListObjects(ctx, kindUserGroup, userGroupPrefix(p.rec.ID, u.Key), store.Page{Limit: maxGroupsPerUser})
		if err != nil {
			return err
		}
		if len(have) >= maxGroupsPerUser {
			return cip.NewLimitExceededExceptionf("A user can be a member of at most %d groups.", maxGroupsPerUser)
		}
		if err := putJSON(ctx, tx, kindUserGroup, ugKey, m, false); err != nil {
			return err
		}
		return putJSON(ctx, tx, kindGroupMember, groupMemberPrefix(p.rec.ID, name)+seg(u.Key), m, false)
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// AdminRemoveUserFromGroup removes a user from a group; removing a user who
// is not a member is not an error.
func (s *Service) AdminRemoveUserFromGroup(ctx context.Context, in *cip.AdminRemoveUserFromGroupInput) (*awsapi.Empty, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if _, err := s.loadGroup(ctx, p.rec.ID, *in.GroupName); err != nil {
		return nil, err
	}
	_, u, err := s.adminUser(ctx, p.rec.ID, *in.Username)
	if err != nil {
		return nil, err
	}
	name := *in.GroupName
	err = s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		if err := tx.DeleteObject(ctx, kindUserGroup, userGroupPrefix(p.rec.ID, u.Key)+seg(name)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := tx.DeleteObject(ctx, kindGroupMember, groupMemberPrefix(p.rec.ID, name)+seg(u.Key)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// AdminListGroupsForUser pages through the groups of a user.
func (s *Service) AdminListGroupsForUser(ctx context.Context, in *cip.AdminListGroupsForUserInput) (*cip.AdminListGroupsForUserOutput, error) {
	p, u, err := s.adminUser(ctx, *in.UserPoolId, *in.Username)
	if err != nil {
		return nil, err
	}
	objs, next, err := s.objectPage(ctx, kindUserGroup, userGroupPrefix(p.rec.ID, u.Key), in.NextToken, groupLimit(in.Limit))
	if err != nil {
		return nil, err
	}
	out := &cip.AdminListGroupsForUserOutput{Groups: make([]cip.GroupType, 0, len(objs)), NextToken: next}
	for _, o := range objs {
		var m memberRecord
		if err := json.Unmarshal(o.Value, &m); err != nil {
			return nil, err
		}
		g, err := getJSON[groupRecord](ctx, s.Store, kindGroup, groupKey(p.rec.ID, m.Group))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out.Groups = append(out.Groups, g.toType(p.rec.ID))
	}
	return out, nil
}

// ListUsersInGroup pages through the members of a group.
func (s *Service) ListUsersInGroup(ctx context.Context, in *cip.ListUsersInGroupInput) (*cip.ListUsersInGroupOutput, error) {
	p, err := s.loadPool(ctx, *in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if _, err := s.loadGroup(ctx, p.rec.ID, *in.GroupName); err != nil {
		return nil, err
	}
	objs, next, err := s.objectPage(ctx, kindGroupMember, groupMemberPrefix(p.rec.ID, *in.GroupName), in.NextToken, groupLimit(in.Limit))
	if err != nil {
		return nil, err
	}
	out := &cip.ListUsersInGroupOutput{Users: make([]cip.UserType, 0, len(objs)), NextToken: next}
	for _, o := range objs {
		var m memberRecord
		if err := json.Unmarshal(o.Value, &m); err != nil {
			return nil, err
		}
		u, err := s.Store.GetUser(ctx, p.rec.ID, m.UserKey)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out.Users = append(out.Users, *userType(u))
	}
	return out, nil
}

// userGroups returns the groups of a user in the order Cognito puts them in
// tokens: by precedence (groups without one last), then by name.
func (s *Service) userGroups(ctx context.Context, poolID, userKey string) ([]groupRecord, error) {
	objs, err := s.Store.ListObjects(ctx, kindUserGroup, userGroupPrefix(poolID, userKey), store.Page{Limit: maxGroupsPerUser + 1})
	if err != nil {
		return nil, err
	}
	groups := make([]groupRecord, 0, len(objs))
	for _, o := range objs {
		var m memberRecord
		if err := json.Unmarshal(o.Value, &m); err != nil {
			return nil, err
		}
		g, err := getJSON[groupRecord](ctx, s.Store, kindGroup, groupKey(poolID, m.Group))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		groups = append(groups, g)
	}
	sortGroups(groups)
	return groups, nil
}

func sortGroups(groups []groupRecord) {
	sort.SliceStable(groups, func(i, j int) bool {
		a, b := groups[i].Precedence, groups[j].Precedence
		switch {
		case a != nil && b != nil && *a != *b:
			return *a < *b
		case a != nil && b == nil:
			return true
		case a == nil && b != nil:
			return false
		}
		return groups[i].Name < groups[j].Name
	})
}

// groupClaims are the claims a user's groups add to tokens: cognito:groups
// (both tokens), and in the ID token cognito:roles (every group role, once)
// and cognito:preferred_role, the role of the group with the lowest
// Precedence; when two groups with roles share the lowest precedence, none
// is preferred ("Groups with lower Precedence values take precedence over
// groups with higher or null Precedence values", CreateGroup API reference).
type groupClaims struct {
	groups    []string
	roles     []string
	preferred string
}

func claimsOfGroups(groups []groupRecord) groupClaims {
	var c groupClaims
	seen := map[string]bool{}
	var first *groupRecord // the first group with a role, in token order
	tie := false
	for i, g := range groups {
		c.groups = append(c.groups, g.Name)
		if g.RoleArn == nil || *g.RoleArn == "" {
			continue
		}
		if !seen[*g.RoleArn] {
			seen[*g.RoleArn] = true
			c.roles = append(c.roles, *g.RoleArn)
		}
		switch {
		case first == nil:
			first = &groups[i]
		case samePrecedence(first.Precedence, g.Precedence) && *g.RoleArn != *first.RoleArn:
			tie = true
		}
	}
	if first != nil && !tie {
		c.preferred = *first.RoleArn
	}
	return c
}

// samePrecedence compares precedences, a missing one being the lowest
// priority of all.
func samePrecedence(a, b *int32) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// deleteUserMemberships removes every membership of a user, both ways.
func (s *Service) deleteUserMemberships(ctx context.Context, poolID, userKey string) error {
	return s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		prefix := userGroupPrefix(poolID, userKey)
		objs, err := tx.ListObjects(ctx, kindUserGroup, prefix, store.Page{Limit: maxGroupsPerUser + 1})
		if err != nil {
			return err
		}
		for _, o := range objs {
			var m memberRecord
			if err := json.Unmarshal(o.Value, &m); err != nil {
				return err
			}
			if err := tx.DeleteObject(ctx, kindGroupMember, groupMemberPrefix(poolID, m.Group)+seg(userKey)); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		_, err = tx.DeleteObjectsWithPrefix(ctx, kindUserGroup, prefix)
		return err
	})
}

// deletePoolGroups removes a pool's groups, memberships and group count.
func (s *Service) deletePoolGroups(ctx context.Context, poolID string) error {
	return s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		for _, kind := range []string{kindGroup, kindGroupCount, kindGroupMember, kindUserGroup} {
			if _, err := tx.DeleteObjectsWithPrefix(ctx, kind, poolID+"/"); err != nil {
				return err
			}
		}
		return nil
	})
}

// objectPage reads one page of the objects of kind under prefix, after the
// position a NextToken names, and returns the token of the next page (nil
// on the last). Tokens carry keys relative to prefix.
func (s *Service) objectPage(ctx context.Context, kind, prefix string, token *string, limit int) ([]store.Object, *string, error) {
	after, err := decodePageToken(token)
	if err != nil {
		return nil, nil, err
	}
	if after != "" {
		after = prefix + after
	}
	objs, err := s.Store.ListObjects(ctx, kind, prefix, store.Page{After: after, Limit: limit + 1})
	if err != nil {
		return nil, nil, err
	}
	var next *string
	if len(objs) > limit {
		objs = objs[:limit]
		next = encodePageToken(objs[len(objs)-1].Key[len(prefix):])
	}
	return objs, next, nil
}
