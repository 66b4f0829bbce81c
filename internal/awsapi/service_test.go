package awsapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/ninsho/ninsho/internal/awserr"
)

type testInput struct{ Name *string }

func (*testInput) Validate() error { return nil }

type testOutput struct{ Name *string }

func TestNotImplemented(t *testing.T) {
	err := NotImplemented("cognito-idp", "AdminCreateUser")
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("got %T, want *awserr.Error", err)
	}
	if e.Code != "NotImplementedException" || e.Status != http.StatusNotImplemented ||
		e.Message != "ninsho does not implement cognito-idp operation AdminCreateUser yet" {
		t.Errorf("got %+v", e)
	}
}

func TestCall(t *testing.T) {
	echo := func(_ context.Context, in *testInput) (*testOutput, error) { return &testOutput{Name: in.Name}, nil }
	none := func(context.Context, *testInput) (*testOutput, error) { return nil, nil }
	fail := func(context.Context, *testInput) (*testOutput, error) { return nil, awserr.New("X", "y") }
	tests := []struct {
		name    string
		in      Input
		method  func(context.Context, *testInput) (*testOutput, error)
		want    string
		wantErr bool
	}{
		{"passes the typed input and returns the output", &testInput{Name: String("a")}, echo, "a", false},
		{"replaces a nil output with a zero output", &testInput{}, none, "", false},
		{"returns the method's error", &testInput{}, fail, "", true},
		{"rejects an input of the wrong type", &Empty{}, echo, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Call(context.Background(), tt.in, tt.method)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if tt.wantErr {
				if out != nil {
					t.Errorf("output %v with an error", out)
				}
				return
			}
			o, ok := out.(*testOutput)
			if !ok || o == nil || ToString(o.Name) != tt.want {
				t.Errorf("got %#v", out)
			}
		})
	}
}

func TestPointerHelpers(t *testing.T) {
	now := time.Unix(1700000000, 0)
	if ToString(String("a")) != "a" || ToString(nil) != "" ||
		ToInt32(Int32(3)) != 3 || ToInt32(nil) != 0 ||
		ToInt64(Int64(4)) != 4 || ToInt64(nil) != 0 ||
		!ToBool(Bool(true)) || ToBool(nil) ||
		ToFloat64(Float64(1.5)) != 1.5 || ToFloat64(nil) != 0 ||
		!ToTime(Time(now)).Equal(now) || !ToTime(nil).IsZero() {
		t.Error("a pointer helper does not round trip")
	}
	if err := (&Empty{}).Validate(); err != nil {
		t.Errorf("Empty.Validate() = %v", err)
	}
}
