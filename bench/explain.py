"""End-to-end explain latency on the embedded stack, side by side: with the model, without it.

Run: .venv/bin/python -m bench.explain [--runs 7]
Uses a throwaway SQLite file; prints medians per example and a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from app.pipeline import explain_request
from app.runtime import build_services
from app.settings import Settings

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.json"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    settings = Settings(database_url=f"sqlite:///{tmp / 'bench.db'}", signing_key_path=tmp / "bench.key")
    with_model = build_services(settings)
    without = build_services(settings, engine=None)
    requests = [json.loads(p.read_text()) for p in EXAMPLES]
    start = time.perf_counter()
    asyncio.run(explain_request(requests[0], with_model))
    print(f"first explain (cold prompt cache, model loaded): {time.perf_counter() - start:.2f} s")
    model_times, plain_times = [], []
    for path, raw in zip(EXAMPLES, requests, strict=True):
        timings = {"model": [], "none": []}
        for _ in range(args.runs):
            for name, services in (("model", with_model), ("none", without)):
                t = time.perf_counter()
                asyncio.run(explain_request(raw, services))
                timings[name].append(time.perf_counter() - t)
        m, n = statistics.median(timings["model"]), statistics.median(timings["none"])
        model_times.append(m)
        plain_times.append(n)
        print(f"{path.stem:<28} with model median {m * 1000:8.1f} ms   without model median {n * 1000:6.1f} ms")
    m, n = statistics.median(model_times), statistics.median(plain_times)
    print(f"explain with model vs deterministic only: {m / n:.1f}x slower "
          f"(medians {m * 1000:.0f} ms vs {n * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
