"""Verifies fxcm:ohlcv signatures exactly as the Python consumer (smc_v1) does.

Reads one message per line on stdin; FXCM_HMAC_SECRET and FXCM_HMAC_ALGO in the environment.
Prints {"checked": N, "valid": N, "invalid": [first few]} as JSON.
"""
import hashlib
import hmac
import json
import os
import sys

secret = os.environ["FXCM_HMAC_SECRET"].encode("utf-8")
algo = os.environ.get("FXCM_HMAC_ALGO", "sha256")
checked = valid = 0
invalid = []
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line:
        continue
    checked += 1
    msg = json.loads(line)
    base = {"symbol": msg["symbol"], "tf": msg["tf"], "bars": msg["bars"]}
    body = json.dumps(base, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
    expected = hmac.new(secret, body.encode("utf-8"), getattr(hashlib, algo)).hexdigest()
    if hmac.compare_digest(expected, msg.get("sig", "")):
        valid += 1
    elif len(invalid) < 5:
        invalid.append(line[:200])
print(json.dumps({"checked": checked, "valid": valid, "invalid": invalid}))
