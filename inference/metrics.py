"""Prometheus metrics of the narrative path (served by app/ at /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

TTFT = Histogram("txexplain_ttft_seconds", "Time to the model's first token.",
                 buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32))
EXPLAIN = Histogram("txexplain_explain_seconds", "Whole explain latency, audit write included.",
                    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32))
PREFIX_HIT_TOKENS = Counter("txexplain_prefix_cache_hit_tokens_total",
                            "Prompt tokens the engine reused instead of evaluating.")
REJECTED = Counter("txexplain_narrative_rejected_total", "Narratives the validator rejected.", ["reason"])
NARRATIVE_CACHE = Counter("txexplain_narrative_cache_total", "Narrative cache lookups.", ["outcome"])
