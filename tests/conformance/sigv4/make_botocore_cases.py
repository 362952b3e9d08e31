#!/usr/bin/env python3
"""Regenerates botocore_cases.json: requests signed by botocore (the AWS CLI's and boto3's
signer) for rampart's services, with the canonical request and string to sign botocore
computed. The runner (sigv4_conformance_test.cc) checks that rampart computes the same and
verifies each request. Run: python3 tests/conformance/sigv4/make_botocore_cases.py
(needs Debian's python3-boto3; no network: requests are captured before sending)."""
import datetime
import json
import logging
import os
import sys
from unittest import mock

import boto3
import botocore
import botocore.auth

TIME = datetime.datetime(2026, 11, 28, 16, 25, 11, tzinfo=datetime.timezone.utc)
AKID = "AKIAIOSFODNN7EXAMPLE"
ASIA = "ASIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN/+=abc"
ENDPOINT = "http://127.0.0.1:8080"


class Captured(Exception):
    pass


class LogCapture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.creq = None
        self.sts = None

    def emit(self, record):
        msg = record.getMessage()
        if msg.startswith("CanonicalRequest:\n"):
            self.creq = msg[len("CanonicalRequest:\n"):]
        elif msg.startswith("StringToSign:\n"):
            self.sts = msg[len("StringToSign:\n"):]


def client(service, region="us-east-1", token=None):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=region,
                        aws_access_key_id=ASIA if token else AKID,
                        aws_secret_access_key=SECRET, aws_session_token=token)


def capture(description, service, call, region="us-east-1", token=None):
    cap = LogCapture()
    log = logging.getLogger("botocore.auth")
    log.setLevel(logging.DEBUG)
    log.addHandler(cap)
    holder = {}

    def before_send(request, **_):
        holder["request"] = request
        raise Captured()

    c = client(service, region, token)
    c.meta.events.register("before-send", before_send)
    try:
        call(c)
    except Captured:
        pass
    finally:
        log.removeHandler(cap)
    req = holder["request"]
    body = req.body or b""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    target = req.url[len(ENDPOINT):] or "/"
    headers = [[k, v.decode() if isinstance(v, bytes) else v] for k, v in req.headers.items()]
    headers.insert(0, ["Host", "127.0.0.1:8080"])  # added by urllib3 when it sends
    return {
        "description": description,
        "service": service,
        "region": region,
        "time": TIME.strftime("%Y%m%dT%H%M%SZ"),
        "access_key_id": ASIA if token else AKID,
        "session_token": token,
        "request": {
            "method": req.method,
            "target": target,
            "headers": headers,
            "body": body.decode("utf-8"),
        },
        "canonical_request": cap.creq,
        "string_to_sign": cap.sts,
    }


def presigned(description, service, method, params, expires, token=None):
    cap = LogCapture()
    log = logging.getLogger("botocore.auth")
    log.setLevel(logging.DEBUG)
    log.addHandler(cap)
    try:
        c = client(service, token=token)
        url = c.generate_presigned_url(method, Params=params, ExpiresIn=expires)
    finally:
        log.removeHandler(cap)
    target = url[len(ENDPOINT):]
    # botocore signs with the operation's HTTP method (POST for the query protocol), so the
    # URL must be sent with that method and an empty body.
    http_method = cap.creq.split("\n", 1)[0]
    return {
        "description": description,
        "service": service,
        "region": "us-east-1",
        "time": TIME.strftime("%Y%m%dT%H%M%SZ"),
        "access_key_id": ASIA if token else AKID,
        "session_token": token,
        "request": {"method": http_method, "target": target,
                    "headers": [["Host", "127.0.0.1:8080"]], "body": ""},
        "canonical_request": cap.creq,
        "string_to_sign": cap.sts,
    }


def main():
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=TIME):
        cases = [
            capture("sts GetCallerIdentity (aws sts get-caller-identity)", "sts",
                    lambda c: c.get_caller_identity()),
            capture("sts GetCallerIdentity with temporary credentials", "sts",
                    lambda c: c.get_caller_identity(), token=TOKEN),
            capture("sts GetCallerIdentity signed for a regional endpoint", "sts",
                    lambda c: c.get_caller_identity(), region="eu-west-3"),
            capture("iam CreateUser with path and tags needing form encoding", "iam",
                    lambda c: c.create_user(UserName="alice+ops@example.com", Path="/division abc/",
                                            Tags=[{"Key": "team", "Value": "a & b = c/d ü ~*"}])),
            capture("iam ListUsers with PathPrefix", "iam",
                    lambda c: c.list_users(PathPrefix="/division_abc/", MaxItems=10)),
            capture("iam PutUserPolicy with a JSON document", "iam",
                    lambda c: c.put_user_policy(UserName="alice", PolicyName="p",
                                                PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))),
            capture("organizations DescribeOrganization (JSON 1.1, X-Amz-Target)", "organizations",
                    lambda c: c.describe_organization()),
            capture("cloudtrail LookupEvents (JSON 1.1) with temporary credentials", "cloudtrail",
                    lambda c: c.lookup_events(MaxResults=5), token=TOKEN),
            capture("account GetContactInformation (REST-JSON path)", "account",
                    lambda c: c.get_contact_information()),
            capture("account PutAlternateContact (REST-JSON) with unicode in the body", "account",
                    lambda c: c.put_alternate_contact(AlternateContactType="SECURITY", EmailAddress="sé@example.com",
                                                      Name="Zoë O'Brien", PhoneNumber="+1 555 0100", Title="CISO")),
        ]
    # Presigned URLs take the time from botocore.auth's clock as well.
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=TIME):
        cases += [
            presigned("sts GetCallerIdentity presigned URL, 900 s", "sts", "get_caller_identity", {}, 900),
            presigned("sts GetCallerIdentity presigned URL with session token, 60 s", "sts",
                      "get_caller_identity", {}, 60, token=TOKEN),
        ]
    out = {
        "source": f"botocore {botocore.__version__}, requests captured before sending",
        "secret_access_key": SECRET,
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "botocore_cases.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
