"""Atomic builds under SIGKILL: the store is always the old one or the new one, never a mix.

The home starts with a store built from one report (the "old" store); its sources then hold two (the
"new" store, built beforehand in another home for reference). The reports are cut to their first
quarter so that each build takes seconds. `kg build` runs as a
subprocess with ``KG_TEST_CHECKPOINTS`` set, so kg/build.py prints each stage boundary it reaches
(parse, rdf, extract, validate, load, store-written, swap); the test kills it with SIGKILL at one of
them, either paused exactly there (``KG_TEST_PAUSE_AT``) or after a random delay inside the stage. After
every kill the store must be exactly the old or the new one, and ``current`` a finished build. At the
end one more build must succeed, and leave no abandoned build directory behind.

``KG_KILL_ITERATIONS`` (default 7: each checkpoint once, in random order) and ``KG_KILL_SEED`` control
the loop; the seed is printed so a failure can be replayed.
"""

from __future__ import annotations

import os
import queue
import random
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from kg.build import build
from kg.config import Settings
from kg.store import StoreLayout
from tests.conftest import make_home
from tests.reliability_support import ROOT, Snapshot, clean_env, kg_command, run_kg

CHECKPOINTS = ("parse", "rdf", "extract", "validate", "load", "summarize", "index", "store-written", "swap")
ITERATIONS = int(os.environ.get("KG_KILL_ITERATIONS", str(len(CHECKPOINTS))))
SEED = int(os.environ.get("KG_KILL_SEED", str(random.SystemRandom().randrange(1_000_000))))
ITERATION_TIMEOUT = 240  # seconds for one build to reach its checkpoint


def _reader(stream, lines: queue.Queue[str]) -> None:  # noqa: ANN001
    for line in iter(stream.readline, ""):
        lines.put(line.rstrip("\n"))
    lines.put("")  # end of stream


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def kill_build_at(home: Path, checkpoint: str, occurrence: int, pause: bool, delay: float, workers: int) -> str:
    """Run `kg build`, SIGKILL it at the given checkpoint; returns what happened, for the failure message."""
    env = clean_env(KG_TEST_CHECKPOINTS="1", KG_BUILD_WORKERS=str(workers))
    if pause:
        env |= {"KG_TEST_PAUSE_AT": checkpoint, "KG_TEST_PAUSE_SECONDS": "120"}
    proc = subprocess.Popen(
        kg_command(home, "build"),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: worker processes included
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stderr, lines), daemon=True).start()
    seen, deadline, log = 0, time.monotonic() + ITERATION_TIMEOUT, []
    try:
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            log.append(line)
            if line == "":
                return "finished before the checkpoint: " + " | ".join(log[-5:])
            if line == f"kg-checkpoint {checkpoint}":
                seen += 1
                if seen == occurrence:
                    break
        if not pause:
            time.sleep(delay)
        proc.send_signal(signal.SIGKILL)  # the build process only, as the OOM killer would
        proc.wait(timeout=30)
        # worker processes must not outlive the build they work for
        deadline = time.monotonic() + 15
        while not _group_gone(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        orphans = not _group_gone(proc.pid)
        return f"killed at {checkpoint}#{occurrence}" + (" (orphaned workers left running)" if orphans else "")
    finally:
        if not _group_gone(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


FRACTION = 0.25  # of each report: the first quarter, cut at a line end, keeps each build short


def small_home(path: Path, reports: tuple[str, ...]) -> Settings:
    """A home whose sources are the first quarter of the given reports (the others removed)."""
    settings = make_home(path)
    for meta in settings.sources_dir.glob("*.toml"):
        text = meta.with_suffix(".txt")
        if meta.stem not in reports:
            meta.unlink()
            text.unlink()
            continue
        data = text.read_bytes()
        cut = data.rindex(b"\n", 0, int(len(data) * FRACTION)) + 1
        text.unlink()  # the copies are read-only
        text.write_bytes(data[:cut])
    return settings


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Snapshot, Snapshot]:
    """A home whose store holds one (shortened) report while its sources hold two; the two snapshots."""
    both = ("haidian-2022", "haidian-2024")
    reference = small_home(tmp_path_factory.mktemp("new"), both)
    build(reference)
    settings = small_home(tmp_path_factory.mktemp("kill"), ("haidian-2024",))
    build(settings)
    old = Snapshot.of(settings.store_dir)
    shutil.rmtree(settings.sources_dir)
    shutil.copytree(reference.sources_dir, settings.sources_dir)
    return settings, old, Snapshot.of(reference.store_dir)


@pytest.mark.timeout(ITERATIONS * ITERATION_TIMEOUT + 600)
def test_sigkill_at_any_stage_leaves_the_old_or_the_new_store(homes: tuple[Settings, Snapshot, Snapshot]) -> None:
    settings, old, new = homes
    assert old.nt_sha256 != new.nt_sha256
    layout = StoreLayout(settings.store_dir)
    rng = random.Random(SEED)
    plan = [CHECKPOINTS[i % len(CHECKPOINTS)] for i in range(ITERATIONS)]
    rng.shuffle(plan)
    history, orphaned = [], []
    for i, checkpoint in enumerate(plan):
        per_document = checkpoint in ("parse", "rdf", "extract", "validate")
        occurrence = rng.randint(1, 2) if per_document else 1
        pause, delay, workers = rng.random() < 0.5, rng.uniform(0, 0.5), rng.choice((1, 2))
        what = kill_build_at(settings.home, checkpoint, occurrence, pause, delay, workers)
        history.append(f"{i}: {what} (pause={pause}, delay={delay:.2f}, workers={workers})")
        if "orphaned" in what:
            orphaned.append(what)
        context = f"seed {SEED}: " + "; ".join(history)
        now = Snapshot.of(settings.store_dir)
        assert now.nt_sha256 in (old.nt_sha256, new.nt_sha256), context
        current = layout.current_build()
        assert current is not None and (current / "build.json").is_file(), context
        assert (now.nt_sha256 == new.nt_sha256) == (now.current != old.current), context
    assert not orphaned, f"worker processes outlived a killed build: {orphaned}"
    # the next build succeeds and removes what the killed ones left
    proc = run_kg(settings.home, "build", timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert Snapshot.of(settings.store_dir).nt_sha256 == new.nt_sha256
    leftovers = [p.name for p in layout.builds.iterdir() if not (p / "build.json").is_file()]
    assert leftovers == [], f"abandoned build directories were not removed: {leftovers}"
    strays = [p.name for p in layout.root.iterdir() if p.name.startswith(".current-")]
    assert strays == [], f"stray symlinks from a swap in progress: {strays}"
