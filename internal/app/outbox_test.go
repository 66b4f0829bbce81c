package app

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/ninsho/ninsho/internal/notify"
)

func TestOutboxEndpoint(t *testing.T) {
	a, srv := newTestApp(t)
	ctx := context.Background()
	for _, code := range []string{"111111", "222222"} {
		if err := a.outbox.Send(ctx, notify.Message{PoolID: "us-east-1_abc", Kind: notify.KindSignUp, Medium: notify.Email, To: "x@example.com", Body: "Your code is " + code, Code: code}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(query string) (int, []notify.Message) {
		t.Helper()
		resp, err := http.Get(srv.URL + "/_ninsho/outbox" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Messages []notify.Message `json:"messages"`
		}
		if resp.StatusCode == http.StatusOK {
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode, out.Messages
	}
	if st, ms := get("?pool=us-east-1_abc&to=x@example.com&kind=SIGN_UP"); st != 200 || len(ms) != 2 || ms[0].Code != "222222" {
		t.Errorf("listing: %d %+v, want both messages newest first", st, ms)
	}
	if st, ms := get("?pool=us-east-1_abc&limit=1"); st != 200 || len(ms) != 1 {
		t.Errorf("limit=1: %d %+v", st, ms)
	}
	if st, _ := get("?limit=0"); st != http.StatusBadRequest {
		t.Errorf("limit=0: status %d, want 400", st)
	}
	a.cfg.Outbox = "off"
	if st, _ := get(""); st != http.StatusNotFound {
		t.Errorf("--outbox off: status %d, want 404", st)
	}
	a.cfg.Outbox, a.cfg.Listen = "auto", "0.0.0.0:9229"
	if st, _ := get(""); st != http.StatusNotFound {
		t.Errorf("auto on a public address: status %d, want 404", st)
	}
	a.cfg.Outbox = "on"
	if st, _ := get(""); st != http.StatusOK {
		t.Errorf("--outbox on on a public address: status %d, want 200", st)
	}
}
