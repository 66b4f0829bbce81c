package apigw

import (
	"context"
	"maps"
	"strings"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/store"
)

// maxTags is API Gateway's limit of tags on one resource.
const maxTags = 50

// tagTarget is the resource an ARN names: an API, a stage of an API, or a
// custom domain name.
type tagTarget struct{ apiID, stage, domain string }

// parseARN reads arn:aws:apigateway:{region}::/apis/{id},
// .../apis/{id}/stages/{name} and .../domainnames/{name}.
func (s *Service) parseARN(arn *string) (tagTarget, error) {
	a := awsapi.ToString(arn)
	bad := v2.NewBadRequestExceptionf("Invalid resource ARN %s: arn:aws:apigateway:%s::/apis/{apiId}, /apis/{apiId}/stages/{stageName} or /domainnames/{domainName}", a, s.Region)
	rest, ok := strings.CutPrefix(a, "arn:aws:apigateway:"+s.Region+"::/")
	if !ok {
		return tagTarget{}, bad
	}
	p := strings.Split(rest, "/")
	switch {
	case len(p) == 2 && p[0] == "apis" && p[1] != "":
		return tagTarget{apiID: p[1]}, nil
	case len(p) == 4 && p[0] == "apis" && p[1] != "" && p[2] == "stages" && p[3] != "":
		return tagTarget{apiID: p[1], stage: p[3]}, nil
	case len(p) == 2 && p[0] == "domainnames" && p[1] != "":
		return tagTarget{domain: p[1]}, nil
	}
	return tagTarget{}, bad
}

// editTags reads (edit nil) or changes the tags of the resource an ARN
// names and returns them.
func (s *Service) editTags(ctx context.Context, arn *string, edit func(map[string]string) error) (map[string]string, error) {
	t, err := s.parseARN(arn)
	if err != nil {
		return nil, err
	}
	var tags map[string]string
	apply := func(m *map[string]string) error {
		if *m == nil {
			*m = map[string]string{}
		}
		if edit != nil {
			if err := edit(*m); err != nil {
				return err
			}
		}
		tags = maps.Clone(*m)
		return nil
	}
	switch {
	case t.domain != "":
		if edit == nil {
			d, err := s.loadDomain(ctx, s.Store, &t.domain)
			if err != nil {
				return nil, err
			}
			err = apply(&d.Domain.Tags)
			return tags, err
		}
		_, err = s.updateDomain(ctx, &t.domain, func(_ store.ObjectTx, d *domainRecord) error { return apply(&d.Domain.Tags) })
	case edit == nil:
		r, err := s.load(ctx, &t.apiID)
		if err != nil {
			return nil, err
		}
		if t.stage == "" {
			err = apply(&r.Tags)
		} else if st := r.Stages[t.stage]; st != nil {
			err = apply(&st.Tags)
		} else {
			err = s.stageNotFound(t.stage)
		}
		return tags, err
	default:
		_, err = s.mutate(ctx, &t.apiID, func(r *apiRecord) error {
			if t.stage == "" {
				return apply(&r.Tags)
			}
			st := r.Stages[t.stage]
			if st == nil {
				return s.stageNotFound(t.stage)
			}
			return apply(&st.Tags)
		})
	}
	if err != nil {
		return nil, err
	}
	return tags, nil
}

// checkTags applies API Gateway's limits on tag keys and values.
func checkTags(tags map[string]string) error {
	for k, v := range tags {
		if k == "" || len(k) > 128 {
			return v2.NewBadRequestExceptionf("Invalid tag key %q: 1 to 128 characters", k)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return v2.NewBadRequestExceptionf("Invalid tag key %q: the aws: prefix is reserved", k)
		}
		if len(v) > 256 {
			return v2.NewBadRequestExceptionf("Invalid value of tag %q: at most 256 characters", k)
		}
	}
	return nil
}

// TagResource adds or replaces tags of an API, a stage or a domain name.
func (s *Service) TagResource(ctx context.Context, in *v2.TagResourceInput) (*v2.TagResourceOutput, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	_, err := s.editTags(ctx, in.ResourceArn, func(m map[string]string) error {
		maps.Copy(m, in.Tags)
		if len(m) > maxTags {
			return v2.NewBadRequestExceptionf("A resource may have at most %d tags", maxTags)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &v2.TagResourceOutput{}, nil
}

// UntagResource removes tags by key; unknown keys are ignored.
func (s *Service) UntagResource(ctx context.Context, in *v2.UntagResourceInput) (*awsapi.Empty, error) {
	if len(in.TagKeys) == 0 {
		return nil, v2.NewBadRequestException("TagKeys is required")
	}
	_, err := s.editTags(ctx, in.ResourceArn, func(m map[string]string) error {
		for _, k := range in.TagKeys {
			delete(m, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// GetTags returns the tags of an API, a stage or a domain name.
func (s *Service) GetTags(ctx context.Context, in *v2.GetTagsInput) (*v2.GetTagsOutput, error) {
	tags, err := s.editTags(ctx, in.ResourceArn, nil)
	if err != nil {
		return nil, err
	}
	return &v2.GetTagsOutput{Tags: tags}, nil
}
