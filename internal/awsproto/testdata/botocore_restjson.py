"""Serialize requests and parse responses with botocore's rest-json code.

Used by rest_test.go, so the tests see exactly what the aws CLI sends and
accepts. Usage:

  botocore_restjson.py serialize <service>  < [{"op": ..., "params": {...}}]
      -> [{"method", "path", "headers", "body" (base64)}]  (path has the query)
  botocore_restjson.py parse <service>      < [{"op", "status", "headers", "body" (base64)}]
      -> [parsed dict, datetimes as ISO text]
"""
import base64
import datetime
import json
import sys

import botocore.awsrequest
import botocore.parsers
import botocore.serialize
import botocore.session


def main():
    mode, service = sys.argv[1], sys.argv[2]
    model = botocore.session.get_session().get_service_model(service)
    cases = json.load(sys.stdin)
    out = []
    if mode == "serialize":
        ser = botocore.serialize.create_serializer(model.metadata["protocol"], include_validation=True)
        for c in cases:
            op = model.operation_model(c["op"])
            req = ser.serialize_to_request(c.get("params", {}), op)
            botocore.awsrequest.prepare_request_dict(req, endpoint_url="http://localhost")
            url = req["url"][len("http://localhost"):]
            body = req["body"]
            if isinstance(body, str):
                body = body.encode()
            out.append({
                "method": req["method"],
                "path": url,
                "headers": {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in req["headers"].items()},
                "body": base64.b64encode(body or b"").decode(),
            })
    elif mode == "parse":
        parser = botocore.parsers.create_parser(model.metadata["protocol"])
        for c in cases:
            op = model.operation_model(c["op"])
            headers = botocore.awsrequest.HeadersDict(c["headers"])
            parsed = parser.parse(
                {"status_code": c["status"], "headers": headers, "body": base64.b64decode(c["body"])},
                op.output_shape,
            )
            parsed.pop("ResponseMetadata", None)
            out.append(parsed)
    else:
        sys.exit("unknown mode " + mode)

    def default(v):
        if isinstance(v, datetime.datetime):
            return v.isoformat()
        if isinstance(v, bytes):
            return v.decode("utf-8", "replace")
        return str(v)

    json.dump(out, sys.stdout, default=default)


if __name__ == "__main__":
    main()
