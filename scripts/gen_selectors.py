"""Generate chain/decode/selectors.json from the text signatures in chain/decode/signatures/.

    python scripts/gen_selectors.py          # rewrite the table
    python scripts/gen_selectors.py --check  # exit 1 if the committed table is stale

Every signature is parsed (an invalid one fails the run) and keyed by its 4-byte selector
(functions, errors) or 32-byte topic (events). Colliding signatures stay side by side: the decoder
tries each and reports ambiguity rather than guessing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eth_utils import keccak

from chain.decode.registry import parse_signature

ROOT = Path(__file__).resolve().parent.parent / "chain" / "decode"
KINDS = {"functions": 4, "errors": 4, "events": 32}


def build() -> str:
    """The table's JSON text: {kind: {selector: [signatures, sorted]}}, keys sorted."""
    table: dict[str, dict[str, list[str]]] = {}
    for kind, width in KINDS.items():
        entries: dict[str, set[str]] = {}
        for line in (ROOT / "signatures" / f"{kind}.txt").read_text().splitlines():
            text = line.split("#")[0].strip()
            if not text:
                continue
            signature = parse_signature(text).signature
            entries.setdefault("0x" + keccak(text=signature)[:width].hex(), set()).add(signature)
        table[kind] = {sel: sorted(sigs) for sel, sigs in sorted(entries.items())}
    return json.dumps(table, indent=1, sort_keys=True) + "\n"


def main() -> int:
    target = ROOT / "selectors.json"
    text = build()
    if "--check" in sys.argv[1:]:
        if not target.exists() or target.read_text() != text:
            print(f"{target} is stale: run python scripts/gen_selectors.py", file=sys.stderr)
            return 1
        return 0
    target.write_text(text)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
