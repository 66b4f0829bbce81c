"""Sign a request with botocore and print the result as JSON.

Input (stdin, JSON): a list of objects with method, url, headers (object),
body (string), access, secret, token (optional), region, service, mode
("header" or "query"), expires (seconds, query mode).
Output (stdout, JSON): a list of objects with url and headers.
"""
import json
import sys

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(d):
    creds = Credentials(d["access"], d["secret"], d.get("token") or None)
    body = d.get("body") or ""
    req = AWSRequest(
        method=d["method"],
        url=d["url"],
        data=body.encode("utf-8") if body else None,
        headers=d.get("headers") or {},
    )
    if d.get("mode") == "query":
        SigV4QueryAuth(creds, d["service"], d["region"], expires=d.get("expires", 3600)).add_auth(req)
    else:
        SigV4Auth(creds, d["service"], d["region"]).add_auth(req)
    return {"url": req.url, "headers": dict(req.headers.items())}


def main():
    json.dump([sign(d) for d in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
