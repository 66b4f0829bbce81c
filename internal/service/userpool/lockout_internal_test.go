package userpool

import (
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
)

func TestLockoutDuration(t *testing.T) {
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {4, 0},
		{5, time.Second}, {6, 2 * time.Second}, {7, 4 * time.Second},
		{10, 32 * time.Second}, {14, 512 * time.Second},
		{15, 15 * time.Minute}, {16, 15 * time.Minute}, {100, 15 * time.Minute},
	} {
		if got := lockoutDuration(tc.failures); got != tc.want {
			t.Errorf("lockoutDuration(%d) = %v, want %v", tc.failures, got, tc.want)
		}
	}
}

func TestLockoutState(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	var st lockoutState
	for i := 0; i < 4; i++ {
		st = st.fail(at(time.Duration(i) * time.Millisecond))
		if st.locked(at(time.Duration(i) * time.Millisecond)) {
			t.Fatalf("locked after %d failures", i+1)
		}
	}
	st = st.fail(at(10 * time.Second)) // fifth failure: one second
	for _, tc := range []struct {
		name   string
		now    time.Duration
		locked bool
	}{
		{"at once after the fifth failure", 10 * time.Second, true},
		{"just before a second has passed", 10*time.Second + 999*time.Millisecond, true},
		{"once the second has passed", 11 * time.Second, false},
	} {
		if got := st.current(at(tc.now)).locked(at(tc.now)); got != tc.locked {
			t.Errorf("%s: locked = %v, want %v", tc.name, got, tc.locked)
		}
	}
	if again := st.fail(at(10*time.Second + 500*time.Millisecond)); again != st {
		t.Errorf("an attempt refused during a lockout was counted: %+v", again)
	}
	st = st.fail(at(12 * time.Second)) // sixth: two seconds
	if !st.locked(at(13*time.Second+900*time.Millisecond)) || st.locked(at(14*time.Second)) {
		t.Errorf("sixth failure: want a lockout of two seconds, state %+v", st)
	}
	if st.current(at(14*time.Second+lockoutIdleReset-time.Millisecond)).Failures != 6 {
		t.Errorf("the count was reset before 15 idle minutes")
	}
	if st.current(at(14*time.Second+lockoutIdleReset)).Failures != 0 {
		t.Errorf("the count was not reset after 15 idle minutes after the lockout")
	}
}

func TestClaimsOfGroups(t *testing.T) {
	p := func(n int32) *int32 { return &n }
	r := awsapi.String
	for _, tc := range []struct {
		name      string
		groups    []groupRecord
		want      []string
		roles     []string
		preferred string
	}{
		{"no groups, no claims", nil, nil, nil, ""},
		{"ordered by precedence, groups without one last, then by name",
			[]groupRecord{{Name: "z"}, {Name: "b", Precedence: p(2)}, {Name: "a"}, {Name: "c", Precedence: p(1)}},
			[]string{"c", "b", "a", "z"}, nil, ""},
		{"the role of the lowest precedence is preferred",
			[]groupRecord{{Name: "admin", Precedence: p(1), RoleArn: r("arn:aws:iam::1:role/admin")}, {Name: "reader", Precedence: p(5), RoleArn: r("arn:aws:iam::1:role/reader")}},
			[]string{"admin", "reader"}, []string{"arn:aws:iam::1:role/admin", "arn:aws:iam::1:role/reader"}, "arn:aws:iam::1:role/admin"},
		{"a tie at the lowest precedence prefers none",
			[]groupRecord{{Name: "a", Precedence: p(1), RoleArn: r("arn:aws:iam::1:role/a")}, {Name: "b", Precedence: p(1), RoleArn: r("arn:aws:iam::1:role/b")}},
			[]string{"a", "b"}, []string{"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"}, ""},
		{"a tie on the same role still prefers it",
			[]groupRecord{{Name: "a", Precedence: p(1), RoleArn: r("arn:aws:iam::1:role/a")}, {Name: "b", Precedence: p(1), RoleArn: r("arn:aws:iam::1:role/a")}},
			[]string{"a", "b"}, []string{"arn:aws:iam::1:role/a"}, "arn:aws:iam::1:role/a"},
		{"a group without a role does not take precedence",
			[]groupRecord{{Name: "a", Precedence: p(0)}, {Name: "b", Precedence: p(3), RoleArn: r("arn:aws:iam::1:role/b")}},
			[]string{"a", "b"}, []string{"arn:aws:iam::1:role/b"}, "arn:aws:iam::1:role/b"},
		{"a role with precedence beats one without",
			[]groupRecord{{Name: "a", RoleArn: r("arn:aws:iam::1:role/a")}, {Name: "b", Precedence: p(9), RoleArn: r("arn:aws:iam::1:role/b")}},
			[]string{"b", "a"}, []string{"arn:aws:iam::1:role/b", "arn:aws:iam::1:role/a"}, "arn:aws:iam::1:role/b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := append([]groupRecord(nil), tc.groups...)
			sortGroups(g)
			c := claimsOfGroups(g)
			if !equal(c.groups, tc.want) || !equal(c.roles, tc.roles) || c.preferred != tc.preferred {
				t.Errorf("groups %v roles %v preferred %q; want %v %v %q", c.groups, c.roles, c.preferred, tc.want, tc.roles, tc.preferred)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
