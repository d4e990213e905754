"""Signs in a demo user (answering the TOTP challenge with the demo secret) and prints the
access token. Used by scripts/schemathesis; standard library only."""

import base64
import hashlib
import hmac
import json
import struct
import sys
import time
import urllib.request

DEMO_PASSWORD = "demo-password-2026"
DEMO_SECRET = "JBSWY3DPEHPK3PXP"


def totp(secret_b32: str, at: float) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def post(base: str, path: str, body: dict) -> dict:
    req = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req) as res:
        return json.load(res)


def main() -> None:
    base, email = sys.argv[1], sys.argv[2]
    answer = post(base, "/api/v1/auth/login", {"email": email, "password": DEMO_PASSWORD})
    if answer["status"] == "otp_required":
        answer = post(
            base,
            "/api/v1/auth/verify-otp",
            {"challengeToken": answer["challengeToken"], "code": totp(DEMO_SECRET, time.time())},
        )
    print(answer["tokens"]["accessToken"])


if __name__ == "__main__":
    main()
