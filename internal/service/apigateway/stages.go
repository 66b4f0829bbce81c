package apigw

import (
	"context"
	"maps"
	"regexp"
	"slices"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/gateway"
	"github.com/ninsho/ninsho/internal/store"
)

var (
	stageNameRE   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	stageVarKeyRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	stageVarValRE = regexp.MustCompile(`^[A-Za-z0-9\-._~:/?#&=,]{0,512}$`)
)

func (s *Service) stageNotFound(name string) error {
	return v2.NewNotFoundExceptionf("Invalid stage identifier specified %s", name)
}

func (s *Service) deploymentNotFound(id string) error {
	return v2.NewNotFoundExceptionf("Invalid Deployment identifier specified %s", id)
}

func checkRouteSettings(rs *v2.RouteSettings) error {
	if rs == nil {
		return nil
	}
	// Execution logs (LoggingLevel, DataTraceEnabled) are for WebSocket
	// APIs; HTTP APIs refuse them with this message.
	if rs.LoggingLevel != nil || awsapi.ToBool(rs.DataTraceEnabled) {
		return v2.NewBadRequestException("Execution logs are not supported on protocolType HTTP")
	}
	if rs.ThrottlingBurstLimit != nil && *rs.ThrottlingBurstLimit < 0 {
		return v2.NewBadRequestException("ThrottlingBurstLimit must not be negative")
	}
	if rs.ThrottlingRateLimit != nil && *rs.ThrottlingRateLimit < 0 {
		return v2.NewBadRequestException("ThrottlingRateLimit must not be negative")
	}
	return nil
}

// checkStage validates a stage as it will be stored.
func (s *Service) checkStage(r *apiRecord, st *v2.Stage) error {
	if err := checkRouteSettings(st.DefaultRouteSettings); err != nil {
		return err
	}
	for _, key := range slices.Sorted(maps.Keys(st.RouteSettings)) {
		found := false
		for _, rt := range r.Routes {
			found = found || awsapi.ToString(rt.RouteKey) == key
		}
		if !found {
			return v2.NewNotFoundExceptionf("Unable to find Route by key %s within the provided RouteSettings", key)
		}
		rs := st.RouteSettings[key]
		if err := checkRouteSettings(&rs); err != nil {
			return err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(st.StageVariables)) {
		if !stageVarKeyRE.MatchString(k) {
			return v2.NewBadRequestExceptionf("Invalid stage variable name %q: use 1 to 64 letters, digits and underscores", k)
		}
		if !stageVarValRE.MatchString(st.StageVariables[k]) {
			return v2.NewBadRequestExceptionf("Invalid value of stage variable %s", k)
		}
	}
	if id := awsapi.ToString(st.DeploymentId); id != "" && r.Deployments[id] == nil {
		return s.deploymentNotFound(id)
	}
	if st.AccessLogSettings != nil && awsapi.ToString(st.AccessLogSettings.Format) == "" {
		return v2.NewBadRequestException("AccessLogSettings.Format is required: a line of $context variables, e.g. $context.requestId $context.status")
	}
	return nil
}

// freeze makes the deployment of a stage without AutoDeploy a snapshot. An
// automatic deployment serves the current definition while AutoDeploy
// stages use it; once a stage without AutoDeploy uses it (AutoDeploy turned
// off, or a DeploymentId naming it), it keeps what it served at that
// moment, which is the current definition: automatic deployments are
// replaced on every change.
func (r *apiRecord) freeze(st *v2.Stage) {
	if awsapi.ToBool(st.AutoDeploy) {
		return
	}
	if d := r.Deployments[awsapi.ToString(st.DeploymentId)]; d != nil && d.Snapshot == nil {
		d.Snapshot = r.definition.clone()
	}
}

// CreateStage adds a stage. It serves requests once it has a deployment:
// at once with AutoDeploy, else after CreateDeployment names it (or when
// created with a DeploymentId).
func (s *Service) CreateStage(ctx context.Context, in *v2.CreateStageInput) (*v2.CreateStageOutput, error) {
	name, err := required("StageName", in.StageName)
	if err != nil {
		return nil, err
	}
	if name != gateway.DefaultStage && !stageNameRE.MatchString(name) {
		return nil, v2.NewBadRequestExceptionf("Invalid stage name %q: stage names contain only alphanumeric characters, hyphens and underscores (at most 128), or are $default", name)
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	var st *v2.Stage
	rec, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		if r.Stages[name] != nil {
			return v2.NewConflictExceptionf("Stage %s already exists", name)
		}
		now := awsapi.ISO8601Timestamp{Time: s.now()}
		st = &v2.Stage{
			AccessLogSettings: in.AccessLogSettings, AutoDeploy: awsapi.Bool(awsapi.ToBool(in.AutoDeploy)),
			CreatedDate: &now, DefaultRouteSettings: in.DefaultRouteSettings, DeploymentId: in.DeploymentId,
			Description: in.Description, LastUpdatedDate: &now, RouteSettings: in.RouteSettings,
			StageName: awsapi.String(name), StageVariables: in.StageVariables, Tags: in.Tags,
		}
		if st.DefaultRouteSettings == nil {
			st.DefaultRouteSettings = &v2.RouteSettings{DetailedMetricsEnabled: awsapi.Bool(false)}
		}
		if st.RouteSettings == nil {
			st.RouteSettings = map[string]v2.RouteSettings{}
		}
		if st.StageVariables == nil {
			st.StageVariables = map[string]string{}
		}
		if st.Tags == nil {
			st.Tags = map[string]string{}
		}
		if err := s.checkStage(r, st); err != nil {
			return err
		}
		r.freeze(st)
		r.Stages[name] = st
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.CreateStageOutput(*rec.Stages[name])
	return &out, nil
}

// GetStage returns a stage.
func (s *Service) GetStage(ctx context.Context, in *v2.GetStageInput) (*v2.GetStageOutput, error) {
	r, err := s.load(ctx, in.ApiId)
	if err != nil {
		return nil, err
	}
	st := r.Stages[awsapi.ToString(in.StageName)]
	if st == nil {
		return nil, s.stageNotFound(awsapi.ToString(in.StageName))
	}
	out := v2.GetStageOutput(*st)
	return &out, nil
}

// GetStages lists an API's stages by name.
func (s *Service) GetStages(ctx context.Context, in *v2.GetStagesInput) (*v2.GetStagesOutput, error) {
	r, err := s.load(ctx, in.ApiId)
	if err != nil {
		return nil, err
	}
	items, next, err := pageValues(r.Stages, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &v2.GetStagesOutput{Items: items, NextToken: next}, nil
}

// UpdateStage changes a stage. Turning AutoDeploy off freezes what the
// stage serves at that moment (freeze).
func (s *Service) UpdateStage(ctx context.Context, in *v2.UpdateStageInput) (*v2.UpdateStageOutput, error) {
	name := awsapi.ToString(in.StageName)
	rec, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		old := r.Stages[name]
		if old == nil {
			return s.stageNotFound(name)
		}
		st := *old
		if in.AutoDeploy != nil {
			st.AutoDeploy = in.AutoDeploy
		}
		if in.AccessLogSettings != nil {
			st.AccessLogSettings = in.AccessLogSettings
		}
		if in.DefaultRouteSettings != nil {
			st.DefaultRouteSettings = in.DefaultRouteSettings
		}
		if in.DeploymentId != nil {
			st.DeploymentId = in.DeploymentId
		}
		if in.Description != nil {
			st.Description = in.Description
		}
		if in.RouteSettings != nil {
			rs := maps.Clone(st.RouteSettings)
			if rs == nil {
				rs = map[string]v2.RouteSettings{}
			}
			maps.Copy(rs, in.RouteSettings)
			st.RouteSettings = rs
		}
		if in.StageVariables != nil {
			// As AWS does, an empty value removes a variable.
			vars := maps.Clone(st.StageVariables)
			if vars == nil {
				vars = map[string]string{}
			}
			for k, v := range in.StageVariables {
				if v == "" {
					delete(vars, k)
				} else {
					vars[k] = v
				}
			}
			st.StageVariables = vars
		}
		now := awsapi.ISO8601Timestamp{Time: s.now()}
		st.LastUpdatedDate = &now
		if err := s.checkStage(r, &st); err != nil {
			return err
		}
		r.freeze(&st)
		r.Stages[name] = &st
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.UpdateStageOutput(*rec.Stages[name])
	return &out, nil
}

// DeleteRouteSettings removes a stage's settings of one route.
func (s *Service) DeleteRouteSettings(ctx context.Context, in *v2.DeleteRouteSettingsInput) (*awsapi.Empty, error) {
	name := awsapi.ToString(in.StageName)
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		st := r.Stages[name]
		if st == nil {
			return s.stageNotFound(name)
		}
		key := awsapi.ToString(in.RouteKey)
		if _, ok := st.RouteSettings[key]; !ok {
			return v2.NewNotFoundExceptionf("Unable to find Route by key %s within the provided RouteSettings", key)
		}
		delete(st.RouteSettings, key)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// DeleteStage removes a stage.
func (s *Service) DeleteStage(ctx context.Context, in *v2.DeleteStageInput) (*awsapi.Empty, error) {
	name := awsapi.ToString(in.StageName)
	_, err := s.mutateTx(ctx, in.ApiId, func(tx store.ObjectTx, r *apiRecord) error {
		if r.Stages[name] == nil {
			return s.stageNotFound(name)
		}
		if mapped, err := mappedDomain(ctx, tx, r.ID, name); err != nil || mapped != "" {
			if err == nil {
				err = v2.NewBadRequestExceptionf("Deleting stage %s failed. Please remove all API mappings for the stage from your custom domain names: %s", name, mapped)
			}
			return err
		}
		delete(r.Stages, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// CreateDeployment freezes the API's routes, integrations and authorizers;
// with StageName, that stage serves them from now on.
func (s *Service) CreateDeployment(ctx context.Context, in *v2.CreateDeploymentInput) (*v2.CreateDeploymentOutput, error) {
	var d *deploymentRec
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		var st *v2.Stage
		if name := awsapi.ToString(in.StageName); name != "" {
			if st = r.Stages[name]; st == nil {
				return s.stageNotFound(name)
			}
			if awsapi.ToBool(st.AutoDeploy) {
				return v2.NewBadRequestExceptionf("Stage %s has AutoDeploy enabled: it is deployed on every change", name)
			}
		}
		now := awsapi.ISO8601Timestamp{Time: s.now()}
		d = &deploymentRec{
			Deployment: v2.Deployment{
				AutoDeployed: awsapi.Bool(false), CreatedDate: &now, DeploymentId: awsapi.String(newID(6)),
				DeploymentStatus: awsapi.String("DEPLOYED"), Description: in.Description,
			},
			Snapshot: r.definition.clone(),
		}
		r.Deployments[*d.DeploymentId] = d
		if st != nil {
			st.DeploymentId = d.DeploymentId
			st.LastUpdatedDate = &now
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.CreateDeploymentOutput(d.Deployment)
	return &out, nil
}

// GetDeployment returns a deployment.
func (s *Service) GetDeployment(ctx context.Context, in *v2.GetDeploymentInput) (*v2.GetDeploymentOutput, error) {
	r, err := s.load(ctx, in.ApiId)
	if err != nil {
		return nil, err
	}
	d := r.Deployments[awsapi.ToString(in.DeploymentId)]
	if d == nil {
		return nil, s.deploymentNotFound(awsapi.ToString(in.DeploymentId))
	}
	out := v2.GetDeploymentOutput(d.Deployment)
	return &out, nil
}

// GetDeployments lists an API's deployments by id: the explicit ones and
// the automatic ones stages currently serve.
func (s *Service) GetDeployments(ctx context.Context, in *v2.GetDeploymentsInput) (*v2.GetDeploymentsOutput, error) {
	r, err := s.load(ctx, in.ApiId)
	if err != nil {
		return nil, err
	}
	ids, next, err := page(slices.Sorted(maps.Keys(r.Deployments)), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &v2.GetDeploymentsOutput{Items: []v2.Deployment{}, NextToken: next}
	for _, id := range ids {
		out.Items = append(out.Items, r.Deployments[id].Deployment)
	}
	return out, nil
}

// DeleteDeployment removes a deployment no stage serves.
func (s *Service) DeleteDeployment(ctx context.Context, in *v2.DeleteDeploymentInput) (*awsapi.Empty, error) {
	_, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		id := awsapi.ToString(in.DeploymentId)
		if r.Deployments[id] == nil {
			return s.deploymentNotFound(id)
		}
		for _, n := range slices.Sorted(maps.Keys(r.Stages)) {
			if awsapi.ToString(r.Stages[n].DeploymentId) == id {
				return v2.NewBadRequestExceptionf("Active stages pointing to this deployment must be moved or deleted: stage %s", n)
			}
		}
		delete(r.Deployments, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsapi.Empty{}, nil
}

// UpdateDeployment changes a deployment's description; what it serves
// never changes.
func (s *Service) UpdateDeployment(ctx context.Context, in *v2.UpdateDeploymentInput) (*v2.UpdateDeploymentOutput, error) {
	id := awsapi.ToString(in.DeploymentId)
	rec, err := s.mutate(ctx, in.ApiId, func(r *apiRecord) error {
		d := r.Deployments[id]
		if d == nil {
			return s.deploymentNotFound(id)
		}
		if in.Description != nil {
			d.Description = in.Description
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := v2.UpdateDeploymentOutput(rec.Deployments[id].Deployment)
	return &out, nil
}
