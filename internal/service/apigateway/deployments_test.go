package apigw

import (
	"strings"
	"testing"

	"github.com/ninsho/ninsho/internal/awsapi"
	v2 "github.com/ninsho/ninsho/internal/awsapi/apigatewayv2"
	"github.com/ninsho/ninsho/internal/gateway"
)

func routeKeys(rs []gateway.Route) string {
	var keys []string
	for _, r := range rs {
		keys = append(keys, r.RouteKey)
	}
	return strings.Join(keys, ",")
}

func TestDeploymentsPerStage(t *testing.T) {
	f := newFixture(t)
	id := f.api("deploy")
	integ := f.integration(id, testBackend)
	f.route(id, "GET /a", "NONE", "", integ)
	stage := func(name string) *v2.GetStageOutput {
		t.Helper()
		st, err := f.svc.GetStage(f.ctx, &v2.GetStageInput{ApiId: &id, StageName: &name})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if _, err := f.svc.CreateStage(f.ctx, &v2.CreateStageInput{ApiId: &id, StageName: awsapi.String("prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateStage(f.ctx, &v2.CreateStageInput{ApiId: &id, StageName: awsapi.String("beta"), AutoDeploy: awsapi.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	d1, err := f.svc.CreateDeployment(f.ctx, &v2.CreateDeploymentInput{ApiId: &id, StageName: awsapi.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	beta := *stage("beta").DeploymentId

	t.Run("a route change reaches AutoDeploy stages only, with a new deployment id", func(t *testing.T) {
		f.route(id, "GET /b", "NONE", "", integ)
		api, err := f.svc.GetAPI(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got := routeKeys(api.Stages["prod"].Deployment.Routes); got != "GET /a" {
			t.Fatalf("prod serves %s", got)
		}
		if api.Stages["beta"].Deployment != nil || len(api.Routes) != 2 {
			t.Fatalf("beta serves %+v, current %s", api.Stages["beta"].Deployment, routeKeys(api.Routes))
		}
		st := stage("beta")
		if *st.DeploymentId == beta || *st.LastDeploymentStatusMessage != "Successfully deployed stage with deployment ID '"+*st.DeploymentId+"'" {
			t.Fatalf("beta %s %s (was %s)", *st.DeploymentId, *st.LastDeploymentStatusMessage, beta)
		}
		if _, err := f.svc.GetDeployment(f.ctx, &v2.GetDeploymentInput{ApiId: &id, DeploymentId: &beta}); err == nil {
			t.Fatal("the replaced automatic deployment is still listed")
		}
		beta = *st.DeploymentId
	})
	t.Run("changing another stage does not redeploy an AutoDeploy stage", func(t *testing.T) {
		if _, err := f.svc.UpdateStage(f.ctx, &v2.UpdateStageInput{ApiId: &id, StageName: awsapi.String("prod"), Description: awsapi.String("x")}); err != nil {
			t.Fatal(err)
		}
		if got := *stage("beta").DeploymentId; got != beta {
			t.Fatalf("beta redeployed: %s -> %s", beta, got)
		}
	})
	var d2 string
	t.Run("a deployment without a stage is picked up by UpdateStage", func(t *testing.T) {
		d, err := f.svc.CreateDeployment(f.ctx, &v2.CreateDeploymentInput{ApiId: &id, Description: awsapi.String("second")})
		if err != nil {
			t.Fatal(err)
		}
		d2 = *d.DeploymentId
		api, _ := f.svc.GetAPI(f.ctx, id)
		if got := routeKeys(api.Stages["prod"].Deployment.Routes); got != "GET /a" {
			t.Fatalf("prod serves %s before moving", got)
		}
		if _, err := f.svc.UpdateStage(f.ctx, &v2.UpdateStageInput{ApiId: &id, StageName: awsapi.String("prod"), DeploymentId: &d2}); err != nil {
			t.Fatal(err)
		}
		api, _ = f.svc.GetAPI(f.ctx, id)
		if got := routeKeys(api.Stages["prod"].Deployment.Routes); got != "GET /b,GET /a" && got != "GET /a,GET /b" {
			t.Fatalf("prod serves %s", got)
		}
		if err := gateway.Compile(api); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a deployment no stage uses can be deleted; one in use cannot", func(t *testing.T) {
		if _, err := f.svc.DeleteDeployment(f.ctx, &v2.DeleteDeploymentInput{ApiId: &id, DeploymentId: d1.DeploymentId}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.DeleteDeployment(f.ctx, &v2.DeleteDeploymentInput{ApiId: &id, DeploymentId: &d2})
		wantErr(t, err, "BadRequestException", "stage prod")
		_, err = f.svc.DeleteDeployment(f.ctx, &v2.DeleteDeploymentInput{ApiId: &id, DeploymentId: d1.DeploymentId})
		wantErr(t, err, "NotFoundException", "Invalid Deployment identifier specified "+*d1.DeploymentId)
	})
	t.Run("UpdateDeployment changes the description only", func(t *testing.T) {
		d, err := f.svc.UpdateDeployment(f.ctx, &v2.UpdateDeploymentInput{ApiId: &id, DeploymentId: &d2, Description: awsapi.String("renamed")})
		if err != nil {
			t.Fatal(err)
		}
		if *d.Description != "renamed" || *d.DeploymentId != d2 || *d.AutoDeployed || *d.DeploymentStatus != "DEPLOYED" {
			t.Fatalf("deployment %+v", d)
		}
		g, _ := f.svc.GetDeployment(f.ctx, &v2.GetDeploymentInput{ApiId: &id, DeploymentId: &d2})
		if *g.Description != "renamed" {
			t.Fatalf("GetDeployment %+v", g)
		}
		_, err = f.svc.UpdateDeployment(f.ctx, &v2.UpdateDeploymentInput{ApiId: &id, DeploymentId: awsapi.String("nope")})
		wantErr(t, err, "NotFoundException", "Invalid Deployment identifier specified nope")
	})
	t.Run("deployments are refused to AutoDeploy stages, unknown ones to any stage", func(t *testing.T) {
		_, err := f.svc.CreateDeployment(f.ctx, &v2.CreateDeploymentInput{ApiId: &id, StageName: awsapi.String("beta")})
		wantErr(t, err, "BadRequestException", "AutoDeploy")
		_, err = f.svc.UpdateStage(f.ctx, &v2.UpdateStageInput{ApiId: &id, StageName: awsapi.String("prod"), DeploymentId: awsapi.String("nope")})
		wantErr(t, err, "NotFoundException", "Invalid Deployment identifier specified nope")
	})
	t.Run("a stage pointed at an automatic deployment keeps what it served", func(t *testing.T) {
		auto := *stage("beta").DeploymentId
		if _, err := f.svc.CreateStage(f.ctx, &v2.CreateStageInput{ApiId: &id, StageName: awsapi.String("pinned"), DeploymentId: &auto}); err != nil {
			t.Fatal(err)
		}
		f.route(id, "GET /pinned-later", "NONE", "", integ)
		api, _ := f.svc.GetAPI(f.ctx, id)
		if d := api.Stages["pinned"].Deployment; d == nil || len(d.Routes) != 2 || len(api.Routes) != 3 {
			t.Fatalf("pinned serves %+v; current %s", d, routeKeys(api.Routes))
		}
		if *stage("beta").DeploymentId == auto {
			t.Fatal("beta was not redeployed")
		}
		if _, err := f.svc.GetDeployment(f.ctx, &v2.GetDeploymentInput{ApiId: &id, DeploymentId: &auto}); err != nil {
			t.Fatalf("the automatic deployment pinned uses was dropped: %v", err)
		}
		if _, err := f.svc.DeleteStage(f.ctx, &v2.DeleteStageInput{ApiId: &id, StageName: awsapi.String("pinned")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("turning AutoDeploy on serves the current routes at once", func(t *testing.T) {
		f.route(id, "GET /c", "NONE", "", integ)
		st, err := f.svc.UpdateStage(f.ctx, &v2.UpdateStageInput{ApiId: &id, StageName: awsapi.String("prod"), AutoDeploy: awsapi.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if *st.DeploymentId == d2 {
			t.Fatal("prod still on its explicit deployment")
		}
		api, _ := f.svc.GetAPI(f.ctx, id)
		if api.Stages["prod"].Deployment != nil || len(api.Routes) != 4 {
			t.Fatalf("prod %+v", api.Stages["prod"])
		}
	})
}

func TestRouteSettingsPerStage(t *testing.T) {
	f := newFixture(t)
	id := f.api("settings")
	integ := f.integration(id, testBackend)
	f.route(id, "GET /a", "NONE", "", integ)
	f.route(id, "GET /b", "NONE", "", integ)
	st, err := f.svc.CreateStage(f.ctx, &v2.CreateStageInput{ApiId: &id, StageName: awsapi.String("dev"), AutoDeploy: awsapi.Bool(true),
		DefaultRouteSettings: &v2.RouteSettings{ThrottlingBurstLimit: awsapi.Int32(10), ThrottlingRateLimit: awsapi.Float64(5)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateStage(f.ctx, &v2.CreateStageInput{ApiId: &id, StageName: awsapi.String("other"), AutoDeploy: awsapi.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if len(st.RouteSettings) != 0 {
		t.Fatalf("stage %+v", st)
	}
	t.Run("UpdateStage sets a route's settings; unset limits come from the defaults", func(t *testing.T) {
		u, err := f.svc.UpdateStage(f.ctx, &v2.UpdateStageInput{ApiId: &id, StageName: awsapi.String("dev"), RouteSettings: map[string]v2.RouteSettings{
			"GET /a": {ThrottlingBurstLimit: awsapi.Int32(1), DetailedMetricsEnabled: awsapi.Bool(true)},
			"GET /b": {DetailedMetricsEnabled: awsapi.Bool(true)},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if rs := u.RouteSettings["GET /a"]; len(u.RouteSettings) != 2 || !*rs.DetailedMetricsEnabled || *rs.ThrottlingBurstLimit != 1 || rs.ThrottlingRateLimit != nil {
			t.Fatalf("route settings %+v", u.RouteSettings)
		}
		api, _ := f.svc.GetAPI(f.ctx, id)
		dev := api.Stages["dev"]
		if len(dev.RouteSettings) != 1 || dev.RouteSettings["GET /a"] != (gateway.Throttle{BurstLimit: 1, RateLimit: 5}) {
			t.Fatalf("dev route settings %+v", dev.RouteSettings)
		}
		if api.Stages["other"].RouteSettings != nil {
			t.Fatalf("other stage %+v", api.Stages["other"])
		}
		for _, r := range api.Routes {
			if r.Throttle != nil {
				t.Fatalf("a stage's settings leaked into route %+v", r)
			}
		}
	})
	t.Run("DeleteRouteSettings removes one route's settings", func(t *testing.T) {
		if _, err := f.svc.DeleteRouteSettings(f.ctx, &v2.DeleteRouteSettingsInput{ApiId: &id, StageName: awsapi.String("dev"), RouteKey: awsapi.String("GET /a")}); err != nil {
			t.Fatal(err)
		}
		api, _ := f.svc.GetAPI(f.ctx, id)
		if len(api.Stages["dev"].RouteSettings) != 0 {
			t.Fatalf("dev route settings %+v", api.Stages["dev"].RouteSettings)
		}
		_, err := f.svc.DeleteRouteSettings(f.ctx, &v2.DeleteRouteSettingsInput{ApiId: &id, StageName: awsapi.String("dev"), RouteKey: awsapi.String("GET /a")})
		wantErr(t, err, "NotFoundException", "Unable to find Route by key GET /a within the provided RouteSettings")
	})
	t.Run("execution logs are refused, as HTTP APIs have none", func(t *testing.T) {
		_, err := f.svc.UpdateStage(f.ctx, &v2.UpdateStageInput{ApiId: &id, StageName: awsapi.String("dev"),
			RouteSettings: map[string]v2.RouteSettings{"GET /a": {LoggingLevel: awsapi.String("INFO")}}})
		wantErr(t, err, "BadRequestException", "Execution logs are not supported on protocolType HTTP")
		_, err = f.svc.UpdateStage(f.ctx, &v2.UpdateStageInput{ApiId: &id, StageName: awsapi.String("dev"),
			DefaultRouteSettings: &v2.RouteSettings{DataTraceEnabled: awsapi.Bool(true)}})
		wantErr(t, err, "BadRequestException", "Execution logs are not supported on protocolType HTTP")
	})
	t.Run("settings of a route the API does not have are NotFound", func(t *testing.T) {
		_, err := f.svc.UpdateStage(f.ctx, &v2.UpdateStageInput{ApiId: &id, StageName: awsapi.String("dev"),
			RouteSettings: map[string]v2.RouteSettings{"GET /zzz": {ThrottlingBurstLimit: awsapi.Int32(1)}}})
		wantErr(t, err, "NotFoundException", "Unable to find Route by key GET /zzz")
	})
}
