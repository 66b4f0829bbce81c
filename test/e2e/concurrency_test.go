package e2e

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// instance is one ninsho process as the SDK sees it.
type instance struct {
	name          string
	srv           *server
	admin, public *cip.Client
}

func newInstance(name string, srv *server) *instance {
	return &instance{name: name, srv: srv, admin: cip.NewFromConfig(sdkConfig(srv, true)), public: cip.NewFromConfig(sdkConfig(srv, false))}
}

// TestConcurrentWritesAcrossInstances runs two ninsho processes on one
// PostgreSQL database and many aws-sdk-go-v2 clients spread over both:
// users signed up or created by an admin, each sign-in, group change and
// revocation on an instance other than the previous step's, and pairs of
// clients racing to create the same username on both instances at once.
// Afterwards both instances list exactly the users created (none lost, none
// twice), the same memberships seen from the group and from the user, and
// refuse every revoked refresh token while accepting the others.
func TestConcurrentWritesAcrossInstances(t *testing.T) {
	t.Parallel()
	dsn := postgresDB(t)
	ctx := testContext(t, testTimeout)
	const issuerBase = "http://ninsho.test"
	insts := []*instance{
		newInstance("A", startServer(t, t.TempDir(), "--db", dsn, "--issuer-base", issuerBase)),
		newInstance("B", startServer(t, t.TempDir(), "--db", dsn, "--issuer-base", issuerBase)),
	}
	a := insts[0]
	pool, err := a.admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("busy")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := pool.UserPool.Id
	client, err := insts[1].admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := client.UserPoolClient.ClientId
	groups := []string{"g0", "g1", "g2"}
	for i, g := range groups {
		if _, err := insts[i%2].admin.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: poolID, GroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
	}

	const (
		workers        = 10
		usersPerWorker = 6
		races          = 8
		password       = "Busy#Pass1"
	)
	type outcome struct {
		groups  []string
		kept    string // a refresh token that must still work
		revoked string // a refresh token revoked on some instance
	}
	var (
		mu       sync.Mutex
		created  = map[string]*outcome{}
		failures atomic.Int64
	)
	fail := func(format string, args ...any) {
		failures.Add(1)
		t.Errorf(format, args...)
	}
	signIn := func(in *instance, name string) (*types.AuthenticationResultType, error) {
		out, err := in.public.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": password}})
		if err != nil {
			return nil, err
		}
		return out.AuthenticationResult, nil
	}
	// life runs one user's life; step i happens on insts[(start+i)%2].
	life := func(w, n int) {
		name := fmt.Sprintf("w%d-u%d", w, n)
		on := func(i int) *instance { return insts[(w+n+i)%2] }
		if n%2 == 0 {
			if _, err := on(0).public.SignUp(ctx, &cip.SignUpInput{ClientId: clientID, Username: aws.String(name), Password: aws.String(password)}); err != nil {
				fail("%s: SignUp on %s: %v", name, on(0).name, err)
				return
			}
			if _, err := on(1).admin.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: poolID, Username: aws.String(name)}); err != nil {
				fail("%s: AdminConfirmSignUp on %s: %v", name, on(1).name, err)
				return
			}
		} else {
			if _, err := on(0).admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress}); err != nil {
				fail("%s: AdminCreateUser on %s: %v", name, on(0).name, err)
				return
			}
			if _, err := on(1).admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: poolID, Username: aws.String(name), Password: aws.String(password), Permanent: true}); err != nil {
				fail("%s: AdminSetUserPassword on %s: %v", name, on(1).name, err)
				return
			}
		}
		o := &outcome{}
		mu.Lock()
		created[name] = o
		mu.Unlock()
		first, err := signIn(on(2), name)
		if err != nil {
			fail("%s: sign-in on %s: %v", name, on(2).name, err)
			return
		}
		// Two groups added from different instances; one of them
		// removed again from a third step when n is odd.
		mine := []string{groups[(w+n)%3], groups[(w+n+1)%3]}
		for i, g := range mine {
			if _, err := on(3+i).admin.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: poolID, Username: aws.String(name), GroupName: aws.String(g)}); err != nil {
				fail("%s: AdminAddUserToGroup %s on %s: %v", name, g, on(3+i).name, err)
				return
			}
		}
		if n%2 == 1 {
			if _, err := on(5).admin.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: poolID, Username: aws.String(name), GroupName: aws.String(mine[0])}); err != nil {
				fail("%s: AdminRemoveUserFromGroup on %s: %v", name, on(5).name, err)
				return
			}
			mine = mine[1:]
		}
		second, err := signIn(on(6), name)
		if err != nil {
			fail("%s: second sign-in on %s: %v", name, on(6).name, err)
			return
		}
		if _, err := on(7).public.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: clientID, Token: first.RefreshToken}); err != nil {
			fail("%s: RevokeToken on %s: %v", name, on(7).name, err)
			return
		}
		slices.Sort(mine)
		mu.Lock()
		o.groups, o.kept, o.revoked = mine, aws.ToString(second.RefreshToken), aws.ToString(first.RefreshToken)
		mu.Unlock()
	}

	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for n := range usersPerWorker {
				if ctx.Err() != nil {
					return
				}
				life(w, n)
			}
		})
	}
	// Races: the same username created on A and B at once; exactly one wins.
	var raceWins [races]atomic.Int64
	for r := range races {
		for _, in := range insts {
			wg.Go(func() {
				name := fmt.Sprintf("race-%d", r)
				_, err := in.admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress})
				var exists *types.UsernameExistsException
				switch {
				case err == nil:
					raceWins[r].Add(1)
				case errors.As(err, &exists):
				default:
					fail("%s: AdminCreateUser on %s: %v", name, in.name, err)
				}
			})
		}
	}
	wg.Wait()
	if failures.Load() > 0 {
		t.FailNow()
	}
	for r := range races {
		if n := raceWins[r].Load(); n != 1 {
			t.Errorf("race-%d was created %d times, want once", r, n)
		}
		created[fmt.Sprintf("race-%d", r)] = &outcome{}
	}
	want := slices.Sorted(func(yield func(string) bool) {
		for name := range created {
			if !yield(name) {
				return
			}
		}
	})
	if len(want) != workers*usersPerWorker+races {
		t.Fatalf("%d users created, want %d", len(want), workers*usersPerWorker+races)
	}

	for _, in := range insts {
		t.Run("seen from "+in.name, func(t *testing.T) {
			var names []string
			subs := map[string]bool{}
			p := cip.NewListUsersPaginator(in.admin, &cip.ListUsersInput{UserPoolId: poolID, Limit: aws.Int32(7)})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatalf("ListUsers: %v", err)
				}
				for _, u := range page.Users {
					names = append(names, aws.ToString(u.Username))
					for _, at := range u.Attributes {
						if aws.ToString(at.Name) == "sub" {
							if subs[aws.ToString(at.Value)] {
								t.Errorf("sub %s twice", aws.ToString(at.Value))
							}
							subs[aws.ToString(at.Value)] = true
						}
					}
				}
			}
			if !slices.Equal(names, want) {
				t.Errorf("ListUsers = %d users %v\nwant %d %v", len(names), names, len(want), want)
			}
			if len(subs) != len(want) {
				t.Errorf("%d distinct subs, want %d", len(subs), len(want))
			}
			members := map[string][]string{} // user → groups, from the groups' side
			for _, g := range groups {
				p := cip.NewListUsersInGroupPaginator(in.admin, &cip.ListUsersInGroupInput{UserPoolId: poolID, GroupName: aws.String(g), Limit: aws.Int32(9)})
				for p.HasMorePages() {
					page, err := p.NextPage(ctx)
					if err != nil {
						t.Fatalf("ListUsersInGroup %s: %v", g, err)
					}
					for _, u := range page.Users {
						members[aws.ToString(u.Username)] = append(members[aws.ToString(u.Username)], g)
					}
				}
			}
			for _, name := range want {
				o := created[name]
				out, err := in.admin.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: poolID, Username: aws.String(name)})
				if err != nil {
					t.Fatalf("AdminListGroupsForUser %s: %v", name, err)
				}
				var mine []string
				for _, g := range out.Groups {
					mine = append(mine, aws.ToString(g.GroupName))
				}
				slices.Sort(mine)
				if !slices.Equal(mine, o.groups) || !slices.Equal(members[name], o.groups) {
					t.Errorf("%s: groups %v from the user, %v from the groups; want %v", name, mine, members[name], o.groups)
				}
				if o.revoked == "" {
					continue
				}
				_, err = in.public.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
					AuthParameters: map[string]string{"REFRESH_TOKEN": o.revoked}})
				var na *types.NotAuthorizedException
				if !errors.As(err, &na) {
					t.Errorf("%s: the revoked refresh token: %v, want NotAuthorizedException", name, err)
				}
				if _, err := in.public.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
					AuthParameters: map[string]string{"REFRESH_TOKEN": o.kept}}); err != nil {
					t.Errorf("%s: the other refresh token: %v", name, err)
				}
			}
		})
	}
}
