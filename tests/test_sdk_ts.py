"""The TypeScript SDK: generated from the current OpenAPI document, compiled with tsc, and tested with
node's test runner against a real server."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from app.api import create_app
from app.settings import Settings
from tests.conftest import ROOT, need
from tests.test_client import WALLET_REQUEST

SDK = ROOT / "sdk" / "ts"
BIN = ROOT / "node_modules" / ".bin"


def openapi_document() -> str:
    """The OpenAPI document exactly as `txexplain openapi` writes it."""
    from app.cli.main import openapi_json

    return openapi_json(create_app(Settings()))


@pytest.fixture(scope="module")
def node_tools() -> Path:
    need((BIN / "openapi-typescript").exists() and (BIN / "tsc").exists(), "npm openapi-typescript and typescript")
    return BIN


def test_committed_openapi_document_is_current() -> None:
    assert (SDK / "openapi.json").read_text() == openapi_document(), "run `make sdk` and commit"


def test_committed_types_are_generated_from_it(node_tools: Path, tmp_path: Path) -> None:
    out = tmp_path / "schema.d.ts"
    subprocess.run([node_tools / "openapi-typescript", SDK / "openapi.json", "-o", out], check=True,
                   capture_output=True, timeout=120)
    assert out.read_text() == (SDK / "src" / "schema.d.ts").read_text(), "run `make sdk` and commit"


def test_typescript_client_against_a_running_server(node_tools: Path, server: str, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run([node_tools / "tsc", "-p", SDK / "tsconfig.json", "--outDir", dist],
                           capture_output=True, text=True, timeout=180)
    assert build.returncode == 0, build.stdout + build.stderr
    env = {**os.environ, "TXEXPLAIN_URL": server, "TXEXPLAIN_SDK": (dist / "index.js").as_uri(),
           "WALLET_REQUEST": json.dumps(WALLET_REQUEST)}
    done = subprocess.run(["node", "--test", SDK / "test"], env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# pass 5" in done.stdout and "# fail 0" in done.stdout
