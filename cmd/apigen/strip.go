package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// pinnedServices are the botocore service names ninsho speaks.
var pinnedServices = []string{"cognito-idp", "cognito-identity", "sts", "iam", "apigatewayv2"}

// droppedKeys never matter to the generator and churn with every botocore
// release.
var droppedKeys = map[string]bool{"documentation": true, "documentationUrl": true, "examples": true}

// stripModels copies the newest version of each pinned service from
// botocore's data directory into modelsDir as <service>.json.
func stripModels(botocoreData, modelsDir string) error {
	if botocoreData == "" {
		return fmt.Errorf("-strip needs -botocore <botocore/data directory>")
	}
	for _, svc := range pinnedServices {
		versions, err := filepath.Glob(filepath.Join(botocoreData, svc, "*", "service-2.json*"))
		if err != nil || len(versions) == 0 {
			return fmt.Errorf("no model for %s under %s", svc, botocoreData)
		}
		slices.Sort(versions) // API versions are dates: the last is the newest
		raw, err := readMaybeGzip(versions[len(versions)-1])
		if err != nil {
			return err
		}
		out, err := stripModel(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", versions[len(versions)-1], err)
		}
		if err := os.WriteFile(filepath.Join(modelsDir, svc+".json"), out, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func readMaybeGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	}
	return io.ReadAll(r)
}

// stripModel drops documentation and re-indents raw. Keys are sorted except
// inside "members" objects, whose order is significant (see members).
func stripModel(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var b bytes.Buffer
	if err := writeValue(&b, dec, 0, false); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// jsonNode is a decoded JSON value keeping object key order.
type jsonNode struct {
	scalar any // string, json.Number, bool, nil; unused for containers
	isObj  bool
	isArr  bool
	keys   []string
	vals   []*jsonNode
}

func readNode(dec *json.Decoder) (*jsonNode, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('{'):
		n := &jsonNode{isObj: true}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := readNode(dec)
			if err != nil {
				return nil, err
			}
			n.keys, n.vals = append(n.keys, k.(string)), append(n.vals, v)
		}
		_, err := dec.Token()
		return n, err
	case json.Delim('['):
		n := &jsonNode{isArr: true}
		for dec.More() {
			v, err := readNode(dec)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, v)
		}
		_, err := dec.Token()
		return n, err
	}
	return &jsonNode{scalar: t}, nil
}

func writeValue(b *bytes.Buffer, dec *json.Decoder, depth int, keepOrder bool) error {
	n, err := readNode(dec)
	if err != nil {
		return err
	}
	return writeNode(b, n, depth, keepOrder)
}

func writeNode(b *bytes.Buffer, n *jsonNode, depth int, keepOrder bool) error {
	indent := func(d int) { b.WriteByte('\n'); b.WriteString(strings.Repeat(" ", d)) }
	switch {
	case n.isObj:
		idx := make([]int, 0, len(n.keys))
		for i, k := range n.keys {
			if !droppedKeys[k] {
				idx = append(idx, i)
			}
		}
		if !keepOrder {
			slices.SortStableFunc(idx, func(x, y int) int { return strings.Compare(n.keys[x], n.keys[y]) })
		}
		if len(idx) == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteByte('{')
		for j, i := range idx {
			if j > 0 {
				b.WriteByte(',')
			}
			indent(depth + 1)
			writeString(b, n.keys[i])
			b.WriteString(": ")
			if err := writeNode(b, n.vals[i], depth+1, n.keys[i] == "members"); err != nil {
				return err
			}
		}
		indent(depth)
		b.WriteByte('}')
	case n.isArr:
		if len(n.vals) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				b.WriteByte(',')
			}
			indent(depth + 1)
			if err := writeNode(b, v, depth+1, false); err != nil {
				return err
			}
		}
		indent(depth)
		b.WriteByte(']')
	default:
		switch v := n.scalar.(type) {
		case string:
			writeString(b, v)
		case json.Number:
			b.WriteString(v.String())
		case bool:
			fmt.Fprint(b, v)
		case nil:
			b.WriteString("null")
		}
	}
	return nil
}

// writeString writes s as JSON without HTML escaping, so patterns like
// "<" stay readable in diffs.
func writeString(b *bytes.Buffer, s string) {
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Write(bytes.TrimRight(tmp.Bytes(), "\n"))
}
