"""Generate the decoder's signature tables.

    python scripts/gen_selectors.py          # rewrite both tables
    python scripts/gen_selectors.py --check  # exit 1 if a committed table is stale

- ``chain/decode/selectors.json``: the hand-written text signatures in ``chain/decode/signatures/`` (scam entry
  points and what no package ships).
- ``chain/decode/abi_signatures.json``: every function, error and event in the JSON ABIs that the protocols'
  own npm packages ship (``PACKAGES``, npm dev dependencies installed by ``npm ci``; never copied into the
  repository), with argument names and the package@version each came from.

Every signature is parsed (an invalid one fails the run) and keyed by its 4-byte selector (functions, errors)
or 32-byte topic (events). Colliding signatures stay side by side: the decoder tries each and reports
ambiguity rather than guessing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from eth_utils import keccak

from chain.decode.codec import AbiTypeError
from chain.decode.registry import parse_signature

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO / "chain" / "decode"
KINDS = {"functions": 4, "errors": 4, "events": 32}
ENTRY_KINDS = {"function": "functions", "error": "errors", "event": "events"}
# The protocols' npm packages whose ABI files feed the table (package.json pins their versions).
PACKAGES = (
    "@uniswap/v2-core", "@uniswap/v2-periphery", "@uniswap/v3-core", "@uniswap/v3-periphery",
    "@uniswap/swap-router-contracts", "@uniswap/universal-router", "@uniswap/v4-core",
    "@safe-global/safe-contracts", "@gnosis.pm/safe-contracts", "@account-abstraction/contracts",
    "@openzeppelin/contracts", "@0x/contract-artifacts", "@aave/core-v3", "@aave/periphery-v3",
    "canonical-weth", "@gnosis.pm/gp-v2-contracts", "@balancer-labs/v2-deployments", "seaport-types",
    "@eth-optimism/contracts-bedrock", "@1inch/limit-order-protocol-utils",
)
FORGE_NOT_DEPLOYED = (".t.sol", ".s.sol")  # forge artifacts of tests and scripts: nobody sends them calls


def build_selectors() -> str:
    """The hand-written table's JSON text: {kind: {selector: [signatures, sorted]}}, keys sorted."""
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


def _param(p: dict[str, Any]) -> str:
    """One ABI parameter as ``type name`` (tuples spelled out with their members' names)."""
    kind = p["type"]
    if kind.startswith("tuple"):
        kind = "(" + ",".join(_param(c) for c in p.get("components") or []) + ")" + kind[len("tuple"):]
    name = p.get("name") or ""
    return f"{kind} {name}".strip() if name.isidentifier() else kind


def _abis(document: Any) -> list[list[dict[str, Any]]]:
    """The ABIs in one JSON file: a Hardhat/Truffle artifact's ``abi``, 0x's ``compilerOutput.abi``, or a bare
    ABI array."""
    if isinstance(document, dict):
        found = [document[k] for k in ("abi",) if isinstance(document.get(k), list)]
        output = document.get("compilerOutput")
        if isinstance(output, dict) and isinstance(output.get("abi"), list):
            found.append(output["abi"])
        return found
    if isinstance(document, list) and document and all(isinstance(e, dict) and "type" in e for e in document):
        return [document]
    return []


def package_signatures(node_modules: Path) -> tuple[dict[str, str], dict[str, dict[str, dict[str, list[str]]]]]:
    """(package → version, {kind: {selector: {signature with names: [sources]}}}) from PACKAGES' ABI files."""
    versions: dict[str, str] = {}
    table: dict[str, dict[str, dict[str, set[str]]]] = {kind: {} for kind in KINDS}
    for package in PACKAGES:
        root = node_modules / package
        version = json.loads((root / "package.json").read_text())["version"]
        versions[package] = version
        source = f"{package}@{version}"
        for path in sorted(root.rglob("*.json")):
            parts = path.relative_to(root).parts
            forge_test = len(parts) > 1 and parts[-2].endswith(FORGE_NOT_DEPLOYED)
            if "node_modules" in parts or path.name == "package.json" or forge_test:
                continue
            try:
                document = json.loads(path.read_text())
            except (ValueError, UnicodeDecodeError):
                continue
            for abi in _abis(document):
                for entry in abi:
                    kind = ENTRY_KINDS.get(entry.get("type", ""))
                    if kind is None or not isinstance(entry.get("name"), str) or entry.get("anonymous"):
                        continue
                    try:
                        text = f"{entry['name']}({', '.join(_param(p) for p in entry.get('inputs') or [])})"
                        signature = parse_signature(text)
                    except (AbiTypeError, KeyError, TypeError, ValueError):
                        continue  # an entry no canonical type describes (e.g. a library's storage struct)
                    selector = "0x" + keccak(text=signature.signature)[:KINDS[kind]].hex()
                    table[kind].setdefault(selector, {}).setdefault(text, set()).add(source)
    return versions, {kind: {sel: {sig: sorted(src) for sig, src in sorted(sigs.items())}
                             for sel, sigs in sorted(entries.items())} for kind, entries in table.items()}


def build_abi_signatures(node_modules: Path) -> str:
    """The package table's JSON text. Of several spellings of one signature (argument names differ across
    packages) the one the most sources share is kept, ties broken by order."""
    versions, table = package_signatures(node_modules)
    merged: dict[str, dict[str, dict[str, list[str]]]] = {}
    for kind, entries in table.items():
        merged[kind] = {}
        for selector, spellings in entries.items():
            by_canonical: dict[str, list[tuple[str, list[str]]]] = {}
            for text, sources in spellings.items():
                by_canonical.setdefault(parse_signature(text).signature, []).append((text, sources))
            merged[kind][selector] = {}
            for options in by_canonical.values():
                text, _ = max(options, key=lambda o: (len(o[1]), -options.index(o)))
                merged[kind][selector][text] = sorted({s for _, sources in options for s in sources})
    return json.dumps({"sources": versions, **merged}, indent=0, sort_keys=True) + "\n"


def main() -> int:
    outputs = {ROOT / "selectors.json": build_selectors()}
    node_modules = REPO / "node_modules"
    if all((node_modules / p / "package.json").exists() for p in PACKAGES):
        outputs[ROOT / "abi_signatures.json"] = build_abi_signatures(node_modules)
    else:
        print("node_modules lacks the protocol packages (run npm ci): abi_signatures.json not built", file=sys.stderr)
        if "--check" in sys.argv[1:]:
            return 1
    if "--check" in sys.argv[1:]:
        stale = [str(t) for t, text in outputs.items() if not t.exists() or t.read_text() != text]
        for target in stale:
            print(f"{target} is stale: run python scripts/gen_selectors.py", file=sys.stderr)
        return 1 if stale else 0
    for target, text in outputs.items():
        target.write_text(text)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
