"""Helpers for the reliability tests: run the real `kg` command, copy a built home, snapshot a store."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kg.export import canonical_ntriples
from kg.store import StoreLayout, open_store

ROOT = Path(__file__).resolve().parents[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any KG_* setting of the caller, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def kg_command(home: Path, *args: str) -> list[str]:
    """`kg --home HOME ARGS…`, run with this interpreter (the installed `kg` script is the same entry point)."""
    return [sys.executable, "-m", "kg.cli", "--home", str(home), *args]


def run_kg(home: Path, *args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        kg_command(home, *args), capture_output=True, text=True, timeout=timeout, env=clean_env(**env), cwd=ROOT
    )


def copy_home(source: Path, target: Path) -> Path:
    """A copy of a home with its store (``current`` is a relative symlink, so it keeps pointing inside)."""
    shutil.copytree(source, target, symlinks=True)
    return target


@dataclass(frozen=True)
class Snapshot:
    current: str | None  # the current build directory's name
    nt_sha256: str  # of the canonical N-Triples export
    triples: int

    @classmethod
    def of(cls, store_dir: Path) -> Snapshot:
        build = StoreLayout(store_dir).current_build()
        if build is None:
            return cls(None, "", 0)
        nt = canonical_ntriples(open_store(store_dir))
        return cls(build.name, hashlib.sha256(nt).hexdigest(), nt.count(b"\n"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`kg --home HOME serve --port P` in a subprocess (waitress), stopped by ``stop()``."""

    def __init__(self, home: Path, threads: int | None = None, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        extra = dict(env)
        if threads:
            extra["KG_THREADS"] = str(threads)
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - a file, not a pipe: a full pipe blocks the server
        self.proc = subprocess.Popen(
            kg_command(home, "serve", "--port", str(self.port)),
            env=clean_env(**extra),
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 90, path: str = "/static/app.css") -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.output()}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"server at {self.url} did not answer in {timeout} s")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def rss_kib(self) -> int:
        """Resident memory of the server process (Linux /proc)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
