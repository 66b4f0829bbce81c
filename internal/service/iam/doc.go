// Package iamsvc implements the part of AWS IAM that ninsho's seeds,
// identity pools and gateway need: roles and their trust policies, inline
// and managed policies (AWS managed ones built in, from internal/iam/policy),
// attachments, IAM users and their access keys, and OpenID Connect
// providers. Typed methods implement iamapi.API; the query protocol is
// internal/awsproto's.
//
// Other services use the exported helpers: RoleByARN (STS, identity pools),
// RolePolicies and UserPolicies (the authorizer, on every signed request;
// parsed documents are cached by the stored value they come from, so a
// request decodes no policy JSON once a policy has been seen),
// AccessKeyByID and NoteAccessKeyUsed (the SigV4 layer).
//
// As on AWS, role, user and managed-policy names are unique without case
// and keep the case they were created with; tag keys of roles and users
// compare without case; policy documents are kept as given and returned
// percent-encoded (RFC 3986) by GetRole, ListRoles, CreateRole,
// GetRolePolicy, GetUserPolicy and GetPolicyVersion.
//
// # Objects
//
// Everything is kept as JSON objects in a store.ObjectStore. Keys built
// from a role or user name use its lower-cased form ("<name>" below).
//
//	kind                  key                          value
//	iam.role              <role>                       role: id, ARN, path, trust policy, tags, ...
//	iam.role-policy       <role>/<policy name>         inline policy of a role
//	iam.role-attachment   <role>/<policy ARN>          managed policy attached to a role
//	iam.user              <user>                       user: id, ARN, path, tags, its access key ids
//	iam.user-policy       <user>/<policy name>         inline policy of a user
//	iam.user-attachment   <user>/<policy ARN>          managed policy attached to a user
//	iam.policy            <policy ARN>                 customer managed policy, every version inside
//	iam.policy-name       <policy name>                reserves a managed policy name (lower-cased)
//	iam.policy-entity     <policy ARN> role/<role>     reverse of an attachment (a space separates:
//	                      <policy ARN> user/<user>     ARNs have none): attachment counts,
//	                                                   ListEntitiesForPolicy, delete conflicts
//	iam.access-key        <access key id>              access key: secret, owner, status, last use
//	iam.oidc-provider     <provider ARN>               OpenID Connect provider
//
// Operations that touch several objects (deleting a role or user while
// policies or keys remain, attaching, deleting an attached policy, the
// access-key quota) run in one store transaction (InObjectTx), so the
// invariants hold under concurrent requests.
package iamsvc
