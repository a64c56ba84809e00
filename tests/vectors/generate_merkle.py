"""Generate merkle.json: RFC 9162 inclusion and consistency vectors plus systematic corruptions.

Written straight from RFC 9162 §2.1 (recursive MTH, PATH and PROOF), independent of audit/merkle.py.
Run: python tests/vectors/generate_merkle.py   (rewrites tests/vectors/merkle.json)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

# The leaf inputs of the RFC 6962 / certificate-transparency reference tests.
INPUTS = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]


def leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def k_of(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return leaf(d[0])
    k = k_of(len(d))
    return node(mth(d[:k]), mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = k_of(len(d))
    return [*path(m, d[:k]), mth(d[k:])] if m < k else [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = k_of(n)
    return [*subproof(m, d[:k], b), mth(d[k:])] if m <= k else [*subproof(m - k, d[k:], False), mth(d[:k])]


def hx(b: bytes) -> str:
    return b.hex()


def flip(h: str) -> str:
    """The same hash with its lowest bit of the first byte flipped."""
    b = bytes.fromhex(h)
    return hx(bytes([b[0] ^ 0x01]) + b[1:])


def main() -> None:
    data = [bytes.fromhex(x) for x in INPUTS]
    inclusion, consistency = [], []
    for n in range(1, len(data) + 1):
        root = hx(mth(data[:n]))
        for m in range(n):
            proof = [hx(p) for p in path(m, data[:n])]
            base = {"leaf": hx(leaf(data[m])), "index": m, "size": n, "proof": proof, "root": root}
            inclusion.append({**base, "desc": f"valid n={n} m={m}", "want_err": False})
            inclusion.append({**base, "leaf": flip(base["leaf"]), "desc": f"flipped leaf n={n} m={m}",
                              "want_err": True})
            inclusion.append({**base, "root": flip(root), "desc": f"flipped root n={n} m={m}", "want_err": True})
            # A size whose path has another length: the shape alone must fail. (A size with the same
            # path shape verifies against the old root: only a signed (size, root) pair binds them.)
            for size in (n + 1, 2 * n):
                if len(path(m, [b""] * size)) != len(proof):
                    inclusion.append({**base, "size": size, "desc": f"wrong size {size} n={n} m={m}",
                                      "want_err": True})
                    break
            inclusion.append({**base, "index": (m + 1) % n if n > 1 else 1, "desc": f"wrong index n={n} m={m}",
                              "want_err": True})
            inclusion.append({**base, "proof": [*proof, root], "desc": f"extended proof n={n} m={m}",
                              "want_err": True})
            if proof:
                inclusion.append({**base, "proof": proof[:-1], "desc": f"truncated proof n={n} m={m}",
                                  "want_err": True})
                for i in range(len(proof)):
                    bad = list(proof)
                    bad[i] = flip(bad[i])
                    inclusion.append({**base, "proof": bad, "desc": f"flipped proof[{i}] n={n} m={m}",
                                      "want_err": True})
        for m in range(1, n + 1):
            proof = [hx(p) for p in subproof(m, data[:n], True)]
            base = {"first": m, "second": n, "proof": proof, "first_root": hx(mth(data[:m])),
                    "second_root": root}
            consistency.append({**base, "desc": f"valid {m}->{n}", "want_err": False})
            consistency.append({**base, "first_root": flip(base["first_root"]), "desc": f"flipped first root {m}->{n}",
                                "want_err": True})
            consistency.append({**base, "second_root": flip(root), "desc": f"flipped second root {m}->{n}",
                                "want_err": True})
            if m < n:
                for size in (n + 1, 2 * n):
                    if len(subproof(m, [b""] * size, True)) != len(proof):
                        consistency.append({**base, "second": size, "desc": f"wrong second size {size} {m}->{n}",
                                            "want_err": True})
                        break
                consistency.append({**base, "proof": proof[:-1], "desc": f"truncated proof {m}->{n}",
                                    "want_err": True})
                consistency.append({**base, "proof": [*proof, root], "desc": f"extended proof {m}->{n}",
                                    "want_err": True})
                for i in range(len(proof)):
                    bad = list(proof)
                    bad[i] = flip(bad[i])
                    consistency.append({**base, "proof": bad, "desc": f"flipped proof[{i}] {m}->{n}",
                                        "want_err": True})
    roots = {str(n): hx(mth(data[:n])) for n in range(0, len(data) + 1)}
    out = {"inputs": INPUTS, "roots": roots, "inclusion": inclusion, "consistency": consistency}
    Path(__file__).with_name("merkle.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
