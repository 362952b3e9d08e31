"""Prints a wrk Lua script that replays one SigV4-signed STS GetCallerIdentity request.
Usage: wrk_signed.py INIT_JSON ENDPOINT [SERVICE] [BODY]
INIT_JSON holds AccessKeyId and SecretAccessKey (dev-init's output), and SessionToken for
temporary credentials."""
import json
import sys

import botocore.auth
import botocore.awsrequest
import botocore.credentials

info = json.load(open(sys.argv[1]))
endpoint = sys.argv[2]
service = sys.argv[3] if len(sys.argv) > 3 else "sts"
body = sys.argv[4] if len(sys.argv) > 4 else "Action=GetCallerIdentity&Version=2011-06-15"
creds = botocore.credentials.Credentials(info["AccessKeyId"], info["SecretAccessKey"],
                                        info.get("SessionToken"))
req = botocore.awsrequest.AWSRequest(
    method="POST", url=endpoint + "/", data=body,
    headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
botocore.auth.SigV4Auth(creds, service, "us-east-1").add_auth(req)
prepared = req.prepare()


def lua(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


print('wrk.method = "POST"')
print("wrk.body = " + lua(body))
for k, v in prepared.headers.items():
    print(f"wrk.headers[{lua(k)}] = {lua(v)}")
