#!/usr/bin/env python3
"""Expected Authorization headers for tests/unit/aws/lambda_client_test.cpp and
lambda_listing_test.cpp, computed with botocore's SigV4 signer, which shares no code with
lambdagate's.

Each case is the request a test expects the client to send (method, wire path and query, the
headers it signs, the body), with the test's fixed credentials and fixed clock. Regenerate after
changing a case here and in the test:

    python3 tests/data/sigv4/client_signatures.py

and paste the printed constants into the tests (one section per test file).
"""
import datetime
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

ACCESS_KEY = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "session-token-value"
BODY = '{"hello":"world"}'


class ExactHeaders(SigV4Auth):
    """Signs exactly the headers given (botocore would drop some and invent host otherwise)."""

    def headers_to_sign(self, request):
        headers = HTTPHeaders()
        for name, value in request.headers.items():
            headers[name.lower()] = value
        return headers


def sign(url, headers, region, when, token=None, body=BODY, method="POST"):
    credentials = Credentials(ACCESS_KEY, SECRET, token)
    request = AWSRequest(method=method, url=url, headers=dict(headers), data=body.encode())
    signer = ExactHeaders(credentials, "lambda", region)
    # The test's FakeClock, as botocore's clock.
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        signer.add_auth(request)
    return request.headers["Authorization"]


AUG30 = datetime.datetime(2015, 8, 30, 12, 36, 0)
AUG31 = datetime.datetime(2015, 8, 31, 12, 36, 5)
LAMBDA = "lambda.us-east-1.amazonaws.com"
BASE = {"content-type": "application/json", "x-amz-invocation-type": "RequestResponse", "x-amz-log-type": "None"}

CASES = {
    # "AwsLambdaClient sends a signed Invoke"
    "kSignedInvoke": sign(
        "https://" + LAMBDA + "/2015-03-31/functions/my-function/invocations",
        {**BASE, "host": LAMBDA, "x-envoy-original-path": "/api/hello?x=1"}, "us-east-1", AUG30),
    # "AwsLambdaClient sends and signs the session token"
    "kSignedWithToken": sign(
        "https://" + LAMBDA + "/2015-03-31/functions/f/invocations",
        {**BASE, "host": LAMBDA}, "us-east-1", AUG30, token=TOKEN),
    # "AwsLambdaClient encodes ARNs and qualifiers"
    "kSignedArn": sign(
        "http://127.0.0.1:9001/prefix/2015-03-31/functions/"
        "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Amy-fn/invocations?Qualifier=%24LATEST",
        {**BASE, "host": "127.0.0.1:9001"}, "eu-west-1", AUG30),
    # "AwsLambdaClient signs each call at the current time" (the second call, a day later)
    "kSignedNextDay": sign(
        "https://" + LAMBDA + "/2015-03-31/functions/f/invocations",
        {**BASE, "host": LAMBDA}, "us-east-1", AUG31),
    # "AwsLambdaClient keeps its own headers over extra ones"
    "kSignedExtraHeader": sign(
        "https://" + LAMBDA + "/2015-03-31/functions/f/invocations",
        {**BASE, "host": LAMBDA, "x-custom": "kept"}, "us-east-1", AUG30),
}

LISTING_CASES = {
    # "LambdaListingClient lists functions page by page, signed": the first page, then the next
    "kListFunctions": sign(
        "https://" + LAMBDA + "/2015-03-31/functions/?FunctionVersion=ALL",
        {"host": LAMBDA}, "us-east-1", AUG30, body="", method="GET"),
    "kListFunctionsNext": sign(
        "https://" + LAMBDA + "/2015-03-31/functions/?FunctionVersion=ALL&Marker=token%2Fwith%2Bspecial%3Dchars",
        {"host": LAMBDA}, "us-east-1", AUG30, body="", method="GET"),
    # "LambdaListingClient lists aliases": the first page, then the next
    "kListAliases": sign(
        "http://127.0.0.1:9001/prefix/2015-03-31/functions/uppercase/aliases",
        {"host": "127.0.0.1:9001"}, "us-east-1", AUG30, body="", method="GET"),
    "kListAliasesNext": sign(
        "http://127.0.0.1:9001/prefix/2015-03-31/functions/uppercase/aliases?Marker=m2",
        {"host": "127.0.0.1:9001"}, "us-east-1", AUG30, body="", method="GET"),
}

for title, cases in (("lambda_client_test.cpp", CASES), ("lambda_listing_test.cpp", LISTING_CASES)):
    print(f"// {title}")
    for name, value in cases.items():
        print(f'constexpr const char* {name} =\n    "{value}";')
