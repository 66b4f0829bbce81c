package gateway

import "fmt"

// compileAuthorizers checks and prepares a set of authorizers by id.
func compileAuthorizers(as map[string]Authorizer) (map[string]*compiledAuthorizer, error) {
	out := make(map[string]*compiledAuthorizer, len(as))
	for id, a := range as {
		if a.ID == "" {
			a.ID = id
		}
		switch a.Type {
		case AuthJWT:
			if a.Issuer == "" {
				return nil, fmt.Errorf("gateway: JWT authorizer %q has no issuer", id)
			}
		case AuthCognito:
			if len(a.ProviderARNs) == 0 {
				return nil, fmt.Errorf("gateway: COGNITO_USER_POOLS authorizer %q has no providerARNs", id)
			}
		default:
			return nil, fmt.Errorf("gateway: authorizer %q: unsupported type %q", id, a.Type)
		}
		out[id] = compileAuthorizer(a)
	}
	return out, nil
}

// stageDefinition is what a stage serves: its deployment's snapshot when it
// has one (with that snapshot's authorizers), else the API's current
// routes, integrations and authorizers (apiAuthz, compiled once per API).
func stageDefinition(api *API, apiAuthz map[string]*compiledAuthorizer, st Stage) (*Definition, map[string]*compiledAuthorizer, error) {
	if st.Deployment == nil {
		return &Definition{Routes: api.Routes, Integrations: api.Integrations, Authorizers: api.Authorizers}, apiAuthz, nil
	}
	authz, err := compileAuthorizers(st.Deployment.Authorizers)
	if err != nil {
		return nil, nil, fmt.Errorf("stage %q: %w", st.Name, err)
	}
	return st.Deployment, authz, nil
}

// routeThrottle is the throttle of a route on this stage: the stage's
// route settings for its key, else the route's own; allow falls back to
// the stage's default route settings when neither limits anything.
func (st Stage) routeThrottle(rt Route) *Throttle {
	if t, ok := st.RouteSettings[rt.RouteKey]; ok {
		return &t
	}
	return rt.Throttle
}
