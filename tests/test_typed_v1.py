"""Legacy ``eth_signTypedData`` (v1, the array form) against MetaMask's own hasher: tests/vectors/typed_v1.json holds
documents and what @metamask/eth-sig-util's typedSignatureHash gave for each, or that it refused."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.runtime import Services
from chain import RequestError, Signature
from chain.analyze import analyze
from chain.decode.typed_data_v1 import LegacyTypedDataError, legacy_typed_data_hash
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from tests.conftest import ROOT, need

VECTORS = json.loads((ROOT / "tests" / "vectors" / "typed_v1.json").read_text())
SIGNER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
EXAMPLE = next(v for v in VECTORS["vectors"] if v["desc"] == "MetaMask test dApp example")


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=[v["desc"] for v in VECTORS["vectors"]])
def test_digest_matches_eth_sig_util(vector: dict[str, Any]) -> None:
    if vector.get("want_err"):
        with pytest.raises(LegacyTypedDataError):
            legacy_typed_data_hash(vector["typed_data"])
    else:
        assert "0x" + legacy_typed_data_hash(vector["typed_data"]).hex() == vector["want_hash"]


def test_vectors_are_what_eth_sig_util_computes_today(tmp_path: Path) -> None:
    need(shutil.which("node") is not None and (ROOT / "node_modules" / "@metamask" / "eth-sig-util").exists(),
         "node and npm @metamask/eth-sig-util")
    out = tmp_path / "typed_v1.json"
    subprocess.run(["node", "tests/vectors/generate_typed_v1.mjs", str(out)], cwd=ROOT, check=True, timeout=60)
    assert json.loads(out.read_text()) == VECTORS, "tests/vectors/typed_v1.json is stale: run the generator"


@pytest.mark.parametrize("method", ["eth_signTypedData", "eth_signTypedData_v1"])
def test_every_param_order_and_form_signs_the_same_digest(method: str) -> None:
    document = EXAMPLE["typed_data"]
    for params in ([document, SIGNER], [json.dumps(document), SIGNER], [SIGNER, document]):
        signature = parse_request({"chain_id": 1, "method": method, "params": params})
        assert isinstance(signature, Signature) and signature.signer == SIGNER
        assert "0x" + signature.digest.hex() == EXAMPLE["want_hash"]


@pytest.mark.parametrize(("params", "field", "words"), [
    ([[], SIGNER], "params[0]", "non-empty array"),
    ([[{"type": "function", "name": "f", "value": "0x00"}], SIGNER], "params[0]", "not supported"),
    ([[{"type": "uint8", "name": "a", "value": 256}], SIGNER], "params[0]", "does not fit uint8"),
    ([EXAMPLE["typed_data"], "0x1234"], "params[1]", ""),
])
def test_bad_documents_are_refused_naming_the_field(params: list, field: str, words: str) -> None:
    with pytest.raises(RequestError) as caught:
        parse_request({"chain_id": 1, "method": "eth_signTypedData", "params": params})
    assert caught.value.errors[0]["field"] == field and words in caught.value.errors[0]["message"]


def test_the_user_reads_the_fields_and_the_site_is_judged(backend: RevmBackend, policy: Policy) -> None:
    request = {"chain_id": 1, "method": "eth_signTypedData", "params": [EXAMPLE["typed_data"], SIGNER]}
    analysis = analyze(parse_request(request), backend, policy, Trace())
    message = analysis.facts.message
    assert message is not None and message.kind == "legacy_typed_data" and not message.blind
    assert message.text == "Message (string): Hi, Alice!\nA number (uint32): 1337"
    assert analysis.verdict == "ok"
    # the requester's words are data: the same checks as any message run on them (a listed phishing site blocks)
    phished = analyze(parse_request({**request, "context": {"origin": "https://myetherwallet.com.ua"}}), backend,
                      policy, Trace())
    assert "PHISHING_ORIGIN" in {f.rule for f in phished.findings} and phished.verdict == "block"


def test_served_end_to_end(sqlite_url: str, make_services: Any) -> None:
    from app.api import create_app

    services: Services = make_services(sqlite_url)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        answer = client.post("/v1/explain", json={"chain_id": 1, "method": "eth_signTypedData",
                                                  "params": [EXAMPLE["typed_data"], SIGNER]})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["kind"] == "message" and body["message"]["kind"] == "legacy_typed_data"
        assert "names no site, contract or chain" in body["explanation"]["summary"]
        bad = client.post("/v1/explain", json={"chain_id": 1, "method": "eth_signTypedData",
                                               "params": [[{"type": "uint8", "name": "a", "value": "x"}], SIGNER]})
        assert bad.status_code == 422 and "params[0]" in bad.text
