"""Request signing for raw HTTP tests, through botocore's own SigV4 signer."""
import datetime
import http.client
import unittest.mock
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials

FORM = "application/x-www-form-urlencoded; charset=utf-8"


def signed_request(endpoint, key, secret, body, service="sts", region="us-east-1",
                   token=None, at=None, headers=None, method="POST", path="/"):
    """Returns (method, url, headers, body) signed with SigV4, optionally at time `at`."""
    creds = botocore.credentials.Credentials(key, secret, token)
    request = botocore.awsrequest.AWSRequest(
        method=method, url=endpoint + path, data=body,
        headers={"Content-Type": FORM, **(headers or {})})
    signer = botocore.auth.SigV4Auth(creds, service, region)
    if at is None:
        signer.add_auth(request)
    else:
        class Frozen(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return at
        with unittest.mock.patch.object(botocore.auth.datetime, "datetime", Frozen):
            signer.add_auth(request)
    prepared = request.prepare()
    return prepared.method, prepared.url, dict(prepared.headers), prepared.body


def presigned_url(endpoint, key, secret, params, service="sts", region="us-east-1", expires=300):
    creds = botocore.credentials.Credentials(key, secret)
    url = endpoint + "/?" + urllib.parse.urlencode(params)
    request = botocore.awsrequest.AWSRequest(method="GET", url=url)
    botocore.auth.SigV4QueryAuth(creds, service, region, expires=expires).add_auth(request)
    return request.prepare().url


def send(endpoint, method, path, headers=None, body=None, timeout=30):
    """Sends one raw request; returns (status, headers dict lower-cased, body bytes)."""
    parsed = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        if isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def send_prepared(method, url, headers, body, timeout=30):
    parsed = urllib.parse.urlsplit(url)
    path = parsed.path + (("?" + parsed.query) if parsed.query else "")
    return send(f"{parsed.scheme}://{parsed.netloc}", method, path, headers, body, timeout)
