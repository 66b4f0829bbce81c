"""The basic (classic) identity-pool flow with boto3 (run by
TestWebIdentityBasicFlowWithBoto3).

usage: python3 boto_webidentity.py ENDPOINT_URL

A back end with AWS credentials (the root test/test key from the
environment) registers a developer-authenticated identity and gets an OpenID
token for it (GetOpenIdTokenForDeveloperIdentity, LookupDeveloperIdentity);
the app, without credentials, exchanges the token with STS for the
credentials of a role trusting cognito-identity.amazonaws.com
(AssumeRoleWithWebIdentity, unsigned) and calls GetCallerIdentity with them.
The script asserts the answers itself and prints a JSON summary on stdout.
"""

import json
import sys

import boto3
from botocore import UNSIGNED
from botocore.config import Config

DEVELOPER_PROVIDER = "login.example.app"
DEVELOPER_USER = "user-42"
ACCOUNT = "000000000000"


def main(endpoint):
    base = dict(connect_timeout=5, read_timeout=15, retries={"total_max_attempts": 1, "mode": "standard"})
    identity = boto3.client("cognito-identity", endpoint_url=endpoint, config=Config(**base))
    iam = boto3.client("iam", endpoint_url=endpoint, config=Config(**base))
    public_sts = boto3.client("sts", endpoint_url=endpoint, config=Config(signature_version=UNSIGNED, **base))

    pool = identity.create_identity_pool(
        IdentityPoolName="basic",
        AllowUnauthenticatedIdentities=False,
        AllowClassicFlow=True,
        DeveloperProviderName=DEVELOPER_PROVIDER,
    )
    pool_id = pool["IdentityPoolId"]
    assert pool_id.startswith("us-east-1:"), pool
    assert pool["DeveloperProviderName"] == DEVELOPER_PROVIDER, pool

    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
                },
            }
        ],
    }
    role = iam.create_role(RoleName="Cognito_basicAuth_Role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    other_trust = dict(trust)
    other_trust["Statement"] = [dict(trust["Statement"][0], Condition={"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:00000000-0000-0000-0000-000000000000"}})]
    other_role = iam.create_role(RoleName="OtherPool_Role", AssumeRolePolicyDocument=json.dumps(other_trust))["Role"]

    # The back end, signed with the account's key.
    dev = identity.get_open_id_token_for_developer_identity(
        IdentityPoolId=pool_id, Logins={DEVELOPER_PROVIDER: DEVELOPER_USER}, TokenDuration=900
    )
    identity_id, token = dev["IdentityId"], dev["Token"]
    assert identity_id.startswith("us-east-1:"), dev
    again = identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEVELOPER_PROVIDER: DEVELOPER_USER})
    assert again["IdentityId"] == identity_id, (again, identity_id)

    found = identity.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier=DEVELOPER_USER)
    assert found["IdentityId"] == identity_id, found
    assert found["DeveloperUserIdentifierList"] == [DEVELOPER_USER], found
    by_id = identity.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=identity_id)
    assert by_id["DeveloperUserIdentifierList"] == [DEVELOPER_USER], by_id

    # The app, without credentials.
    assumed = public_sts.assume_role_with_web_identity(
        RoleArn=role["Arn"], RoleSessionName="app-session", WebIdentityToken=token, DurationSeconds=900
    )
    creds = assumed["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA"), assumed
    assert assumed["SubjectFromWebIdentityToken"] == identity_id, assumed
    assert assumed["Provider"] == "cognito-identity.amazonaws.com", assumed
    assert assumed["Audience"] == pool_id, assumed
    session_arn = "arn:aws:sts::%s:assumed-role/Cognito_basicAuth_Role/app-session" % ACCOUNT
    assert assumed["AssumedRoleUser"]["Arn"] == session_arn, assumed

    session_sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        config=Config(**base),
    )
    who = session_sts.get_caller_identity()
    assert who["Arn"] == session_arn and who["Account"] == ACCOUNT, who
    assert who["UserId"].endswith(":app-session"), who

    # A role trusting another identity pool refuses the token.
    try:
        public_sts.assume_role_with_web_identity(RoleArn=other_role["Arn"], RoleSessionName="s1", WebIdentityToken=token)
        raise AssertionError("a role trusting another pool was assumed")
    except public_sts.exceptions.ClientError as e:
        err = e.response["Error"]
        assert err["Code"] == "AccessDenied", err
        assert err["Message"] == "Not authorized to perform sts:AssumeRoleWithWebIdentity", err

    # A tampered token is refused.
    head, payload, sig = token.split(".")
    bad = head + "." + payload + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
    try:
        public_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="s1", WebIdentityToken=bad)
        raise AssertionError("a tampered token was accepted")
    except public_sts.exceptions.InvalidIdentityTokenException as e:
        assert e.response["Error"]["Code"] == "InvalidIdentityToken", e.response

    json.dump(
        {
            "identity_pool_id": pool_id,
            "identity_id": identity_id,
            "role_arn": role["Arn"],
            "session_arn": who["Arn"],
            "access_key_id": creds["AccessKeyId"],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main(sys.argv[1])
