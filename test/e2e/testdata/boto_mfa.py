"""boto3 MFA round trip against a ninsho server (run by TestBotocoreMFA).

usage: python3 boto_mfa.py ENDPOINT_URL

An authenticator app is played by an RFC 6238 implementation written here
with the standard library (HMAC-SHA1, 30-second steps, six digits), so the
server's codes are checked against an independent implementation. The
script asserts the answers itself and prints "ok" on success.
"""

import base64
import hashlib
import hmac
import struct
import sys
import time

import boto3
from botocore import UNSIGNED
from botocore.config import Config

PASSWORD = "Boto#Mfa0k"


def totp(secret, at):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    n = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return "%06d" % (n % 1000000)


def other(code):
    return "654321" if code == "123456" else "123456"


def expect_error(fn, code, message=None):
    try:
        fn()
    except Exception as e:  # botocore.exceptions.ClientError
        err = getattr(e, "response", {}).get("Error", {})
        assert err.get("Code") == code, (err, code)
        assert message is None or err.get("Message") == message, (err, message)
        return
    raise AssertionError("call succeeded, want " + code)


def main(endpoint):
    base = dict(connect_timeout=5, read_timeout=15, retries={"total_max_attempts": 1, "mode": "standard"})
    idp = boto3.client("cognito-idp", endpoint_url=endpoint, config=Config(**base))
    public = boto3.client("cognito-idp", endpoint_url=endpoint, config=Config(signature_version=UNSIGNED, **base))

    pool_id = idp.create_user_pool(PoolName="boto-mfa")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="boto",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="mia", TemporaryPassword="Temp#Pass1", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="mia", Password=PASSWORD, Permanent=True)

    cfg = idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    assert cfg["MfaConfiguration"] == "OPTIONAL" and cfg["SoftwareTokenMfaConfiguration"]["Enabled"], cfg
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["MfaConfiguration"] == "OPTIONAL"

    def sign_in():
        return idp.admin_initiate_auth(
            UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "mia", "PASSWORD": PASSWORD},
        )

    access = sign_in()["AuthenticationResult"]["AccessToken"]
    secret = public.associate_software_token(AccessToken=access)["SecretCode"]
    assert len(secret) == 32, secret
    now = time.time()
    expect_error(lambda: public.verify_software_token(AccessToken=access, UserCode=other(totp(secret, now))),
                 "EnableSoftwareTokenMFAException")
    assert public.verify_software_token(AccessToken=access, UserCode=totp(secret, now))["Status"] == "SUCCESS"
    idp.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="mia",
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    user = idp.admin_get_user(UserPoolId=pool_id, Username="mia")
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"], user
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA", user

    ch = sign_in()
    assert ch["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in ch, ch
    # The verification used the current step: answer with the next one.
    code = totp(secret, time.time() + 30)

    def answer(c):
        return idp.admin_respond_to_auth_challenge(
            UserPoolId=pool_id, ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=ch["Session"],
            ChallengeResponses={"USERNAME": "mia", "SOFTWARE_TOKEN_MFA_CODE": c},
        )

    expect_error(lambda: answer(other(code)), "CodeMismatchException", "Invalid code received for user")
    res = answer(code)["AuthenticationResult"]
    assert res["AccessToken"] and res["IdToken"] and res["RefreshToken"], res
    expect_error(lambda: answer(code), "NotAuthorizedException", "Invalid session for the user, session is expired.")
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
