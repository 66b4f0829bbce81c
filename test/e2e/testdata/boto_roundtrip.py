"""boto3 round trip against a ninsho server (run by TestBotocoreRoundTrip).

usage: python3 boto_roundtrip.py ENDPOINT_URL

Credentials and region come from the environment the Go test sets. The
script asserts the answers' shapes itself and prints a JSON summary (pool,
client, username and tokens) on stdout for the Go side to verify the tokens.
"""

import json
import sys

import boto3
from botocore import UNSIGNED
from botocore.config import Config

EMAIL = "boto.user@example.com"
TEMP_PASSWORD = "Temp#Pass1"
NEW_PASSWORD = "New#Passw0rd"


def main(endpoint):
    base = dict(connect_timeout=5, read_timeout=15, retries={"total_max_attempts": 1, "mode": "standard"})
    idp = boto3.client("cognito-idp", endpoint_url=endpoint, config=Config(**base))
    # An app without AWS credentials: the public operations are unsigned.
    public = boto3.client("cognito-idp", endpoint_url=endpoint, config=Config(signature_version=UNSIGNED, **base))

    pool = idp.create_user_pool(PoolName="boto", UsernameAttributes=["email"])["UserPool"]
    pool_id = pool["Id"]
    assert pool_id.startswith("us-east-1_"), pool_id

    client = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="boto",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    client_id = client["ClientId"]

    user = idp.admin_create_user(
        UserPoolId=pool_id,
        Username=EMAIL,
        TemporaryPassword=TEMP_PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": EMAIL}, {"Name": "email_verified", "Value": "true"}],
    )["User"]
    username = user["Username"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD", user
    # botocore parses the epoch-seconds timestamps into datetimes.
    assert hasattr(user["UserCreateDate"], "tzinfo"), user["UserCreateDate"]

    challenge = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": TEMP_PASSWORD},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED", challenge
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == username, challenge
    assert json.loads(challenge["ChallengeParameters"]["userAttributes"]) == {"email": EMAIL, "email_verified": "true"}

    answer = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        ChallengeResponses={"USERNAME": EMAIL, "NEW_PASSWORD": NEW_PASSWORD},
        Session=challenge["Session"],
    )
    result = answer["AuthenticationResult"]
    assert result["ExpiresIn"] == 3600 and result["TokenType"] == "Bearer", result
    assert result["RefreshToken"], result

    me = public.get_user(AccessToken=result["AccessToken"])
    attrs = {a["Name"]: a["Value"] for a in me["UserAttributes"]}
    assert me["Username"] == username, me
    assert attrs["email"] == EMAIL and attrs["email_verified"] == "true" and attrs["sub"] == username, attrs

    signed_in = public.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": EMAIL, "PASSWORD": NEW_PASSWORD}
    )["AuthenticationResult"]

    try:
        public.initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": EMAIL, "PASSWORD": "Wrong#Passw0rd"}
        )
        raise AssertionError("a wrong password signed in")
    except public.exceptions.NotAuthorizedException as e:
        assert e.response["Error"]["Message"] == "Incorrect username or password.", e.response
        assert e.response["ResponseMetadata"]["RequestId"], e.response

    json.dump(
        {
            "pool_id": pool_id,
            "client_id": client_id,
            "username": username,
            "email": EMAIL,
            "id_token": result["IdToken"],
            "access_token": result["AccessToken"],
            "public_id_token": signed_in["IdToken"],
            "public_access_token": signed_in["AccessToken"],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main(sys.argv[1])
