// Package identitypool implements Amazon Cognito identity pools (the JSON
// 1.1 service "cognito-identity", target prefix AWSCognitoIdentityService):
// pools and their roles, role mappings, principal-tag maps and tags;
// identities (GetId, DescribeIdentity, ListIdentities, DeleteIdentities,
// UnlinkIdentity); the enhanced authentication flow
// (GetCredentialsForIdentity, which issues STS role sessions named
// "CognitoIdentityCredentials"); OpenID tokens (GetOpenIdToken,
// GetOpenIdTokenForDeveloperIdentity) and developer-authenticated identities
// (LookupDeveloperIdentity, MergeDeveloperIdentities,
// UnlinkDeveloperIdentity).
//
// # Identity providers
//
// A pool trusts the server's own user pools under Cognito's provider names,
// "cognito-idp.<region>.amazonaws.com/<user pool id>", whatever the issuer
// setting: a login's ID token is verified by UserPoolTokens (signature with
// the user pool's keys, iss, token_use "id", exp) and its aud must be one of
// the ClientIds the pool lists for that provider. The provider
// "cognito-identity.amazonaws.com" accepts the pool's own OpenID tokens
// (from GetOpenIdTokenForDeveloperIdentity or GetOpenIdToken) for the
// identity they name. SupportedLoginProviders (Google, Facebook, ...), OIDC
// and SAML providers are stored and returned but their tokens are refused
// ("Token is not from a supported provider of this identity pool."), as
// ninsho cannot verify them. ServerSideTokenCheck is stored, not enforced.
//
// # OpenID tokens
//
// GetOpenIdToken and GetOpenIdTokenForDeveloperIdentity return RS256 JWTs
// signed with the keys of scope "cognito-identity" (use "openid"), with iss
// IssuerBase + "/cognito-identity" (Cognito's own is
// https://cognito-identity.amazonaws.com), sub = identity id, aud = pool id,
// amr, iat, exp and "https://cognito-identity.amazonaws.com/identity-pool-arn".
// The key set is served at GET /cognito-identity/.well-known/jwks_uri.
//
// # Stored objects
//
// All values are JSON; multi-object writes happen in one InObjectTx.
//
//   - Kind "identity.pool", key = pool id ("<region>:<uuid>"): poolRecord,
//     the pool's settings, tags, roles, role mappings and principal-tag maps.
//   - Kind "identity.identity", key = pool id + "/" + identity id:
//     identityRecord, the identity's linked logins (provider and subject)
//     and dates.
//   - Kind "identity.login", key = pool id + "/" + provider + "/" + subject:
//     loginRecord, the identity id the login belongs to. For a user pool the
//     subject is the ID token's sub; for a developer provider it is the
//     developer user identifier. The same login always finds the same
//     identity.
//   - Kind "identity.ref", key = identity id: refRecord, the pool id of the
//     identity, for the operations given an identity id only.
package identitypool
