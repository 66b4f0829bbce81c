"""Cognito's request-rate quotas as boto3 sees them (server started with
--quotas cognito,UserCreation=1,PerUser=1).

Without retries, a call over a quota fails with TooManyRequestsException
"Rate exceeded" (HTTP 400); with botocore's standard retry mode the same
call is retried as a throttling error and succeeds once the bucket refills.
Prints one JSON object with what it saw."""
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]


def client(attempts):
    return boto3.client(
        "cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": attempts, "mode": "standard"}),
    )


once = client(1)
pool = once.create_user_pool(PoolName="quota")["UserPool"]["Id"]

seen = {"created": 0, "throttled": None}
for i in range(2):
    try:
        once.admin_create_user(UserPoolId=pool, Username="user%d" % i, MessageAction="SUPPRESS")
        seen["created"] += 1
    except ClientError as e:
        seen["throttled"] = {
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"]["Message"],
            "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
        }

retrying = client(6)
retrying.admin_create_user(UserPoolId=pool, Username="user-retried", MessageAction="SUPPRESS")
seen["retried_ok"] = True

reads = []
for i in range(3):
    try:
        once.admin_get_user(UserPoolId=pool, Username="user0")
        reads.append("ok")
    except ClientError as e:
        reads.append(e.response["Error"]["Code"])
seen["reads_user0"] = reads
# Another user has a quota of its own.
once.admin_get_user(UserPoolId=pool, Username="user-retried")
seen["other_user_ok"] = True
print(json.dumps(seen))
