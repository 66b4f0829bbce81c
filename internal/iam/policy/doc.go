// Package policy parses IAM policy documents and evaluates requests
// against them, following AWS's "IAM JSON policy element reference" and
// "Policy evaluation logic".
//
// # Parsing
//
// Parse checks a document's grammar; ParseIdentity, ParseResource and
// ParseTrust (or ParseWith and a Kind) add the rules of each kind of policy:
// an identity-based policy has no Principal and needs a Resource, a
// resource-based policy needs a Principal, and a role trust policy needs a
// Principal, has no Resource and grants only sts actions. Every element
// takes a single value or an array ("Action": "s3:*" or ["s3:*"]). Unknown
// keys, a missing or misspelled Effect, both Action and NotAction (or
// neither), both Resource and NotResource, unknown condition operators and
// the like are refused with an *awserr.Error of code MalformedPolicyDocument
// worded as IAM words it where known ("Syntax errors in policy.", "Policy
// statement must contain actions.", "Policy document should not specify a
// principal.", ...). Documents are capped at MaxDocumentSize bytes and ten
// levels of JSON nesting; Options.MaxSize applies one of IAM's size quotas
// (ManagedPolicySizeQuota, InlineRolePolicySizeQuota, ...) in IAM's
// counting (Size: white space is not counted) and answers LimitExceeded.
//
// Versions "2012-10-17" and "2008-10-17" are accepted; a document without
// Version follows 2008-10-17, where ${...} is plain text.
//
// # Evaluation
//
// Evaluate (and Document.Evaluate) decide a Request: an explicit Deny in
// any document wins, otherwise any matching Allow allows, otherwise the
// request is implicitly denied. A statement matches when all of these do:
//
//   - Action / NotAction: '*' and '?' wildcards, without case.
//   - Resource / NotResource: ARNs with case; '*' and '?' match within a
//     colon-separated segment, and a '*' ending a segment also matches the
//     colons and segments after it, so "arn:aws:execute-api:*:*:*" matches
//     any execute-api ARN and "*" matches everything (including the "*"
//     resource of actions without resource-level permissions). A statement
//     without either matches any resource (trust policies).
//   - Principal / NotPrincipal: "*" and {"AWS": "*"} name every caller,
//     anonymous (nil) ones included; an account id or
//     "arn:aws:iam::<account>:root" names every IAM principal of the
//     account; a role ARN names the role and its assumed-role sessions;
//     user, session and other ARNs, CanonicalUser ids must be equal; Service
//     and Federated names ("cognito-identity.amazonaws.com", an OIDC or SAML
//     provider ARN) compare without case. A statement without either
//     matches any caller (identity policies).
//   - Condition: operators are ANDed, keys within an operator are ANDed, the
//     values of a key are ORed. Every operator of the Condition operators
//     page is supported - String*, Numeric*, Date* (ISO 8601 or epoch
//     seconds), Bool, BinaryEquals, IpAddress/NotIpAddress (IPv4 and IPv6
//     CIDR), ArnEquals/ArnLike/ArnNotEquals/ArnNotLike, Null - with the
//     ...IfExists suffix and the ForAnyValue: and ForAllValues: qualifiers.
//     A key absent from the request makes a plain operator false and a
//     negated one (StringNotEquals, NotIpAddress, ArnNotLike, ...) true;
//     ...IfExists is true; ForAllValues is true and ForAnyValue false. A key
//     present with no values counts as absent. Condition keys compare
//     without case; aws:CurrentTime and aws:EpochTime default to the
//     evaluation time.
//
// # Policy variables
//
// In version 2012-10-17, Resource and NotResource values and the values of
// String*, Arn* and Bool conditions may hold ${key} (a condition key such
// as ${aws:username}, ${aws:PrincipalTag/team} or
// ${cognito-identity.amazonaws.com:sub}), ${key, 'default'}, and the
// escapes ${*}, ${?} and ${$} for a literal '*', '?' and '$'. A substituted
// value is literal text: its '*' and '?' are not wildcards. A variable
// resolves to the key's value when the request has exactly one; when it has
// none, or several, and the variable has no default, the whole statement
// does not match - neither allowing nor denying - as AWS documents ("If AWS
// cannot resolve a variable this might cause the entire statement to be
// invalid").
//
// # Performance
//
// Patterns are compiled at parse time into a small glob matcher; no regular
// expressions are used. Evaluate does not allocate except for a pattern
// with variables expanding beyond 256 bytes or an ARN with more than 63
// colons whose pattern has a '*' ending an inner segment. Documents are
// immutable and safe for concurrent use.
//
// # Managed policies
//
// AWSManaged and AWSManagedPolicies return built-in AWS managed policies
// (AdministratorAccess, AmazonAPIGatewayInvokeFullAccess,
// AmazonCognitoDeveloperAuthenticatedIdentities, AmazonCognitoPowerUser,
// AmazonCognitoReadOnly, IAMFullAccess, IAMReadOnlyAccess) with the
// documents, policy ids, default versions and dates AWS publishes.
package policy
