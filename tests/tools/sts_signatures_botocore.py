#!/usr/bin/env python3
"""Prints the Authorization headers that botocore (an independent SigV4 implementation) computes for
the AssumeRole requests in tests/unit/aws/credential_providers_test.cpp, so that test can pin them
instead of re-deriving them with lambdagate's own signer. Run: python3 tests/tools/sts_signatures_botocore.py
(needs Debian's python3-botocore)."""
import datetime
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

FORM = ("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A210987654321%3Arole%2FTarget"
        "&RoleSessionName=gw")


def sign(access_key, secret, token, region, when, body):
    host = f"sts.{region}.amazonaws.com"
    request = AWSRequest(method="POST", url=f"https://{host}/", data=body,
                         headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8"})
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        SigV4Auth(Credentials(access_key, secret, token), "sts", region).add_auth(request)
    return request.headers["Authorization"]


if __name__ == "__main__":
    print(sign("ASIABASE", "base-secret", "base-session-token", "eu-west-1",
               datetime.datetime(2015, 8, 30, 12, 36), FORM + "&DurationSeconds=900"))
    print(sign("ASIABASE", "base-secret", "base-session-token", "eu-west-1",
               datetime.datetime(2015, 8, 31, 12, 36), FORM + "&DurationSeconds=900"))
    print(sign("AKIDBASE", "base-secret", None, "us-east-1", datetime.datetime(2015, 8, 30, 12, 36), FORM))
