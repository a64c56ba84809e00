"""Feedback: `POST /v1/feedback` appends a record of kind `feedback` linked to the explained request, in the
caller's tenant (another tenant's record is as absent as a missing one); the record view and the explorer show it
beside the record; `txexplain audit stats` reports each rule's override rate; the ledger verifies throughout."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.auth import create_key
from app.runtime import Services
from audit import verify_ledger
from tests.support.helpers import DRAINER_EOA, DUSD, calldata, tx
from tests.test_truncation import cli

PHISH = tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, 2**256 - 1))


@pytest.fixture
def served(sqlite_url: str, make_services: Callable[..., Services]) -> Iterator[tuple[Services, TestClient]]:
    services = make_services(sqlite_url, api_keys="required")
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        yield services, client


def key(services: Services, tenant: str, role: str = "client") -> dict[str, str]:
    return {"Authorization": f"Bearer {create_key(services.sessions, tenant, role=role)[0]}"}


def test_feedback_is_linked_shown_and_isolated(served: tuple[Services, TestClient]) -> None:
    services, client = served
    acme, globex = key(services, "acme"), key(services, "globex")
    record_id = client.post("/v1/explain", json=PHISH, headers=acme).json()["id"]
    sent = client.post("/v1/feedback", headers=acme, json={"record_id": record_id, "decision": "false_positive",
                                                           "comment": "I meant to approve this"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["record_id"] == record_id and sent.json()["audit"]["seq"] == 2
    view = client.get(f"/v1/audit/records/{record_id}", headers=acme).json()
    assert [(f["decision"], f["comment"], f["tenant"]) for f in view["feedback"]] == [
        ("false_positive", "I meant to approve this", "acme")]
    stored = client.get(f"/v1/audit/records/{sent.json()['id']}", headers=acme).json()["record"]
    assert stored["kind"] == "feedback" and stored["result"]["feedback_for"] == record_id
    assert "UNLIMITED_APPROVAL" in stored["result"]["rules"]
    # another tenant can neither see the record nor give feedback on it
    refused = client.post("/v1/feedback", headers=globex, json={"record_id": record_id, "decision": "rejected"})
    assert refused.status_code == 404 and refused.json()["errors"][0]["field"] == "record_id"
    page = client.get(f"/audit/records/{record_id}", headers=acme)
    assert page.status_code == 200 and "I meant to approve this" in page.text and "false_positive" in page.text
    assert verify_ledger(services.sessions, services.ledger.signer.public_key_hex).ok


@pytest.mark.parametrize(("body", "field"), [
    ({"record_id": "01JD6Z8Q4W3X5Y7Z9A1B2C3D4E", "decision": "maybe"}, "decision"),
    ({"record_id": "not-a-ulid", "decision": "rejected"}, "record_id"),
    ({"record_id": "01JD6Z8Q4W3X5Y7Z9A1B2C3D4E", "decision": "rejected", "extra": 1}, "extra"),
    ({"record_id": "01JD6Z8Q4W3X5Y7Z9A1B2C3D4E", "decision": "rejected", "comment": "x" * 2001}, "comment"),
])
def test_bad_feedback_is_422_naming_the_field(served: tuple[Services, TestClient], body: dict, field: str) -> None:
    services, client = served
    answer = client.post("/v1/feedback", json=body, headers=key(services, "acme"))
    assert answer.status_code == 422 and any(field in e["field"] for e in answer.json()["errors"]), answer.text


def test_feedback_on_a_missing_record_is_404_and_on_feedback_422(served: tuple[Services, TestClient]) -> None:
    services, client = served
    acme = key(services, "acme")
    missing = client.post("/v1/feedback", headers=acme, json={"record_id": "01JD6Z8Q4W3X5Y7Z9A1B2C3D4E",
                                                              "decision": "rejected"})
    assert missing.status_code == 404
    record_id = client.post("/v1/explain", json=PHISH, headers=acme).json()["id"]
    first = client.post("/v1/feedback", headers=acme, json={"record_id": record_id, "decision": "rejected"})
    on_feedback = client.post("/v1/feedback", headers=acme, json={"record_id": first.json()["id"],
                                                                  "decision": "rejected"})
    assert on_feedback.status_code == 422 and on_feedback.json()["errors"][0]["field"] == "record_id"


def test_stats_report_each_rules_override_rate(served: tuple[Services, TestClient]) -> None:
    services, client = served
    acme, globex = key(services, "acme"), key(services, "globex")
    for decision, headers in (("false_positive", acme), ("proceeded", acme), ("rejected", acme),
                              ("reported_malicious", globex)):
        record_id = client.post("/v1/explain", json=PHISH, headers=headers).json()["id"]
        assert client.post("/v1/feedback", headers=headers,
                           json={"record_id": record_id, "decision": decision}).status_code == 201
    done = cli(services, "stats", "--json")
    assert done.returncode == 0, done.stderr
    unlimited = json.loads(done.stdout)["UNLIMITED_APPROVAL"]
    assert (unlimited["fired"], unlimited["feedback"], unlimited["false_positive"], unlimited["proceeded"]) == (
        4, 4, 1, 1)
    assert unlimited["override_rate"] == 0.5
    acme_only = json.loads(cli(services, "stats", "--json", "--tenant", "acme").stdout)["UNLIMITED_APPROVAL"]
    assert (acme_only["fired"], acme_only["feedback"], acme_only["override_rate"]) == (3, 3, round(2 / 3, 4))


def test_records_are_listed_by_whether_they_got_feedback(served: tuple[Services, TestClient]) -> None:
    services, client = served
    acme = key(services, "acme")
    answered = client.post("/v1/explain", json=PHISH, headers=acme).json()["id"]
    unanswered = client.post("/v1/explain", json=PHISH, headers=acme).json()["id"]
    feedback = client.post("/v1/feedback", headers=acme, json={"record_id": answered, "decision": "rejected"}).json()
    listed = lambda query: [r["id"] for r in client.get(f"/v1/audit/records?{query}", headers=acme).json()["records"]]  # noqa: E731
    assert listed("feedback=true") == [answered]
    assert listed("feedback=false") == [feedback["id"], unanswered]  # the feedback record itself got none
    assert client.get("/v1/audit/records?feedback=maybe", headers=acme).status_code == 422
    page = client.get("/audit?feedback=given", headers=acme)
    assert page.status_code == 200 and answered in page.text and unanswered not in page.text
    assert client.get("/audit?feedback=maybe", headers=acme).status_code == 400
