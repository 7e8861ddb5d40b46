#!/usr/bin/env python3
"""Writes the seed corpus of the jwt fuzz target (tests/fuzz/jwt_fuzz.cpp) into corpus/jwt.

Seeds are public material only: the RFC 7515 A.2/A.3 and RFC 8037 A.4 example tokens and their
public keys as JWK, JWKS and PEM-looking text, plus a few near-misses. The first byte selects the
mode: 0 token, 1 key document, 2 base64url.
"""
import json
import os

A2 = ("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290"
      "Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGb"
      "ds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN"
      "9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWk"
      "WywlVmtVrBp0igcN_IoypGlUPQGe77Rw")
A3 = ("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290"
      "Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q")
ED = ("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijc"
      "NR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg")
NONE = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9."
EC_JWK = {"kty": "EC", "crv": "P-256", "kid": "a3", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
          "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
OKP_JWK = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
RSA_JWK = {"kty": "RSA", "e": "AQAB", "alg": "RS256", "use": "sig",
           "n": A2.split(".")[2][:342]}  # n-shaped text; the key itself need not be valid

seeds = {
    "token_rs256": b"\x00" + A2.encode(),
    "token_es256": b"\x00" + A3.encode(),
    "token_eddsa": b"\x00" + ED.encode(),
    "token_none": b"\x00" + NONE.encode(),
    "token_jwe_shape": b"\x00" + b"a.b.c.d.e",
    "jwk_ec": b"\x01" + json.dumps(EC_JWK).encode(),
    "jwks_mixed": b"\x01" + json.dumps({"keys": [EC_JWK, OKP_JWK, RSA_JWK, {"kty": "oct", "k": "AA"}]}).encode(),
    "pem_garbage": b"\x01-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n",
    "b64": b"\x02Zm9vYmFy-_8",
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jwt")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(f"wrote {len(seeds)} seeds to {out}")
