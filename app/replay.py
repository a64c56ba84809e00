"""Replay a recorded explanation from its inputs and diff it against what was recorded."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from app.contract import ResultBody, result_contract
from app.runtime import Services
from audit import AuditRecord
from chain.analyze import analyze
from chain.request import parse_request
from chain.trace import Trace
from inference import Sampling, explain
from inference.explain import NarrativeSource

# Result fields a replay recomputes: the whole contract but `id` and `audit`, which are of the original run only.
COMPARED = tuple(name for name in ResultBody.model_fields if name != "id")


@dataclass(frozen=True)
class ReplayOutcome:
    """What a replay found."""

    equal: bool
    diff: str
    notes: list[str]


async def replay(record: AuditRecord, services: Services) -> ReplayOutcome:
    """Re-run decode, simulation and rules — and the model when the recorded weights are loaded."""
    notes = []
    # a field the contract gained after the record was written is not compared: the record never held it
    compared = [k for k in COMPARED if k in record.result]
    recorded = {k: record.result.get(k) for k in compared}
    if recorded["policy"] != services.policy.identity:
        notes.append(f"policy differs: recorded {record.policy_version}/{record.policy_sha256[:12]}, "
                     f"now {services.policy.version}/{services.policy.sha256[:12]}")
    tx = parse_request(record.request, max_calldata_bytes=services.settings.max_calldata_bytes)
    analysis = analyze(tx, services.backend, services.policy, Trace())
    engine = services.engine
    recorded_sha = (record.model or {}).get("weights_sha256")
    if engine is not None and engine.identity.weights_sha256 != recorded_sha:
        notes.append(f"model not re-run: loaded weights {engine.identity.weights_sha256} differ from the "
                     f"recorded {recorded_sha}")
        engine = None
    sampling = Sampling(**record.sampling) if record.sampling else services.sampling
    mode = (recorded.get("explanation") or {}).get("mode") or services.settings.narrative_mode
    explanation, identity, _ = await explain(analysis, engine, services.policy, sampling, Trace(), mode=mode)
    fresh = result_contract(analysis, services.policy, record.id, explanation, identity)
    replayed: dict[str, Any] = {k: fresh[k] for k in compared}
    if engine is None:  # without the model only the deterministic parts can be compared
        for side in (recorded, replayed):
            side["explanation"] = {"summary": (side["explanation"] or {}).get("summary")}
            side.pop("model")
    elif (recorded.get("explanation") or {}).get("narrative_source") == NarrativeSource.CACHE:
        # a narrative served from the cache is the model's text for the same facts: the same text is no difference
        recorded["explanation"] = {**recorded["explanation"], "narrative_source": str(NarrativeSource.MODEL)}
    before = json.dumps(recorded, indent=2, sort_keys=True).splitlines()
    after = json.dumps(replayed, indent=2, sort_keys=True).splitlines()
    diff = "\n".join(difflib.unified_diff(before, after, "recorded", "replayed", lineterm=""))
    return ReplayOutcome(equal=not diff, diff=diff, notes=notes)
