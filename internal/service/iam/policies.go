package iamsvc

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ninsho/ninsho/internal/awsapi"
	iamapi "github.com/ninsho/ninsho/internal/awsapi/iam"
	"github.com/ninsho/ninsho/internal/iam/policy"
	"github.com/ninsho/ninsho/internal/store"
)

// policyValue is the stored form of a customer managed policy (kind
// iam.policy), every version inside.
type policyValue struct {
	Name           string         `json:"name"`
	ID             string         `json:"id"`
	ARN            string         `json:"arn"`
	Path           string         `json:"path"`
	Description    string         `json:"description,omitempty"`
	DefaultVersion string         `json:"defaultVersion"`
	NextVersion    int            `json:"nextVersion"` // version numbers are never reused
	Versions       []versionValue `json:"versions"`    // oldest first
	CreatedAt      time.Time      `json:"createdAt"`
	UpdatedAt      time.Time      `json:"updatedAt"`
	Tags           []tag          `json:"tags,omitempty"`
}

type versionValue struct {
	ID        string    `json:"id"`
	Document  string    `json:"document"`
	CreatedAt time.Time `json:"createdAt"`
}

// policyNameValue reserves a policy name (kind iam.policy-name): names are
// unique in the account whatever the path, compared without case.
type policyNameValue struct {
	ARN string `json:"arn"`
}

const maxPolicyVersions = 5

func (p *policyValue) version(id string) (int, bool) {
	for i, v := range p.Versions {
		if v.ID == id {
			return i, true
		}
	}
	return -1, false
}

func (p *policyValue) defaultDocument() string {
	if i, ok := p.version(p.DefaultVersion); ok {
		return p.Versions[i].Document
	}
	return ""
}

// awsPolicy is an AWS managed policy in the stored form (one version).
func awsPolicy(m *policy.ManagedPolicy) *policyValue {
	return &policyValue{
		Name: m.Name, ID: m.PolicyID, ARN: m.ARN, Path: m.Path, Description: m.Description,
		DefaultVersion: m.DefaultVersionID,
		Versions:       []versionValue{{ID: m.DefaultVersionID, Document: m.Document, CreatedAt: m.UpdateDate}},
		CreatedAt:      m.CreateDate, UpdatedAt: m.UpdateDate,
	}
}

func (p *policyValue) api(attachments int, full bool) *iamapi.Policy {
	out := &iamapi.Policy{
		PolicyName:                    awsapi.String(p.Name),
		PolicyId:                      awsapi.String(p.ID),
		Arn:                           awsapi.String(p.ARN),
		Path:                          awsapi.String(p.Path),
		DefaultVersionId:              awsapi.String(p.DefaultVersion),
		AttachmentCount:               awsapi.Int32(int32(attachments)),
		PermissionsBoundaryUsageCount: awsapi.Int32(0),
		IsAttachable:                  awsapi.Bool(true),
		CreateDate:                    awsapi.Time(p.CreatedAt),
		UpdateDate:                    awsapi.Time(p.UpdatedAt),
	}
	if full { // ListPolicies leaves out descriptions and tags
		if p.Description != "" {
			out.Description = awsapi.String(p.Description)
		}
		out.Tags = apiTags(p.Tags)
	}
	return out
}

func (p *policyValue) apiVersion(v versionValue, withDocument bool) iamapi.PolicyVersion {
	out := iamapi.PolicyVersion{
		VersionId:        awsapi.String(v.ID),
		IsDefaultVersion: awsapi.Bool(v.ID == p.DefaultVersion),
		CreateDate:       awsapi.Time(v.CreatedAt),
	}
	if withDocument {
		out.Document = awsapi.String(escapeDocument(v.Document))
	}
	return out
}

func policyNotFound(arn string) error {
	return iamapi.NewNoSuchEntityExceptionf("Policy %s was not found.", arn)
}

func policyNotAttachable(arn string) error {
	return iamapi.NewNoSuchEntityExceptionf("Policy %s does not exist or is not attachable.", arn)
}

func versionNotFound(arn, id string) error {
	return iamapi.NewNoSuchEntityExceptionf("Policy %s version %s does not exist or is not attachable.", arn, id)
}

// localPolicy reads a customer managed policy.
func localPolicy(ctx context.Context, tx store.ObjectTx, arn string) (*policyValue, error) {
	p, _, err := get[policyValue](ctx, tx, kindPolicy, arn, func() error { return policyNotFound(arn) })
	return p, err
}

// anyPolicy reads an AWS or a customer managed policy.
func anyPolicy(ctx context.Context, tx store.ObjectTx, arn string) (*policyValue, error) {
	if m, ok := policy.AWSManaged(arn); ok {
		return awsPolicy(m), nil
	}
	return localPolicy(ctx, tx, arn)
}

// attachments counts the roles and users a policy is attached to.
func attachments(ctx context.Context, tx store.ObjectTx, arn string) (int, error) {
	return count(ctx, tx, kindPolicyEntity, arn+" ")
}

// CreatePolicy makes a customer managed policy with version v1.
func (s *Service) CreatePolicy(ctx context.Context, in *iamapi.CreatePolicyInput) (*iamapi.CreatePolicyOutput, error) {
	name, doc := awsapi.ToString(in.PolicyName), awsapi.ToString(in.PolicyDocument)
	if _, err := parseIdentityPolicy(doc); err != nil {
		return nil, err
	}
	tags, err := newTags(in.Tags)
	if err != nil {
		return nil, err
	}
	path := defaultPath(in.Path)
	now := s.now()
	p := &policyValue{
		Name: name, ID: newPolicyID(), ARN: s.policyARN(path, name), Path: path,
		Description: awsapi.ToString(in.Description), DefaultVersion: "v1", NextVersion: 2,
		Versions:  []versionValue{{ID: "v1", Document: doc, CreatedAt: now}},
		CreatedAt: now, UpdatedAt: now, Tags: tags,
	}
	err = s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		if err := tx.CreateObject(ctx, object(kindPolicyName, nameKey(name), &policyNameValue{ARN: p.ARN})); err != nil {
			return err
		}
		return tx.CreateObject(ctx, object(kindPolicy, p.ARN, p))
	})
	if errors.Is(err, store.ErrExists) {
		return nil, iamapi.NewEntityAlreadyExistsExceptionf("A policy called %s already exists. Duplicate names are not allowed.", name)
	}
	if err != nil {
		return nil, err
	}
	out := p.api(0, false)
	out.Tags = apiTags(p.Tags)
	return &iamapi.CreatePolicyOutput{Policy: out}, nil
}

// GetPolicy describes an AWS or customer managed policy.
func (s *Service) GetPolicy(ctx context.Context, in *iamapi.GetPolicyInput) (*iamapi.GetPolicyOutput, error) {
	arn := awsapi.ToString(in.PolicyArn)
	p, err := anyPolicy(ctx, s.Store, arn)
	if err != nil {
		return nil, err
	}
	n, err := attachments(ctx, s.Store, arn)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetPolicyOutput{Policy: p.api(n, true)}, nil
}

// ListPolicies lists managed policies ordered by ARN: the account's own
// ("Local") before AWS's.
func (s *Service) ListPolicies(ctx context.Context, in *iamapi.ListPoliciesInput) (*iamapi.ListPoliciesOutput, error) {
	scope := awsapi.ToString(in.Scope)
	if scope == "" {
		scope = "All"
	}
	after, err := decodeMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	under := pathPrefix(in.PathPrefix)
	onlyAttached := awsapi.ToBool(in.OnlyAttached)
	n := maxItems(in.MaxItems)
	var out []iamapi.Policy
	var next *string
	last := ""
	// add offers a policy in ARN order; it returns false once the page is
	// full.
	add := func(p *policyValue) (bool, error) {
		if !under(p.Path) {
			return true, nil
		}
		c, err := attachments(ctx, s.Store, p.ARN)
		if err != nil {
			return false, err
		}
		if onlyAttached && c == 0 {
			return true, nil
		}
		if len(out) == n {
			next = encodeMarker(last)
			return false, nil
		}
		out = append(out, *p.api(c, false))
		last = p.ARN
		return true, nil
	}
	more := true
	if scope == "All" || scope == "Local" {
		from := after
		for more {
			objs, err := s.Store.ListObjects(ctx, kindPolicy, "", store.Page{After: from, Limit: batch})
			if err != nil {
				return nil, err
			}
			for _, o := range objs {
				p, err := decode[policyValue](o)
				if err != nil {
					return nil, err
				}
				if more, err = add(p); err != nil {
					return nil, err
				} else if !more {
					break
				}
			}
			if len(objs) < batch {
				break
			}
			from = objs[len(objs)-1].Key
		}
	}
	if more && (scope == "All" || scope == "AWS") {
		managed := slices.Clone(policy.AWSManagedPolicies())
		slices.SortFunc(managed, func(a, b *policy.ManagedPolicy) int { return strings.Compare(a.ARN, b.ARN) })
		for _, m := range managed {
			if m.ARN <= after {
				continue
			}
			if more, err = add(awsPolicy(m)); err != nil {
				return nil, err
			} else if !more {
				break
			}
		}
	}
	return &iamapi.ListPoliciesOutput{Policies: out, IsTruncated: truncated(next), Marker: next}, nil
}

// DeletePolicy deletes a customer managed policy that is attached nowhere
// and has no versions but its default one.
func (s *Service) DeletePolicy(ctx context.Context, in *iamapi.DeletePolicyInput) (*awsapi.Empty, error) {
	arn := awsapi.ToString(in.PolicyArn)
	err := s.Store.InObjectTx(ctx, func(tx store.ObjectTx) error {
		p, err := localPolicy(ctx, tx, arn)
		if err != nil {
			return err
		}
		if ok, err := exists(ctx, tx, kindPolicyEntity, arn+" "); err != nil {
			return err
		} else if ok {
			return iamapi.NewDeleteConflictException("Cannot delete a policy attached to entities.")
		}
		if len(p.Versions) > 1 {
			return iamapi.NewDeleteConflictException("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		if err := tx.DeleteObject(ctx, kindPolicy, arn); err != nil {
			return err
		}
		if err := tx.DeleteObject(ctx, kindPolicyName, nameKey(p.Name)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// updatePolicy changes a customer managed policy in one transaction.
func (s *Service) updatePolicy(ctx context.Context, arn string, change func(*policyValue) error) (*policyValue, error) {
	var p *policyValue
	_, err := s.Store.UpdateObject(ctx, kindPolicy, arn, func(o store.Object) (store.Object, error) {
		v, err := decode[policyValue](o)
		if err != nil {
			return o, err
		}
		if err := change(v); err != nil {
			return o, err
		}
		p = v
		o.Value = object(kindPolicy, arn, v).Value
		return o, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, policyNotFound(arn)
	}
	return p, err
}

// CreatePolicyVersion adds a version to a customer managed policy.
func (s *Service) CreatePolicyVersion(ctx context.Context, in *iamapi.CreatePolicyVersionInput) (*iamapi.CreatePolicyVersionOutput, error) {
	arn, doc := awsapi.ToString(in.PolicyArn), awsapi.ToString(in.PolicyDocument)
	if _, err := parseIdentityPolicy(doc); err != nil {
		return nil, err
	}
	var v versionValue
	p, err := s.updatePolicy(ctx, arn, func(p *policyValue) error {
		if len(p.Versions) >= maxPolicyVersions {
			return iamapi.NewLimitExceededExceptionf("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		now := s.now()
		v = versionValue{ID: "v" + strconv.Itoa(p.NextVersion), Document: doc, CreatedAt: now}
		p.NextVersion++
		p.Versions = append(p.Versions, v)
		p.UpdatedAt = now
		if awsapi.ToBool(in.SetAsDefault) {
			p.DefaultVersion = v.ID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	pv := p.apiVersion(v, false)
	return &iamapi.CreatePolicyVersionOutput{PolicyVersion: &pv}, nil
}

// GetPolicyVersion returns one version of a managed policy, its document
// URL-encoded.
func (s *Service) GetPolicyVersion(ctx context.Context, in *iamapi.GetPolicyVersionInput) (*iamapi.GetPolicyVersionOutput, error) {
	arn, id := awsapi.ToString(in.PolicyArn), awsapi.ToString(in.VersionId)
	p, err := anyPolicy(ctx, s.Store, arn)
	if err != nil {
		return nil, err
	}
	i, ok := p.version(id)
	if !ok {
		return nil, versionNotFound(arn, id)
	}
	pv := p.apiVersion(p.Versions[i], true)
	return &iamapi.GetPolicyVersionOutput{PolicyVersion: &pv}, nil
}

// ListPolicyVersions lists the versions of a managed policy, newest first,
// without their documents.
func (s *Service) ListPolicyVersions(ctx context.Context, in *iamapi.ListPolicyVersionsInput) (*iamapi.ListPolicyVersionsOutput, error) {
	p, err := anyPolicy(ctx, s.Store, awsapi.ToString(in.PolicyArn))
	if err != nil {
		return nil, err
	}
	start, end, next, err := pageIndex(len(p.Versions), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := []iamapi.PolicyVersion{}
	for i := start; i < end; i++ {
		out = append(out, p.apiVersion(p.Versions[len(p.Versions)-1-i], false))
	}
	return &iamapi.ListPolicyVersionsOutput{Versions: out, IsTruncated: truncated(next), Marker: next}, nil
}

// DeletePolicyVersion deletes a version that is not the default one.
func (s *Service) DeletePolicyVersion(ctx context.Context, in *iamapi.DeletePolicyVersionInput) (*awsapi.Empty, error) {
	arn, id := awsapi.ToString(in.PolicyArn), awsapi.ToString(in.VersionId)
	_, err := s.updatePolicy(ctx, arn, func(p *policyValue) error {
		i, ok := p.version(id)
		if !ok {
			return versionNotFound(arn, id)
		}
		if id == p.DefaultVersion {
			return iamapi.NewDeleteConflictException("Cannot delete the default version of a policy.")
		}
		p.Versions = slices.Delete(p.Versions, i, i+1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// SetDefaultPolicyVersion makes a version the one in effect.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, in *iamapi.SetDefaultPolicyVersionInput) (*awsapi.Empty, error) {
	arn, id := awsapi.ToString(in.PolicyArn), awsapi.ToString(in.VersionId)
	_, err := s.updatePolicy(ctx, arn, func(p *policyValue) error {
		if _, ok := p.version(id); !ok {
			return versionNotFound(arn, id)
		}
		p.DefaultVersion = id
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}
