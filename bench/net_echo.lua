-- wrk script: a request shaped like a signed STS GetCallerIdentity call (form body, SigV4
-- headers), to measure the HTTP layer on realistic header and body sizes.
--   wrk -t2 -c64 -d10s -s bench/net_echo.lua http://127.0.0.1:PORT/
wrk.method = "POST"
wrk.path = "/"
wrk.body = "Action=GetCallerIdentity&Version=2011-06-15"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
wrk.headers["User-Agent"] = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/sts.get-caller-identity"
wrk.headers["X-Amz-Date"] = "20261128T162511Z"
wrk.headers["X-Amz-Content-SHA256"] = "ab821ae955788b0e33ebd34c208442ccfc2d406e2edc5e7a39bd6458fbb4f843"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261128/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
