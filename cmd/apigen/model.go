package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// model is the subset of botocore's service-2.json the generator uses.
type model struct {
	Metadata   metadata              `json:"metadata"`
	Operations map[string]*operation `json:"operations"`
	Shapes     map[string]*shape     `json:"shapes"`
}

type metadata struct {
	APIVersion     string `json:"apiVersion"`
	EndpointPrefix string `json:"endpointPrefix"`
	Protocol       string `json:"protocol"`
	SigningName    string `json:"signingName"`
	TargetPrefix   string `json:"targetPrefix"`
	XMLNamespace   string `json:"xmlNamespace"`
	ServiceID      string `json:"serviceId"`
	ServiceName    string `json:"serviceFullName"`
}

type operation struct {
	Name       string   `json:"name"`
	Input      *ref     `json:"input"`
	Output     *ref     `json:"output"`
	Errors     []*ref   `json:"errors"`
	AuthType   string   `json:"authtype"`
	Auth       []string `json:"auth"`
	Deprecated bool     `json:"deprecated"`
	HTTP       *httpDef `json:"http"`
}

// httpDef is the HTTP trait of an operation; REST protocols route by it.
type httpDef struct {
	Method       string `json:"method"`
	RequestURI   string `json:"requestUri"`
	ResponseCode int    `json:"responseCode"`
}

// unsigned reports whether callers send this operation without SigV4.
func (o *operation) unsigned() bool {
	if o.AuthType == "none" {
		return true
	}
	for _, a := range o.Auth {
		if a == "smithy.api#noAuth" {
			return true
		}
	}
	return false
}

type ref struct {
	Shape        string `json:"shape"`
	LocationName string `json:"locationName"`
	// Location binds a top-level member of a REST input or output outside
	// the JSON body: "uri", "querystring", "header", "headers" (a prefix
	// map) or "statusCode".
	Location          string `json:"location"`
	ResultWrapper     string `json:"resultWrapper"`
	Flattened         bool   `json:"flattened"`
	Deprecated        bool   `json:"deprecated"`
	DeprecatedMessage string `json:"deprecatedMessage"`
}

type shape struct {
	Type      string    `json:"type"`
	Members   members   `json:"members"`
	Required  []string  `json:"required"`
	Member    *ref      `json:"member"`
	Key       *ref      `json:"key"`
	Value     *ref      `json:"value"`
	Min       *float64  `json:"min"`
	Max       *float64  `json:"max"`
	Pattern   string    `json:"pattern"`
	Enum      []string  `json:"enum"`
	Sensitive bool      `json:"sensitive"`
	Exception bool      `json:"exception"`
	Fault     bool      `json:"fault"`
	Error     *errorDef `json:"error"`
	Document  bool      `json:"document"`
	Flattened bool      `json:"flattened"`
	// Payload names the member that is the whole body (REST protocols).
	Payload         string `json:"payload"`
	TimestampFormat string `json:"timestampFormat"`
}

type errorDef struct {
	Code           string `json:"code"`
	HTTPStatusCode int    `json:"httpStatusCode"`
	SenderFault    bool   `json:"senderFault"`
}

// members keeps structure members in model order: AWS reports violations in
// that order, and Go maps would lose it.
type members struct {
	Names []string
	Refs  map[string]*ref
}

func (m *members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("members: want object")
	}
	m.Refs = map[string]*ref{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name := t.(string)
		var r ref
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("member %s: %w", name, err)
		}
		m.Names = append(m.Names, name)
		m.Refs[name] = &r
	}
	return nil
}

func loadModel(path string) (*model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for name, op := range m.Operations {
		if op.Name == "" {
			op.Name = name
		}
	}
	for _, op := range m.Operations {
		for _, r := range append([]*ref{op.Input, op.Output}, op.Errors...) {
			if r != nil && m.Shapes[r.Shape] == nil {
				return nil, fmt.Errorf("%s: operation %s refers to unknown shape %s", path, op.Name, r.Shape)
			}
		}
	}
	for name, s := range m.Shapes {
		for _, r := range append([]*ref{s.Member, s.Key, s.Value}, refsOf(s)...) {
			if r != nil && m.Shapes[r.Shape] == nil {
				return nil, fmt.Errorf("%s: shape %s refers to unknown shape %s", path, name, r.Shape)
			}
		}
	}
	return &m, nil
}

func refsOf(s *shape) []*ref {
	var out []*ref
	for _, n := range s.Members.Names {
		out = append(out, s.Members.Refs[n])
	}
	return out
}
