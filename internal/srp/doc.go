// Package srp implements Amazon Cognito's flavour of SRP-6a exactly as the
// reference client, amazon-cognito-identity-js (aws-amplify/amplify-js,
// packages/amazon-cognito-identity-js/src), computes it, so that
// USER_SRP_AUTH → PASSWORD_VERIFIER and DEVICE_SRP_AUTH →
// DEVICE_PASSWORD_VERIFIER can be verified for real instead of accepting any
// password.
//
// The parameters, all from AuthenticationHelper.js:
//
//	N     RFC 5054 3072-bit group (initN), g = 2, H = SHA-256
//	PAD   minimal two's-complement big-endian bytes, i.e. Java
//	      BigInteger.toByteArray (padHex): 0x00 is prefixed when the top bit
//	      is set; this is NOT fixed-width padding
//	k     H(PAD(N) || PAD(g))                               (constructor)
//	x     H(PAD(salt) || H(pool || userID || ":" || pw))   (getPasswordAuthenticationKey)
//	v     g^x mod N                                         (generateHashDevice)
//	B     (k·v + g^b) mod N                                 (server side; b is 256 random bits)
//	u     H(PAD(A) || PAD(B)), must not be 0                (calculateU)
//	S     (A·v^u)^b mod N = (B − k·g^x)^(a + u·x) mod N     (calculateS)
//	key   HKDF-SHA256(salt = PAD(u), ikm = PAD(S),
//	      info = "Caldera Derived Key"), first 16 bytes     (computehkdf)
//
// "pool" is the part of the user-pool id after '_' (CognitoUserPool.js
// getUserPoolName, see [PoolName]); for device SRP it is the device group key
// and the user id is the device key (CognitoUser.js getDeviceResponse). The
// client proves knowledge of the key with
//
//	PASSWORD_CLAIM_SIGNATURE = Base64(HMAC-SHA256(key,
//	    pool || USER_ID_FOR_SRP || Base64Decode(SECRET_BLOCK) || TIMESTAMP))
//
// (CognitoUser.js authenticateUserDefaultAuth), where TIMESTAMP is
// "ddd MMM D HH:mm:ss UTC YYYY" with an unpadded day (DateHelper.js
// getNowString; see [FormatTimestamp] and [ParseTimestamp]).
//
// Big integers travel as hex: the client sends SRP_A as BigInteger
// toString(16) (lowercase, no leading zeros, so possibly of odd length) and
// parses SALT and SRP_B with new BigInteger(hex, 16), so only their values
// matter. Everything that is hashed is PAD of the value, never the hex text.
//
// A server stores, per user, a salt from [NewSalt] and the verifier from
// [Verifier]. At InitiateAuth it makes a [ServerSession] from the verifier,
// sends [SaltHex] and [ServerSession.BHex] and persists the session
// ([ServerSession.MarshalBinary]); at RespondToAuthChallenge it restores the
// session, derives the key from SRP_A with [ServerSession.Key] and checks the
// claim with [VerifyClaim]. [FakeSession] serves unknown users when
// PreventUserExistenceErrors is on. [Client] is the client half, for tests
// and test clients.
//
// The test vectors in testdata/vectors.json were produced by the real
// amazon-cognito-identity-js (see testdata/README.md).
//
// Timing: exponentiation uses math/big, which is not guaranteed constant
// time. The server secret b is single use, and claim comparisons use
// constant-time equality.
package srp
