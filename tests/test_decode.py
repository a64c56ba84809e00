"""Strict decoding against the bundled ABIs."""

from __future__ import annotations

import pytest

from chain.decode import decode_calldata
from tests.support.helpers import ALICE, DRAINER_EOA, DUSD, MAX_UINT, calldata


def decode(hex_data: str) -> dict:
    result = decode_calldata(bytes.fromhex(hex_data[2:]))
    assert result is not None
    return result.model_dump(mode="json")


def test_decode_approve_returns_named_args() -> None:
    assert decode(calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT)) == {
        "selector": "0x095ea7b3", "function": "approve(address,uint256)", "source": "abi",
        "args": [{"name": "spender", "type": "address", "value": DRAINER_EOA},
                 {"name": "amount", "type": "uint256", "value": str(MAX_UINT)}],
        "calls": [], "error": None, "target": None, "value": None, "operation": None, "command": None,
        "proxy": None, "candidates": [], "trailing_data": None,
    }


def test_decode_set_approval_for_all_and_transfer_from() -> None:
    assert decode(calldata("setApprovalForAll(address,bool)", DRAINER_EOA, True))["args"][1]["value"] is True
    decoded = decode(calldata("transferFrom(address,address,uint256)", DRAINER_EOA, DRAINER_EOA, 7))
    assert decoded["function"] == "transferFrom(address,address,uint256)"
    assert [a["value"] for a in decoded["args"]] == [DRAINER_EOA, DRAINER_EOA, "7"]


def test_decode_truncated_calldata_is_unknown_with_reason() -> None:
    decoded = decode(calldata("approve(address,uint256)", DRAINER_EOA, 1)[:2 + 2 * 40])
    assert decoded["source"] == "unknown" and decoded["function"] is None
    assert decoded["error"] == "arguments (36 bytes) do not decode as approve(address,uint256)"


def test_decode_trailing_byte_decodes_and_is_reported() -> None:
    decoded = decode(calldata("transfer(address,uint256)", DRAINER_EOA, 1) + "00")
    assert (decoded["source"], decoded["function"], decoded["trailing_data"]) == (
        "abi", "transfer(address,uint256)", "0x00")


def test_decode_dirty_address_padding_does_not_match() -> None:
    data = calldata("approve(address,uint256)", DRAINER_EOA, 1)
    dirty = data[:10] + "ff" + data[12:]  # non-zero high bytes in the address word
    assert decode(dirty)["error"] == "arguments (64 bytes) do not decode as approve(address,uint256)"


def test_decode_unknown_selector_and_short_data() -> None:
    assert decode("0xdeadbeef")["error"] == "no known function has this selector"
    assert decode("0x1234")["error"] == "calldata is 2 bytes, shorter than a 4-byte selector"
    assert decode_calldata(b"") is None


def test_decode_nested_multicall3_batches_at_any_depth() -> None:
    from tests.support.helpers import DEMO, DUSD, MULTICALL3

    approve = calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT)
    inner = calldata("aggregate3((address,bool,bytes)[])", [(DUSD, False, bytes.fromhex(approve[2:]))])
    outer = calldata("aggregate3Value((address,bool,uint256,bytes)[])",
                     [(MULTICALL3, False, 0, bytes.fromhex(inner[2:])), (DEMO, True, 7, bytes.fromhex("deadbeef"))])
    decoded = decode_calldata(bytes.fromhex(outer[2:]), MULTICALL3)
    nested, unknown = decoded.calls
    assert (nested.function, nested.target, nested.value) == ("aggregate3((address,bool,bytes)[])", MULTICALL3, "0")
    assert (nested.calls[0].function, nested.calls[0].target) == ("approve(address,uint256)", DUSD)
    assert (unknown.source, unknown.target, unknown.value) == ("unknown", DEMO, "7")


def test_decode_stops_at_the_depth_limit() -> None:
    from tests.support.helpers import MULTICALL3

    data = calldata("transfer(address,uint256)", DRAINER_EOA, 1)
    for _ in range(10):
        data = calldata("multicall(bytes[])", [bytes.fromhex(data[2:])])
    decoded = decode_calldata(bytes.fromhex(data[2:]), MULTICALL3)
    depth = 0
    while decoded.calls:
        decoded, depth = decoded.calls[0], depth + 1
    assert depth == 8 and decoded.error == "nested calls deeper than 8 levels are not decoded"


def test_decode_endpoint_is_fast_and_stores_nothing(sqlite_url: str, make_services) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from app.api import create_app
    from audit import count_records
    from tests.support.helpers import example

    services = make_services(sqlite_url)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        tx_body = client.post("/v1/decode", json=example("unlimited-approval-to-eoa")).json()
        sig_body = client.post("/v1/decode", json=example("permit2-phishing-signature")).json()
        bad = client.post("/v1/decode", json={"chain_id": 1, "from": "0x12"})
    assert tx_body["decoded"]["function"] == "approve(address,uint256)"
    assert tx_body["decoded"]["args"][0]["value"] == DRAINER_EOA
    assert sig_body["typed_data"]["classification"] == "permit2_PermitSingle"
    assert sig_body["approvals"][0]["spender"] == DRAINER_EOA
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "from"
    assert count_records(services.sessions) == 0


def _lower(value: object) -> object:
    """Addresses compare case-insensitively (the decoder returns EIP-55, the generator lowercase)."""
    if isinstance(value, list):
        return [_lower(v) for v in value]
    return value.lower() if isinstance(value, str) else value


def test_every_bundled_function_round_trips() -> None:
    """Each bundled signature: encode sample values with eth-abi, decode, get the same signature and values
    (or, where two bundled signatures share a selector and both decode, an honest ambiguity)."""
    from eth_abi import encode
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from chain.decode import json_value
    from chain.decode.registry import bundled_functions
    from tests.test_codec import _values

    functions = sorted({fn.signature: fn for fns in bundled_functions().values() for fn in fns}.values(),
                       key=lambda f: f.signature)
    assert len(functions) > 100

    @settings(max_examples=len(functions) * 3, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data: st.DataObject) -> None:
        fn = data.draw(st.sampled_from(functions))
        values = [data.draw(_values(t)) for t in fn.types]
        decoded = decode_calldata(fn.selector + encode(list(fn.types), values))
        if decoded.candidates:
            assert fn.signature in decoded.candidates
            return
        assert decoded.function == fn.signature
        want = [json_value(t, v) for t, v in zip(fn.types, values, strict=True)]
        assert _lower([a.value for a in decoded.args]) == _lower(want)

    check()


def _bad_offset() -> str:
    data = calldata("multicall(bytes[])", [b"\x01\x02\x03\x04"])
    return data[:10] + "00" * 31 + "40" + data[74:]  # the array's offset word points past its canonical place


@pytest.mark.parametrize(("hex_data", "want_err"), [
    ("0x095e", "calldata is 2 bytes, shorter than a 4-byte selector"),
    (calldata("approve(address,uint256)", DRAINER_EOA, 1)[:-2], "do not decode as approve(address,uint256)"),
    (_bad_offset(), "do not decode as multicall(bytes[])"),
    ("0xac9650d8" + "00" * 31 + "20" + "ff" * 32, "do not decode as multicall(bytes[])"),  # huge array length
    ("0xac9650d8" + "00" * 31 + "20" + "00" * 31 + "01" + "00" * 31 + "20" + "ff" * 32, "do not decode"),
    ("0x" + "ab" * 4 + "cd" * 70_000, "no known function has this selector"),
], ids=["short", "truncated", "bad-offset", "huge-array-length", "huge-bytes-length", "big-unknown"])
def test_decode_malformed_calldata_is_unknown_within_50ms(hex_data: str, want_err: str) -> None:
    import time

    data = bytes.fromhex(hex_data[2:])
    timings = []
    for _ in range(3):  # best of three: the bound is about hangs, not scheduler noise
        started = time.perf_counter()
        decoded = decode_calldata(data)
        timings.append(time.perf_counter() - started)
    assert decoded.source == "unknown" and want_err in decoded.error
    assert min(timings) < 0.05


def test_decode_deep_nesting_and_call_bombs_stay_bounded() -> None:
    import time

    from chain.decode.calldata import MAX_CALLS

    deep = bytes.fromhex(calldata("transfer(address,uint256)", DRAINER_EOA, 1)[2:])
    for _ in range(300):
        deep = bytes.fromhex(calldata("multicall(bytes[])", [deep])[2:])
    bomb = bytes.fromhex(calldata("multicall(bytes[])", [b"\x09\x5e\xa7\xb3"] * 3000)[2:])
    started = time.perf_counter()
    deep_decoded, bomb_decoded = decode_calldata(deep), decode_calldata(bomb)
    assert time.perf_counter() - started < 2
    assert "nested calls deeper than 8 levels" in str(deep_decoded.model_dump())
    assert len(bomb_decoded.calls) == MAX_CALLS
    assert bomb_decoded.error == f"more than {MAX_CALLS} nested calls; the rest are not decoded"


def test_selector_table_is_generated_from_the_committed_signatures() -> None:
    """Both tables: the hand-written signatures, and the protocols' npm packages' ABIs (npm ci installs them)."""
    import subprocess
    import sys

    from tests.conftest import need
    from tests.support.helpers import ROOT_DIR

    need((ROOT_DIR / "node_modules" / "@uniswap" / "v4-core" / "package.json").exists(), "the npm protocol packages")
    result = subprocess.run([sys.executable, "scripts/gen_selectors.py", "--check"], cwd=ROOT_DIR,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("signature", "args", "names", "package"), [
    ("supply(address,uint256,address,uint16)", [DUSD, 10**6, ALICE, 0], ["asset", "amount", "onBehalfOf",
                                                                         "referralCode"], "@aave/core-v3"),
    ("setPreSignature(bytes,bool)", [b"\x01" * 56, True], ["orderUid", "signed"], "@gnosis.pm/gp-v2-contracts"),
    ("unlock(bytes)", [b"\x12\x34"], ["data"], "@uniswap/v4-core"),
    ("exactInputSingle((address,address,uint24,address,uint256,uint256,uint160))",
     [(DUSD, ALICE, 500, ALICE, 10**6, 0, 0)], ["params"], "@uniswap/swap-router-contracts"),
])
def test_functions_of_the_published_abis_decode_with_their_names(signature: str, args: list, names: list[str],
                                                                  package: str) -> None:
    from chain.decode.registry import parse_signature, published_table

    decoded = decode(calldata(signature, *args))
    assert (decoded["function"], decoded["source"]) == (signature, "abi")
    assert [a["name"] for a in decoded["args"]] == names
    origins = published_table()["origins"]["functions"]
    assert any(package in src for text, sources in origins.items() if parse_signature(text).signature == signature
               for src in sources)


def test_signatures_stats_counts_each_source() -> None:
    import json
    import subprocess
    import sys

    from tests.support.helpers import ROOT_DIR

    done = subprocess.run([sys.executable, "-m", "app.cli", "signatures", "stats", "--json"], cwd=ROOT_DIR,
                          capture_output=True, text=True, timeout=120)
    counts = json.loads(done.stdout)
    assert counts["@uniswap/universal-router@2.1.0"]["errors"] > 0 and counts["@aave/core-v3@1.19.3"]["functions"] > 0
    assert counts["chain/decode/signatures (hand-written)"]["functions"] > 0
    assert len(counts) == 20  # 19 packages with ABI files (seaport-types ships Solidity only) + the hand-written


def test_unresolved_calldata_gets_a_guessed_layout_and_still_fires_unknown_function() -> None:
    from eth_abi import encode

    from chain.analyze import analyze
    from chain.request import parse_request
    from chain.rules import load_policy
    from chain.simulate import RevmBackend
    from chain.trace import Trace
    from inference.summary import summarize
    from tests.support.helpers import DRAINER, tx

    body = encode(["address", "uint256", "bytes", "address[]"], [DRAINER, 10**18, b"\x00\x01", [ALICE, DUSD]])
    data = "0x12345678" + body.hex()
    decoded = decode(data)
    assert (decoded["source"], decoded["function"]) == ("guessed", "0x12345678(address,uint256,bytes,address[])")
    assert [a["value"] for a in decoded["args"]] == [DRAINER, str(10**18), "0x0001", [ALICE, DUSD]]
    assert decode("0x12345678" + "00" * 31)["source"] == "unknown"  # not whole words: no layout to guess
    analysis = analyze(parse_request(tx(DUSD, data)), RevmBackend(), load_policy(), Trace())
    rules = [f.rule for f in analysis.findings]
    assert "UNKNOWN_FUNCTION" in rules and "KNOWN_MALICIOUS" in rules  # a guessed address is still checked
    said = summarize(analysis)
    assert "read without a signature (a guess, not the function's own types)" in said
    assert (f"carries: {DRAINER} (an address, or a 20-byte number); the number {10**18}; 2 bytes (0x0001); "
            f"a list of 2 ({ALICE}, {DUSD})") in said
