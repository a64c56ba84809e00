"""Truncation, rollback and rewrite of the ledger, caught from a checkpoint an auditor saved outside the database
(`txexplain audit checkpoint export`, then `audit verify --checkpoint FILE`): the ledger that remains verifies on its
own, so only the saved checkpoint's RFC 9162 consistency proof can tell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.runtime import Services
from audit import verify_ledger
from tests.support.helpers import ROOT_DIR, explain_now, tamper
from tests.test_ledger import REQUESTS

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def cli(services: Services, *args: str, **env_vars: str) -> subprocess.CompletedProcess[str]:
    """``txexplain audit ARGS`` in a subprocess on ``services``' database and key (plus TXEXPLAIN_* ``env_vars``)."""
    env = {**os.environ, "TXEXPLAIN_DATABASE_URL": services.sessions.kw["bind"].url.render_as_string(False),
           "TXEXPLAIN_SIGNING_KEY_PATH": str(services.settings.signing_key_path),
           **{f"TXEXPLAIN_{name.upper()}": value for name, value in env_vars.items()}}
    return subprocess.run([sys.executable, "-m", "app.cli", "audit", *args], cwd=ROOT_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


def fill(services: Services, count: int) -> None:
    for i in range(count):
        explain_now(REQUESTS[i % len(REQUESTS)], services)


def drop_tail(services: Services, after: int) -> None:
    """Delete every record past seq ``after`` with its terms and checkpoints, as a superuser would."""
    for statement in ("DELETE FROM audit_record_terms WHERE seq > :seq", "DELETE FROM audit_records WHERE seq > :seq",
                      "DELETE FROM audit_checkpoints WHERE size > :seq"):
        tamper(services, after, statement)


@pytest.fixture
def saved(request: pytest.FixtureRequest, make_services: Callable[..., Services],
          tmp_path: Path) -> tuple[Services, Path]:
    services = make_services(request.getfixturevalue(f"{request.param}_url"))
    fill(services, 5)
    out = tmp_path / "checkpoint.json"
    exported = cli(services, "checkpoint", "export", "--output", str(out))
    assert exported.returncode == 0, exported.stderr
    assert json.loads(out.read_text())["size"] == 5
    return services, out


@pytest.mark.parametrize("saved", DATABASES, indirect=True)
def test_a_growing_ledger_extends_the_saved_checkpoint(saved: tuple[Services, Path]) -> None:
    services, checkpoint = saved
    assert cli(services, "verify", "--checkpoint", str(checkpoint)).returncode == 0
    fill(services, 3)
    done = cli(services, "verify", "--checkpoint", str(checkpoint), "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["ok"], done.stdout + done.stderr
    assert report["extends"].startswith("the ledger's 8 records extend the saved checkpoint of 5")


@pytest.mark.parametrize("saved", DATABASES, indirect=True)
def test_a_truncated_ledger_verifies_alone_but_not_against_the_saved_checkpoint(saved: tuple[Services, Path]) -> None:
    services, checkpoint = saved
    drop_tail(services, 3)
    assert verify_ledger(services.sessions, services.ledger.signer.public_key_hex).ok  # what remains is whole
    done = cli(services, "verify", "--checkpoint", str(checkpoint), "--json")
    assert done.returncode == 1
    assert "covers 3 records, the saved one 5: the ledger was truncated or rolled back" in json.loads(done.stdout)[
        "reason"]


@pytest.mark.parametrize("saved", DATABASES, indirect=True)
def test_a_rewritten_tail_is_caught_even_after_honest_writes_sign_over_it(saved: tuple[Services, Path]) -> None:
    """The last record and its checkpoint deleted, another record written in its place, then honest writes chain
    and sign new checkpoints over it: the ledger is consistent, and not the one the auditor saw."""
    services, checkpoint = saved
    drop_tail(services, 4)
    explain_now(REQUESTS[-1] | {"value": "0x1"}, services)  # seq 5 again, other content
    fill(services, 2)
    assert verify_ledger(services.sessions, services.ledger.signer.public_key_hex).ok
    done = cli(services, "verify", "--checkpoint", str(checkpoint), "--json")
    assert done.returncode == 1
    assert "does not extend the saved checkpoint of size 5" in json.loads(done.stdout)["reason"]


@pytest.mark.parametrize("saved", DATABASES, indirect=True)
def test_a_checkpoint_signed_by_another_key_is_refused(saved: tuple[Services, Path], tmp_path: Path) -> None:
    from audit import Signer

    services, checkpoint = saved
    forged = json.loads(checkpoint.read_text())
    other = Signer.load_or_create(tmp_path / "other.key")
    forged.update(public_key=other.public_key_hex, key_id=other.key_id, signature=other.sign(forged["signed"].encode()))
    checkpoint.write_text(json.dumps(forged))
    done = cli(services, "verify", "--checkpoint", str(checkpoint), "--json")
    assert done.returncode == 1 and "signed by an untrusted key" in json.loads(done.stdout)["reason"]
