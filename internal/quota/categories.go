package quota

// The request-rate quotas Amazon Cognito documents ("Quotas in Amazon
// Cognito": user pools API operation categories and request rate quotas;
// identity pools API operation request rate quotas), with their defaults in
// requests per second. Quotas apply per account and Region, summed over
// every user pool.

// Categories of the user-pool API.
const (
	UserAuthentication     = "UserAuthentication"
	UserCreation           = "UserCreation"
	UserAccountRecovery    = "UserAccountRecovery"
	UserRead               = "UserRead"
	UserUpdate             = "UserUpdate"
	UserToken              = "UserToken"
	UserResourceRead       = "UserResourceRead"
	UserResourceUpdate     = "UserResourceUpdate"
	UserList               = "UserList"
	UserPoolRead           = "UserPoolRead"
	UserPoolUpdate         = "UserPoolUpdate"
	UserPoolResourceRead   = "UserPoolResourceRead"
	UserPoolResourceUpdate = "UserPoolResourceUpdate"
	UserPoolClientRead     = "UserPoolClientRead"
	UserPoolClientUpdate   = "UserPoolClientUpdate"
)

// PerUser is the name of the per-user quota in a spec: each user may make
// this many "read" and as many "write" requests per second.
const PerUser = "PerUser"

// DefaultRates are Cognito's default quotas: the user-pool categories, the
// per-user quota, and the identity-pool operations (named by operation).
var DefaultRates = map[string]float64{
	UserAuthentication:     120,
	UserCreation:           50,
	UserAccountRecovery:    30,
	UserRead:               120,
	UserUpdate:             25,
	UserToken:              120,
	UserResourceRead:       50,
	UserResourceUpdate:     25,
	UserList:               30,
	UserPoolRead:           15,
	UserPoolUpdate:         15,
	UserPoolResourceRead:   20,
	UserPoolResourceUpdate: 15,
	UserPoolClientRead:     15,
	UserPoolClientUpdate:   15,
	PerUser:                10,

	"GetId":                              25,
	"GetOpenIdToken":                     200,
	"GetCredentialsForIdentity":          200,
	"GetOpenIdTokenForDeveloperIdentity": 50,
	"ListIdentities":                     5,
	"DeleteIdentities":                   10,
	"TagResource":                        5,
	"UntagResource":                      5,
	"ListTagsForResource":                10,
}

// perPoolRate is the rate at which any single operation of the categories
// in perPoolCategories may be called for one user pool.
const perPoolRate = 5

var perPoolCategories = map[string]bool{
	UserPoolResourceRead: true, UserPoolResourceUpdate: true,
	UserPoolClientRead: true, UserPoolClientUpdate: true,
}

// writeCategories count against a user's "write" quota; the other user
// categories against the "read" one (signing in, reading the profile or
// devices).
var writeCategories = map[string]bool{
	UserCreation: true, UserAccountRecovery: true, UserUpdate: true, UserResourceUpdate: true,
}

// categoryOf maps each user-pool operation to its category. Operations not
// listed (those of features Cognito does not meter this way) are not
// limited.
var categoryOf = map[string]string{
	"InitiateAuth":                UserAuthentication,
	"AdminInitiateAuth":           UserAuthentication,
	"RespondToAuthChallenge":      UserAuthentication, // see Limiter.Allow
	"AdminRespondToAuthChallenge": UserAuthentication,
	"GetTokensFromRefreshToken":   UserAuthentication,

	"SignUp":             UserCreation,
	"ConfirmSignUp":      UserCreation,
	"AdminCreateUser":    UserCreation,
	"AdminConfirmSignUp": UserCreation,

	"ChangePassword":         UserAccountRecovery,
	"ConfirmForgotPassword":  UserAccountRecovery,
	"ForgotPassword":         UserAccountRecovery,
	"AdminResetUserPassword": UserAccountRecovery,
	"AdminSetUserPassword":   UserAccountRecovery,

	"AdminGetUser": UserRead,
	"GetUser":      UserRead,

	"AdminAddUserToGroup":         UserUpdate,
	"AdminDeleteUserAttributes":   UserUpdate,
	"AdminUpdateUserAttributes":   UserUpdate,
	"AdminDeleteUser":             UserUpdate,
	"AdminDisableUser":            UserUpdate,
	"AdminEnableUser":             UserUpdate,
	"AdminLinkProviderForUser":    UserUpdate,
	"AdminDisableProviderForUser": UserUpdate,
	"VerifyUserAttribute":         UserUpdate,
	"DeleteUser":                  UserUpdate,
	"DeleteUserAttributes":        UserUpdate,
	"UpdateUserAttributes":        UserUpdate,
	"AdminUserGlobalSignOut":      UserUpdate,
	"GlobalSignOut":               UserUpdate,
	"AdminRemoveUserFromGroup":    UserUpdate,

	"RevokeToken": UserToken,

	"AdminGetDevice":                   UserResourceRead,
	"AdminListGroupsForUser":           UserResourceRead,
	"AdminListDevices":                 UserResourceRead,
	"GetDevice":                        UserResourceRead,
	"ListDevices":                      UserResourceRead,
	"GetUserAttributeVerificationCode": UserResourceRead,
	"ResendConfirmationCode":           UserResourceRead,
	"AdminListUserAuthEvents":          UserResourceRead,

	"AdminForgetDevice":            UserResourceUpdate,
	"AdminUpdateAuthEventFeedback": UserResourceUpdate,
	"AdminSetUserMFAPreference":    UserResourceUpdate,
	"AdminSetUserSettings":         UserResourceUpdate,
	"AdminUpdateDeviceStatus":      UserResourceUpdate,
	"UpdateDeviceStatus":           UserResourceUpdate,
	"UpdateAuthEventFeedback":      UserResourceUpdate,
	"ConfirmDevice":                UserResourceUpdate,
	"SetUserMFAPreference":         UserResourceUpdate,
	"SetUserSettings":              UserResourceUpdate,
	"VerifySoftwareToken":          UserResourceUpdate,
	"AssociateSoftwareToken":       UserResourceUpdate,
	"ForgetDevice":                 UserResourceUpdate,

	"ListUsers":        UserList,
	"ListUsersInGroup": UserList,

	"DescribeUserPool": UserPoolRead,
	"ListUserPools":    UserPoolRead,

	"CreateUserPool": UserPoolUpdate,
	"UpdateUserPool": UserPoolUpdate,
	"DeleteUserPool": UserPoolUpdate,

	"DescribeIdentityProvider":             UserPoolResourceRead,
	"DescribeResourceServer":               UserPoolResourceRead,
	"DescribeUserImportJob":                UserPoolResourceRead,
	"DescribeUserPoolDomain":               UserPoolResourceRead,
	"GetCSVHeader":                         UserPoolResourceRead,
	"GetGroup":                             UserPoolResourceRead,
	"GetSigningCertificate":                UserPoolResourceRead,
	"GetIdentityProviderByIdentifier":      UserPoolResourceRead,
	"GetUserPoolMfaConfig":                 UserPoolResourceRead,
	"ListGroups":                           UserPoolResourceRead,
	"ListIdentityProviders":                UserPoolResourceRead,
	"ListResourceServers":                  UserPoolResourceRead,
	"ListTagsForResource":                  UserPoolResourceRead,
	"ListUserImportJobs":                   UserPoolResourceRead,
	"DescribeRiskConfiguration":            UserPoolResourceRead,
	"GetUICustomization":                   UserPoolResourceRead,
	"DescribeManagedLoginBranding":         UserPoolResourceRead,
	"DescribeManagedLoginBrandingByClient": UserPoolResourceRead,

	"AddCustomAttributes":        UserPoolResourceUpdate,
	"CreateGroup":                UserPoolResourceUpdate,
	"CreateIdentityProvider":     UserPoolResourceUpdate,
	"CreateResourceServer":       UserPoolResourceUpdate,
	"CreateUserImportJob":        UserPoolResourceUpdate,
	"CreateUserPoolDomain":       UserPoolResourceUpdate,
	"DeleteGroup":                UserPoolResourceUpdate,
	"DeleteIdentityProvider":     UserPoolResourceUpdate,
	"DeleteResourceServer":       UserPoolResourceUpdate,
	"DeleteUserPoolDomain":       UserPoolResourceUpdate,
	"SetUserPoolMfaConfig":       UserPoolResourceUpdate,
	"StartUserImportJob":         UserPoolResourceUpdate,
	"StopUserImportJob":          UserPoolResourceUpdate,
	"UpdateGroup":                UserPoolResourceUpdate,
	"UpdateIdentityProvider":     UserPoolResourceUpdate,
	"UpdateResourceServer":       UserPoolResourceUpdate,
	"UpdateUserPoolDomain":       UserPoolResourceUpdate,
	"SetRiskConfiguration":       UserPoolResourceUpdate,
	"SetUICustomization":         UserPoolResourceUpdate,
	"TagResource":                UserPoolResourceUpdate,
	"UntagResource":              UserPoolResourceUpdate,
	"CreateManagedLoginBranding": UserPoolResourceUpdate,
	"UpdateManagedLoginBranding": UserPoolResourceUpdate,
	"DeleteManagedLoginBranding": UserPoolResourceUpdate,

	"DescribeUserPoolClient": UserPoolClientRead,
	"ListUserPoolClients":    UserPoolClientRead,

	"CreateUserPoolClient": UserPoolClientUpdate,
	"DeleteUserPoolClient": UserPoolClientUpdate,
	"UpdateUserPoolClient": UserPoolClientUpdate,
}
