"""Small measuring helpers: machine facts, statistics over runs, peak memory from /proc."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

LIBRARIES = ("rdflib", "pyshacl", "pyoxigraph", "flask", "waitress", "jieba")


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().splitlines() if Path("/proc/meminfo").exists() else []
    total_kb = next((int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:")), 0)
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = None
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "libraries": versions,
    }


def summary(samples: list[float]) -> dict:
    """Median, p95, p99, min, max and count; spread = max - min."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)

    def percentile(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"n": len(ordered), "median": statistics.median(ordered), "p95": percentile(0.95), "p99": percentile(0.99),
            "min": ordered[0], "max": ordered[-1], "spread": ordered[-1] - ordered[0]}


def timed(fn: Callable[[], object], runs: int, budget: float) -> list[float]:
    """Seconds of up to ``runs`` calls, stopping once ``budget`` seconds are spent (at least one call)."""
    samples: list[float] = []
    started = time.perf_counter()
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
        if time.perf_counter() - started > budget:
            break
    return samples


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS (Linux: write 5 to clear_refs) so the next reading is per stage."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1024 / 1024
