package awsapi

import (
	"encoding/json"
	"encoding/xml"
	"testing"
	"time"
)

func TestTimestampJSON(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"writes whole seconds as an integer", time.Unix(1700000000, 0), "1700000000"},
		{"writes milliseconds when present", time.Unix(1700000000, 123_000_000), "1700000000.123"},
		{"trims trailing zeros of milliseconds", time.Unix(1700000000, 500_000_000), "1700000000.5"},
		{"drops sub-millisecond precision", time.Unix(1700000000, 999_999), "1700000000"},
		{"handles times before 1970", time.Unix(-2, 500_000_000), "-1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(Timestamp{tt.in})
			if err != nil || string(b) != tt.want {
				t.Fatalf("got %s, %v; want %s", b, err, tt.want)
			}
			var back Timestamp
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !back.Equal(tt.in.Truncate(time.Millisecond)) && tt.in.Unix() >= 0 {
				t.Errorf("round trip gave %v, want %v", back.Time, tt.in)
			}
		})
	}
}

func TestTimestampUnmarshalJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    time.Time
		wantErr bool
	}{
		{"reads integer epoch seconds", "1700000000", time.Unix(1700000000, 0), false},
		{"reads fractional epoch seconds exactly", "1700000000.123", time.Unix(1700000000, 123_000_000), false},
		{"reads exponent notation", "1.7e9", time.Unix(1700000000, 0), false},
		{"reads an ISO 8601 string", `"2024-05-01T12:00:00Z"`, time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), false},
		{"reads an ISO 8601 string with an offset", `"2024-05-01T14:00:00.5+02:00"`, time.Date(2024, 5, 1, 12, 0, 0, 500_000_000, time.UTC), false},
		{"rejects a boolean", "true", time.Time{}, true},
		{"rejects garbage strings", `"yesterday"`, time.Time{}, true},
		{"rejects absurd years", "1e300", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ts Timestamp
			err := ts.UnmarshalJSON([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && !ts.Equal(tt.want) {
				t.Errorf("got %v, want %v", ts.Time, tt.want)
			}
		})
	}
}

func TestTimestampLeavesNullAlone(t *testing.T) {
	var out struct{ T *Timestamp }
	if err := json.Unmarshal([]byte(`{"T":null}`), &out); err != nil || out.T != nil {
		t.Fatalf("got %v, %v", out.T, err)
	}
}

func TestTimestampXML(t *testing.T) {
	type creds struct {
		XMLName    xml.Name   `xml:"Credentials"`
		Expiration *Timestamp `xml:"Expiration,omitempty"`
	}
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"writes whole seconds without a fraction", time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), "<Credentials><Expiration>2024-05-01T12:00:00Z</Expiration></Credentials>"},
		{"writes milliseconds when present", time.Date(2024, 5, 1, 12, 0, 0, 7_000_000, time.UTC), "<Credentials><Expiration>2024-05-01T12:00:00.007Z</Expiration></Credentials>"},
		{"converts to UTC", time.Date(2024, 5, 1, 14, 0, 0, 0, time.FixedZone("x", 7200)), "<Credentials><Expiration>2024-05-01T12:00:00Z</Expiration></Credentials>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := xml.Marshal(creds{Expiration: Time(tt.in)})
			if err != nil || string(b) != tt.want {
				t.Fatalf("got %s, %v\nwant %s", b, err, tt.want)
			}
			var back creds
			if err := xml.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !back.Expiration.Equal(tt.in) {
				t.Errorf("round trip gave %v, want %v", back.Expiration.Time, tt.in)
			}
		})
	}
}

func FuzzTimestampUnmarshalJSON(f *testing.F) {
	for _, s := range []string{"0", "1700000000", "1700000000.123", "-1.5", "1e9", `"2024-05-01T12:00:00Z"`, "null", `"`, "1.", ".5", "-", "9999999999999999999"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var ts Timestamp
		if err := ts.UnmarshalJSON(b); err != nil {
			return
		}
		// Whatever was accepted must survive our own encoding.
		out, err := ts.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON after accepting %q: %v", b, err)
		}
		var back Timestamp
		if err := back.UnmarshalJSON(out); err != nil {
			t.Fatalf("cannot read back %s (from %q): %v", out, b, err)
		}
		if back.UnixMilli() != ts.UnixMilli() {
			t.Fatalf("%q -> %s -> %v, want %v", b, out, back.Time, ts.Time)
		}
	})
}
