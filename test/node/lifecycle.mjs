// The user-pool lifecycle as an app on Cognito drives it: the admin side with
// the AWS SDK for JavaScript v3, the app side with amazon-cognito-identity-js
// (the library under Amplify), and every token checked by aws-jwt-verify.
//
// Started by test/e2e (TestNodeClients) against a ninsho server it started:
//   NINSHO_ENDPOINT  http://127.0.0.1:<port>
//   NINSHO_REGION    the server's region
// The server runs with --issuer-base https://cognito-idp.<region>.amazonaws.com
// so that aws-jwt-verify's CognitoJwtVerifier accepts its issuer; the JWKS is
// read from ninsho and handed to the verifier (it fetches only over https).
//
// Each step prints "ok - <name>", or its error as "# " lines followed by
// "not ok - <name>"; the process exits non-zero when a step fails.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  CreateUserPoolClientCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  DeleteUserPoolCommand,
  CreateGroupCommand,
  AdminAddUserToGroupCommand,
  SetUserPoolMfaConfigCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  AuthenticationDetails,
  CognitoUserAttribute,
  CognitoRefreshToken,
  CognitoUser,
  CognitoUserPool,
} from "amazon-cognito-identity-js";
import { CognitoJwtVerifier } from "aws-jwt-verify";

const endpoint = process.env.NINSHO_ENDPOINT;
const region = process.env.NINSHO_REGION || "us-east-1";
if (!endpoint) {
  console.error("NINSHO_ENDPOINT is not set");
  process.exit(2);
}

let failed = 0;
async function step(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (err) {
    failed++;
    for (const line of String(err && err.stack ? err.stack : err).split("\n")) console.log(`# ${line}`);
    console.log(`not ok - ${name}`);
    throw err;
  }
}

// promisify turns a callback-style call of amazon-cognito-identity-js into a
// promise: fn receives a Node-style callback (err, result).
function promisify(fn) {
  return new Promise((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res))));
}

// authenticate runs USER_SRP_AUTH; newPassword answers NEW_PASSWORD_REQUIRED.
function authenticate(user, password, newPassword) {
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: user.getUsername(), Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: (userAttributes) => {
        if (!newPassword) return reject(new Error("unexpected NEW_PASSWORD_REQUIRED"));
        // Attributes the library returns that a user may not write.
        delete userAttributes.email_verified;
        delete userAttributes.email;
        user.completeNewPasswordChallenge(newPassword, {}, { onSuccess: resolve, onFailure: reject });
      },
      mfaRequired: () => reject(new Error("unexpected SMS_MFA")),
      totpRequired: () => reject(new Error("unexpected SOFTWARE_TOKEN_MFA")),
    });
  });
}

async function expectError(promise, code) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.code || err.name, code, `error ${err.code || err.name}: ${err.message}`);
    return err;
  }
  throw new Error(`expected ${code}, got success`);
}

const admin = new CognitoIdentityProviderClient({
  region,
  endpoint,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});

async function main() {
  let poolId, clientId, verifier;
  const username = "alice";
  const tempPassword = "Temp-Passw0rd!";
  const password = "Str0ng-Passw0rd!";
  let session;

  await step("admin: create a pool, a public client and a user with @aws-sdk/client-cognito-identity-provider", async () => {
    const pool = await admin.send(
      new CreateUserPoolCommand({ PoolName: "node-lifecycle", AutoVerifiedAttributes: ["email"] }),
    );
    poolId = pool.UserPool.Id;
    assert.match(poolId, new RegExp(`^${region}_[A-Za-z0-9]{9}$`));
    const client = await admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: "web",
        ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    clientId = client.UserPoolClient.ClientId;
    await admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        TemporaryPassword: tempPassword,
        MessageAction: "SUPPRESS",
        UserAttributes: [
          { Name: "email", Value: "alice@example.com" },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );
    const got = await admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
    assert.equal(got.UserStatus, "FORCE_CHANGE_PASSWORD");
  });

  const userPool = () => new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });
  const cognitoUser = () => new CognitoUser({ Username: username, Pool: userPool() });

  await step("aws-jwt-verify: load the pool's JWKS from ninsho", async () => {
    const res = await fetch(`${endpoint}/${poolId}/.well-known/jwks.json`);
    assert.equal(res.status, 200);
    const jwks = await res.json();
    assert.ok(jwks.keys.length >= 2);
    verifier = CognitoJwtVerifier.create({ userPoolId: poolId, clientId, tokenUse: null });
    verifier.cacheJwks(jwks);
  });

  await step("amazon-cognito-identity-js: a wrong password fails over real SRP", async () => {
    await expectError(authenticate(cognitoUser(), "Wrong-Passw0rd!"), "NotAuthorizedException");
  });

  await step("amazon-cognito-identity-js: USER_SRP_AUTH with the temporary password, then NEW_PASSWORD_REQUIRED", async () => {
    session = await authenticate(cognitoUser(), tempPassword, password);
    assert.ok(session.isValid());
    const got = await admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
    assert.equal(got.UserStatus, "CONFIRMED");
  });

  await step("aws-jwt-verify: the ID and access tokens verify as Cognito's", async () => {
    const id = await verifier.verify(session.getIdToken().getJwtToken(), { tokenUse: "id" });
    assert.equal(id["cognito:username"], username);
    assert.equal(id.email, "alice@example.com");
    assert.equal(id.email_verified, true);
    assert.equal(id.aud, clientId);
    const access = await verifier.verify(session.getAccessToken().getJwtToken(), { tokenUse: "access" });
    assert.equal(access.client_id, clientId);
    assert.equal(access.username, username);
    assert.equal(access.sub, id.sub);
    await assert.rejects(verifier.verify(session.getIdToken().getJwtToken(), { tokenUse: "access" }));
  });

  await step("amazon-cognito-identity-js: a new sign-in with the new password", async () => {
    session = await authenticate(cognitoUser(), password);
    assert.ok(session.isValid());
  });

  await step("amazon-cognito-identity-js: getUserAttributes with the access token", async () => {
    const user = cognitoUser();
    user.setSignInUserSession(session);
    const attrs = await promisify((cb) => user.getUserAttributes(cb));
    const byName = Object.fromEntries(attrs.map((a) => [a.getName(), a.getValue()]));
    assert.equal(byName.email, "alice@example.com");
    assert.match(byName.sub, /^[0-9a-f-]{36}$/);
  });

  await step("amazon-cognito-identity-js: refreshSession gives new tokens that verify", async () => {
    const user = cognitoUser();
    const refreshed = await promisify((cb) =>
      user.refreshSession(new CognitoRefreshToken({ RefreshToken: session.getRefreshToken().getToken() }), cb),
    );
    await verifier.verify(refreshed.getIdToken().getJwtToken(), { tokenUse: "id" });
    await verifier.verify(refreshed.getAccessToken().getJwtToken(), { tokenUse: "access" });
  });

  await step("amazon-cognito-identity-js: globalSignOut, then the refresh token is refused", async () => {
    const user = cognitoUser();
    user.setSignInUserSession(session);
    await new Promise((resolve, reject) => user.globalSignOut({ onSuccess: resolve, onFailure: reject }));
    await expectError(
      promisify((cb) =>
        cognitoUser().refreshSession(new CognitoRefreshToken({ RefreshToken: session.getRefreshToken().getToken() }), cb),
      ),
      "NotAuthorizedException",
    );
  });

  await step("admin: delete the pool", async () => {
    await admin.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
  });

  await appLifecycle();
}

// totp is the RFC 6238 code (HMAC-SHA1, 30-second steps, 6 digits) of a
// base32 secret at the given step offset from now, as an authenticator app
// computes it.
function totp(secret, offset = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret.replace(/=+$/, "").toUpperCase()) {
    const v = alphabet.indexOf(ch);
    assert.ok(v >= 0, `bad base32 ${ch}`);
    bits += v.toString(2).padStart(5, "0");
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + offset));
  const mac = createHmac("sha1", key).update(counter).digest();
  const o = mac[mac.length - 1] & 0xf;
  const n = ((mac[o] & 0x7f) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
  return String(n % 1000000).padStart(6, "0");
}

// outboxCode reads the newest code ninsho sent to `to` (GET /_ninsho/outbox),
// as a developer reads the email.
async function outboxCode(poolId, to, kind) {
  const res = await fetch(
    `${endpoint}/_ninsho/outbox?pool=${encodeURIComponent(poolId)}&to=${encodeURIComponent(to)}&kind=${kind}&limit=1`,
  );
  assert.equal(res.status, 200);
  const { messages } = await res.json();
  assert.equal(messages.length, 1, `no ${kind} message to ${to}`);
  assert.match(messages[0].code, /^[0-9]{6}$/);
  assert.ok(messages[0].body.includes(messages[0].code));
  return messages[0].code;
}

// appLifecycle is what an app built on amazon-cognito-identity-js does from
// sign-up on: the user signs up, confirms with the emailed code, signs in
// over SRP, changes an attribute and verifies it, changes and resets the
// password, gets a group claim, and signs out everywhere.
async function appLifecycle() {
  let poolId, clientId, verifier, session;
  const username = "bob";
  let password = "Bob-Passw0rd!1";
  const userPool = () => new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });
  const cognitoUser = () => new CognitoUser({ Username: username, Pool: userPool() });
  const signedIn = () => {
    const user = cognitoUser();
    user.setSignInUserSession(session);
    return user;
  };

  await step("app: a pool that verifies email, a public SRP client", async () => {
    const pool = await admin.send(
      new CreateUserPoolCommand({ PoolName: "node-app", AutoVerifiedAttributes: ["email"], AliasAttributes: ["email"] }),
    );
    poolId = pool.UserPool.Id;
    const client = await admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: "app",
        ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    clientId = client.UserPoolClient.ClientId;
    const jwks = await (await fetch(`${endpoint}/${poolId}/.well-known/jwks.json`)).json();
    verifier = CognitoJwtVerifier.create({ userPoolId: poolId, clientId, tokenUse: null });
    verifier.cacheJwks(jwks);
  });

  await step("amazon-cognito-identity-js: signUp sends a code; the user is unconfirmed", async () => {
    const res = await promisify((cb) =>
      userPool().signUp(username, password, [new CognitoUserAttribute({ Name: "email", Value: "bob@example.com" })], null, cb),
    );
    assert.equal(res.userConfirmed, false);
    assert.match(res.userSub, /^[0-9a-f-]{36}$/);
    assert.equal(res.codeDeliveryDetails.DeliveryMedium, "EMAIL");
    assert.equal(res.codeDeliveryDetails.AttributeName, "email");
    await expectError(authenticate(cognitoUser(), password), "UserNotConfirmedException");
  });

  await step("amazon-cognito-identity-js: a wrong code is refused, the code from the outbox confirms", async () => {
    const code = await outboxCode(poolId, "bob@example.com", "SIGN_UP");
    const wrong = code === "000000" ? "111111" : "000000";
    await expectError(promisify((cb) => cognitoUser().confirmRegistration(wrong, true, cb)), "CodeMismatchException");
    assert.equal(await promisify((cb) => cognitoUser().confirmRegistration(code, true, cb)), "SUCCESS");
  });

  await step("amazon-cognito-identity-js: USER_SRP_AUTH after confirmation; the email is verified", async () => {
    session = await authenticate(cognitoUser(), password);
    const id = await verifier.verify(session.getIdToken().getJwtToken(), { tokenUse: "id" });
    assert.equal(id.email, "bob@example.com");
    assert.equal(id.email_verified, true);
    assert.equal(id["cognito:groups"], undefined);
  });

  await step("amazon-cognito-identity-js: updateAttributes makes the new email unverified until verifyAttribute", async () => {
    const user = signedIn();
    await promisify((cb) =>
      user.updateAttributes([new CognitoUserAttribute({ Name: "email", Value: "bob2@example.com" })], cb),
    );
    const attrs = Object.fromEntries((await promisify((cb) => user.getUserAttributes(cb))).map((a) => [a.getName(), a.getValue()]));
    assert.equal(attrs.email, "bob2@example.com");
    assert.equal(attrs.email_verified, "false");
    const code = await outboxCode(poolId, "bob2@example.com", "VERIFY_ATTRIBUTE");
    await new Promise((resolve, reject) => user.verifyAttribute("email", code, { onSuccess: resolve, onFailure: reject }));
    const after = Object.fromEntries((await promisify((cb) => user.getUserAttributes(cb))).map((a) => [a.getName(), a.getValue()]));
    assert.equal(after.email_verified, "true");
  });

  await step("amazon-cognito-identity-js: changePassword; the old password no longer signs in", async () => {
    const next = "Bob-Passw0rd!2";
    await expectError(promisify((cb) => signedIn().changePassword("Wrong-Passw0rd!", next, cb)), "NotAuthorizedException");
    assert.equal(await promisify((cb) => signedIn().changePassword(password, next, cb)), "SUCCESS");
    await expectError(authenticate(cognitoUser(), password), "NotAuthorizedException");
    password = next;
    session = await authenticate(cognitoUser(), password);
  });

  await step("amazon-cognito-identity-js: forgotPassword and confirmPassword with the emailed code", async () => {
    const user = cognitoUser();
    const data = await new Promise((resolve, reject) =>
      user.forgotPassword({ onSuccess: resolve, onFailure: reject, inputVerificationCode: resolve }),
    );
    assert.equal(data.CodeDeliveryDetails.DeliveryMedium, "EMAIL");
    const code = await outboxCode(poolId, "bob2@example.com", "FORGOT_PASSWORD");
    const next = "Bob-Passw0rd!3";
    await new Promise((resolve, reject) => user.confirmPassword(code, next, { onSuccess: resolve, onFailure: reject }));
    await expectError(authenticate(cognitoUser(), password), "NotAuthorizedException");
    password = next;
    session = await authenticate(cognitoUser(), password);
  });

  await step("aws-jwt-verify: after the admin adds the user to a group, refreshed tokens carry cognito:groups", async () => {
    await admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: "editors", Precedence: 1 }));
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: "editors" }));
    const refreshed = await promisify((cb) => cognitoUser().refreshSession(session.getRefreshToken(), cb));
    const access = await verifier.verify(refreshed.getAccessToken().getJwtToken(), { tokenUse: "access", groups: "editors" });
    assert.deepEqual(access["cognito:groups"], ["editors"]);
    const id = await verifier.verify(refreshed.getIdToken().getJwtToken(), { tokenUse: "id", groups: ["editors"] });
    assert.equal(id.email, "bob2@example.com");
    await assert.rejects(verifier.verify(refreshed.getAccessToken().getJwtToken(), { tokenUse: "access", groups: "admins" }));
  });

  await step("amazon-cognito-identity-js: associateSoftwareToken, verifySoftwareToken, then sign-in asks for the TOTP code", async () => {
    await admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: "OPTIONAL",
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    const user = signedIn();
    const secret = await new Promise((resolve, reject) =>
      user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }),
    );
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await new Promise((resolve, reject) =>
      user.verifySoftwareToken(totp(secret), "phone", { onSuccess: resolve, onFailure: reject }),
    );
    await promisify((cb) => user.setUserMfaPreference(null, { PreferredMfa: true, Enabled: true }, cb));

    const mfaUser = cognitoUser();
    const challenge = await new Promise((resolve, reject) =>
      mfaUser.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
        onSuccess: () => reject(new Error("signed in without the TOTP code")),
        onFailure: reject,
        totpRequired: (name) => resolve(name),
      }),
    );
    assert.equal(challenge, "SOFTWARE_TOKEN_MFA");
    const answer = (code) =>
      new Promise((resolve, reject) =>
        mfaUser.sendMFACode(code, { onSuccess: resolve, onFailure: reject }, "SOFTWARE_TOKEN_MFA"),
      );
    const wrong = totp(secret, 5);
    await expectError(answer(wrong), "CodeMismatchException");
    // The code of the verification was spent; the next time step's code is
    // within the accepted window and not used yet.
    session = await answer(totp(secret, 1));
    const id = await verifier.verify(session.getIdToken().getJwtToken(), { tokenUse: "id" });
    assert.equal(id.amr, undefined);
  });

  await step("amazon-cognito-identity-js: globalSignOut ends the refresh token and the access token", async () => {
    const user = signedIn();
    await new Promise((resolve, reject) => user.globalSignOut({ onSuccess: resolve, onFailure: reject }));
    await expectError(promisify((cb) => cognitoUser().refreshSession(session.getRefreshToken(), cb)), "NotAuthorizedException");
    await expectError(promisify((cb) => signedIn().getUserAttributes(cb)), "NotAuthorizedException");
  });
}

main().then(
  () => process.exit(failed ? 1 : 0),
  () => process.exit(1),
);
