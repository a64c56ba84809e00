"""EIP-712 digests against MetaMask's own hasher: tests/vectors/eip712.json holds documents (unused types, a
primaryType that is not the root, null fields, no EIP712Domain, every value encoding) and what
@metamask/eth-sig-util's TypedDataUtils.eip712Hash (V4) gave for each, or that it refused."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from chain.decode.eip712 import Eip712Error, eip712_hash, encode_type
from tests.conftest import ROOT, need

VECTORS = json.loads((ROOT / "tests" / "vectors" / "eip712.json").read_text())


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=[v["desc"] for v in VECTORS["vectors"]])
@pytest.mark.parametrize("version", ["v4", "v3"])
def test_digest_matches_eth_sig_util(vector: dict[str, Any], version: str) -> None:
    suffix = "_v3" if version == "v3" else ""
    if vector.get("want_err" + suffix):
        with pytest.raises(Eip712Error):
            eip712_hash(vector["typed_data"], version)
    else:
        assert "0x" + eip712_hash(vector["typed_data"], version).hex() == vector["want_hash" + suffix]


def test_vectors_are_what_eth_sig_util_computes_today(tmp_path: Path) -> None:
    need(shutil.which("node") is not None and (ROOT / "node_modules" / "@metamask" / "eth-sig-util").exists(),
         "node and npm @metamask/eth-sig-util")
    out = tmp_path / "eip712.json"
    subprocess.run(["node", "tests/vectors/generate_eip712.mjs", str(out)], cwd=ROOT, check=True, timeout=60)
    assert json.loads(out.read_text()) == VECTORS, "tests/vectors/eip712.json is stale: run the generator"


def test_encode_type_lists_dependencies_sorted_after_the_primary() -> None:
    """EIP-712's own example: Mail(Person from,Person to,string contents)Person(string name,address wallet)."""
    types = {"Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person[]"},
                      {"name": "contents", "type": "string"}],
             "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
             "Unused": [{"name": "x", "type": "uint256"}]}
    assert encode_type("Mail", types) == ("Mail(Person from,Person[] to,string contents)"
                                          "Person(string name,address wallet)")


def test_error_names_the_field() -> None:
    doc = {"types": {"EIP712Domain": [], "M": [{"name": "a", "type": "uint8"}]}, "primaryType": "M",
           "domain": {}, "message": {"a": 256}}
    with pytest.raises(Eip712Error) as caught:
        eip712_hash(doc)
    assert str(caught.value) == "message.a: 256 is out of range for uint8"
