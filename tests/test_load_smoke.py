"""A short load test: benchmarks/load.py with 10 clients for 5 s against the real server, zero errors.

The full run (50 clients, 60 s) is `python benchmarks/load.py --home HOME`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kg.build import BuildResult
from kg.config import Settings
from tests.reliability_support import ROOT, clean_env


def test_ten_clients_for_five_seconds_without_an_error(
    built_home: tuple[Settings, BuildResult], tmp_path: Path
) -> None:
    report_path = tmp_path / "load.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load.py"), "--home", str(built_home[0].home),
         "--clients", "10", "--duration", "5", "--json", str(report_path)],
        capture_output=True, text=True, timeout=300, env=clean_env(), cwd=ROOT,
    )  # fmt: skip
    assert report_path.exists(), proc.stderr[-3000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["errors"] == 0, report["error_samples"]
    assert proc.returncode == 0
    assert report["requests"] >= 10
    assert set(report["latency_ms_by_kind"]) <= {"entity", "search", "saved", "sparql"}
    assert report["latency_ms"]["p99"] >= report["latency_ms"]["p50"] > 0
    assert report["server_rss_kib"]["before"][0] > 0
