"""The user lifecycle with boto3 and the outbox (run by
TestUserLifecycleWithBoto3).

usage: python3 boto_lifecycle.py ENDPOINT_URL

Sign-up with the code read from GET /_ninsho/outbox, confirmation and
sign-in; forgotten password; a changed email address, unverified until its
code is entered; ChangePassword; an AdminCreateUser invitation whose
temporary password signs in; AdminResetUserPassword; and, with
PreventUserExistenceErrors, answers for users that do not exist. The app
calls are unsigned, as Amplify makes them; the client has a secret, so
every one carries a SECRET_HASH. The script asserts the answers itself and
prints a JSON summary on stdout.
"""

import base64
import hashlib
import hmac
import json
import sys
import urllib.parse
import urllib.request

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

PASSWORD = "Sup3r-secret!"


def expect_error(code, message, fn, **kwargs):
    try:
        fn(**kwargs)
    except ClientError as e:
        err = e.response["Error"]
        assert err["Code"] == code, (code, err)
        if message is not None:
            assert err["Message"] == message, (message, err)
        return
    raise AssertionError("%s: no error, want %s" % (fn.__name__, code))


def main(endpoint):
    base = dict(connect_timeout=5, read_timeout=15, retries={"total_max_attempts": 1, "mode": "standard"})
    admin = boto3.client("cognito-idp", endpoint_url=endpoint, config=Config(**base))
    app = boto3.client("cognito-idp", endpoint_url=endpoint, config=Config(signature_version=UNSIGNED, **base))

    pool_id = admin.create_user_pool(
        PoolName="lifecycle",
        AutoVerifiedAttributes=["email"],
        AliasAttributes=["email"],
        VerificationMessageTemplate={
            "EmailSubject": "Confirm your account",
            "EmailMessage": "Hello! Your code is {####}.",
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
        },
    )["UserPool"]["Id"]
    client = admin.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]
    client_id, secret = client["ClientId"], client["ClientSecret"]

    def secret_hash(username):
        mac = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
        return base64.b64encode(mac).decode()

    def outbox(**query):
        query["pool"] = pool_id
        url = endpoint + "/_ninsho/outbox?" + urllib.parse.urlencode(query)
        with urllib.request.urlopen(url, timeout=10) as resp:
            return json.load(resp)["messages"]

    def last_code(kind, to):
        msgs = outbox(kind=kind, to=to, limit=1)
        assert msgs, ("no message", kind, to)
        return msgs[0]["code"], msgs[0]

    def sign_in(username, password):
        return app.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password, "SECRET_HASH": secret_hash(username)},
        )

    # Sign-up, code from the outbox, confirmation, sign-in.
    out = app.sign_up(
        ClientId=client_id,
        SecretHash=secret_hash("jane"),
        Username="jane",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "jane@example.com"}],
        ClientMetadata={"source": "e2e"},
        ValidationData=[{"Name": "captcha", "Value": "ok"}],
    )
    assert out["UserConfirmed"] is False, out
    assert out["CodeDeliveryDetails"] == {"Destination": "j***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}, out
    user_sub = out["UserSub"]
    code, msg = last_code("SIGN_UP", "jane@example.com")
    assert msg["subject"] == "Confirm your account" and msg["body"] == "Hello! Your code is %s." % code, msg
    expect_error("UsernameExistsException", "User already exists", app.sign_up, ClientId=client_id,
                 SecretHash=secret_hash("jane"), Username="jane", Password=PASSWORD)
    expect_error("UserNotConfirmedException", "User is not confirmed.", sign_in, username="jane", password=PASSWORD)
    wrong = "000000" if code != "000000" else "111111"
    expect_error("CodeMismatchException", "Invalid verification code provided, please try again.", app.confirm_sign_up,
                 ClientId=client_id, SecretHash=secret_hash("jane"), Username="jane", ConfirmationCode=wrong)
    app.confirm_sign_up(ClientId=client_id, SecretHash=secret_hash("jane"), Username="jane", ConfirmationCode=code)
    user = admin.admin_get_user(UserPoolId=pool_id, Username="jane")
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert user["UserStatus"] == "CONFIRMED" and attrs["email_verified"] == "true" and attrs["sub"] == user_sub, user
    tokens = sign_in("jane", PASSWORD)["AuthenticationResult"]
    # The verified email is now an alias that signs in.
    sign_in("jane@example.com", PASSWORD)

    # Forgotten password.
    out = app.forgot_password(ClientId=client_id, SecretHash=secret_hash("jane"), Username="jane")
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL", out
    code, msg = last_code("FORGOT_PASSWORD", "jane@example.com")
    expect_error("InvalidPasswordException", None, app.confirm_forgot_password, ClientId=client_id,
                 SecretHash=secret_hash("jane"), Username="jane", ConfirmationCode=code, Password="weak")
    app.confirm_forgot_password(ClientId=client_id, SecretHash=secret_hash("jane"), Username="jane",
                                ConfirmationCode=code, Password="N3w-password!")
    expect_error("NotAuthorizedException", "Incorrect username or password.", sign_in, username="jane", password=PASSWORD)
    tokens = sign_in("jane", "N3w-password!")["AuthenticationResult"]

    # A changed email address is unverified until its code is entered.
    out = app.update_user_attributes(AccessToken=tokens["AccessToken"],
                                     UserAttributes=[{"Name": "email", "Value": "jane.doe@example.com"}])
    assert out["CodeDeliveryDetailsList"] == [{"Destination": "j***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}], out
    attrs = {a["Name"]: a["Value"] for a in app.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"]}
    assert attrs["email"] == "jane.doe@example.com" and attrs["email_verified"] == "false", attrs
    code, _ = last_code("VERIFY_ATTRIBUTE", "jane.doe@example.com")
    expect_error("CodeMismatchException", None, app.verify_user_attribute, AccessToken=tokens["AccessToken"],
                 AttributeName="email", Code="000000" if code != "000000" else "111111")
    app.verify_user_attribute(AccessToken=tokens["AccessToken"], AttributeName="email", Code=code)
    attrs = {a["Name"]: a["Value"] for a in app.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"]}
    assert attrs["email_verified"] == "true", attrs
    out = app.get_user_attribute_verification_code(AccessToken=tokens["AccessToken"], AttributeName="email")
    assert out["CodeDeliveryDetails"]["AttributeName"] == "email", out

    # ChangePassword.
    expect_error("NotAuthorizedException", "Incorrect username or password.", app.change_password,
                 AccessToken=tokens["AccessToken"], PreviousPassword="Wr0ng-password!", ProposedPassword="Th1rd-password!")
    app.change_password(AccessToken=tokens["AccessToken"], PreviousPassword="N3w-password!", ProposedPassword="Th1rd-password!")
    sign_in("jane", "Th1rd-password!")

    # An invitation with a temporary password that signs in.
    admin.admin_create_user(UserPoolId=pool_id, Username="invitee", DesiredDeliveryMediums=["EMAIL"],
                            UserAttributes=[{"Name": "email", "Value": "invitee@example.com"},
                                            {"Name": "email_verified", "Value": "true"}])
    temp, msg = last_code("INVITATION", "invitee@example.com")
    assert msg["subject"] == "Your temporary password", msg
    assert msg["body"] == "Your username is invitee and temporary password is %s. " % temp, msg
    challenge = sign_in("invitee", temp)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED", challenge
    done = app.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "invitee", "NEW_PASSWORD": "Inv1tee-password!", "SECRET_HASH": secret_hash("invitee")})
    assert "AccessToken" in done["AuthenticationResult"], done
    admin.admin_create_user(UserPoolId=pool_id, Username="quiet", MessageAction="SUPPRESS",
                            UserAttributes=[{"Name": "email", "Value": "quiet@example.com"}])
    assert outbox(to="quiet@example.com") == [], "SUPPRESS sent a message"

    # AdminResetUserPassword: a code is sent and sign-in needs a reset.
    admin.admin_reset_user_password(UserPoolId=pool_id, Username="invitee")
    assert admin.admin_get_user(UserPoolId=pool_id, Username="invitee")["UserStatus"] == "RESET_REQUIRED"
    expect_error("PasswordResetRequiredException", None, sign_in, username="invitee", password="Inv1tee-password!")
    code, _ = last_code("FORGOT_PASSWORD", "invitee@example.com")
    app.confirm_forgot_password(ClientId=client_id, SecretHash=secret_hash("invitee"), Username="invitee",
                                ConfirmationCode=code, Password="Inv1tee-again!")
    sign_in("invitee", "Inv1tee-again!")

    # PreventUserExistenceErrors: nobody is told a user does not exist.
    out = app.forgot_password(ClientId=client_id, SecretHash=secret_hash("ghost@example.com"), Username="ghost@example.com")
    assert out["CodeDeliveryDetails"] == {"Destination": "g***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}, out
    out = app.resend_confirmation_code(ClientId=client_id, SecretHash=secret_hash("ghost"), Username="ghost")
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL", out
    expect_error("CodeMismatchException", None, app.confirm_sign_up, ClientId=client_id,
                 SecretHash=secret_hash("ghost"), Username="ghost", ConfirmationCode="123456")
    expect_error("CodeMismatchException", None, app.confirm_forgot_password, ClientId=client_id,
                 SecretHash=secret_hash("ghost"), Username="ghost", ConfirmationCode="123456", Password=PASSWORD)
    expect_error("NotAuthorizedException", None, app.forgot_password, ClientId=client_id,
                 SecretHash="bm90IGEgaGFzaA==", Username="jane")

    print(json.dumps({"pool_id": pool_id, "user_sub": user_sub, "messages": len(outbox(limit=1000))}))


if __name__ == "__main__":
    main(sys.argv[1])
