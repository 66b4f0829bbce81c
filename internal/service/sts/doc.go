// Package sts implements AWS STS (the query protocol's "sts" service): who
// the caller is (GetCallerIdentity, GetAccessKeyInfo) and temporary
// credentials (AssumeRole, GetSessionToken). The same temporary credentials
// back identity-pool sessions: the identity-pool service calls
// Service.IssueRoleSession, and the SigV4 verifier finds every "ASIA" key
// through Service.LookupCredential.
//
// AssumeRoleWithWebIdentity (unsigned) exchanges a web identity token that
// ninsho issued for a role session: an identity pool's OpenID token (iss
// <IssuerBase>/cognito-identity; federated principal
// "cognito-identity.amazonaws.com", condition keys
// cognito-identity.amazonaws.com:aud, :amr, :sub) or a user pool's ID or
// access token (iss <IssuerBase>/<pool id>), which needs an IAM OIDC provider
// whose URL is the issuer without its scheme and whose client ids hold the
// token's aud (client_id for access tokens); the federated principal is then
// the provider's ARN and the condition keys <url>:aud and <url>:sub. Tokens
// are verified through Service.WebIdentity (TokensVerifier checks them with
// ninsho's signing keys) and providers found through Service.OIDCProviders.
// The session carries the condition keys in its Context.
//
// AssumeRoleWithSAML, GetFederationToken and the other operations of the
// model are not implemented yet (the generated UnimplementedAPI answers
// them).
//
// # Stored objects
//
// Kind "sts.credential" (ObjectKind), key = the access key id
// ("ASIA" + 16 upper-case alphanumerics). The value is the JSON of
// credentialRecord:
//
//   - the secret access key, either in clear ("secret") when Service.MasterKey
//     is nil, or sealed ("sealedSecret": 12-byte nonce followed by the
//     AES-256-GCM ciphertext; the key is HKDF-SHA256(MasterKey, info
//     "ninsho sts.credential secret v1"), the additional data is
//     "sts.credential/<access key id>", so a sealed secret cannot be moved to
//     another key). A record written in clear stays readable after a master
//     key is configured; a sealed record without the master key is an error.
//   - "tokenHash": SHA-256 of the session token. The token itself is never
//     stored: it is shown once, in the issuing response.
//   - "issued", "expiration": when the session started and ends. The
//     object's ExpiresAt is the expiration too, so that the store's janitor
//     (DeleteExpiredObjects) removes it; until then LookupCredential still
//     finds it and the verifier answers ExpiredTokenException rather than
//     "invalid token", as AWS does.
//   - everything the caller's principal.Principal needs: "kind" ("Root",
//     "User", "AssumedRole"), "account", "arn", "userId", "userName",
//     "roleName", "roleArn", "sessionName", "sessionPolicy", "tags",
//     "context"; and what role chaining needs from the calling session:
//     "transitiveTagKeys", "sourceIdentity".
//
// Sessions are never updated after they are issued.
package sts
