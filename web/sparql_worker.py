"""A query worker: a subprocess that runs SPARQL queries on the embedded store, one at a time.

Oxigraph cannot interrupt a running query, so a query that must be stoppable runs in a process
that can be killed. The parent (``web.sparql_pool``) writes a job and waits for the answer until
the deadline, then kills the process. The worker also arms a kernel timer per job whose default
action ends the process, so it dies even if its parent is gone; and it exits at end of input when
the parent closes the pipe or dies. A worker never outlives its time limit.

It runs without network access where the kernel allows (a private network namespace), so even a
SERVICE that slipped past the text checks could reach nothing.

Wire format on stdin/stdout: frames of a 4-byte big-endian length and a payload. A job is one JSON
frame; an answer is a JSON header frame and a body frame.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import struct
import sys
import time
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

READY = b"ready"  # the first frame a worker writes, once it can take a job at full speed
GRACE_SECONDS = 2.0  # the worker's own timer fires this long after the parent should have killed it
_HEADER = struct.Struct(">I")
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000


# --- framing (shared with the pool) --------------------------------------------------------------

def write_frame(stream: BinaryIO, payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload)) + payload)


def read_frame(stream: BinaryIO) -> bytes | None:
    head = _read_exactly(stream, _HEADER.size)
    return None if head is None else _read_exactly(stream, _HEADER.unpack(head)[0])


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# --- executing a job -----------------------------------------------------------------------------

def dataset_arguments(job: dict) -> dict:
    """The protocol's dataset (default-graph-uri / named-graph-uri) overrides the query's; without
    either, the store's default graph, which the build fills with the merge of every source graph."""
    defaults, named = job.get("default_graphs") or [], job.get("named_graphs") or []
    if not defaults and not named:
        return {}
    return {"default_graph": [ox.NamedNode(g) for g in defaults], "named_graphs": [ox.NamedNode(g) for g in named]}


def execute(store: ox.Store, job: dict) -> tuple[dict, bytes]:
    """Run one job and serialize its answer; errors become an HTTP status and a message."""
    from web.sparql_formats import capped, content_type, serialize_boolean, serialize_solutions, serialize_triples

    try:
        result = store.query(job["query"], prefixes=job.get("prefixes") or {}, **dataset_arguments(job))
        cap = int(job["cap"])
        if isinstance(result, ox.QueryBoolean):
            fmt = job["table"]
            return _ok("ask", content_type(fmt, graph=False)), serialize_boolean(bool(result), fmt)
        if isinstance(result, ox.QuerySolutions):
            fmt, variables = job["table"], [v.value for v in result.variables]
            rows, truncated = capped(result, cap)
            body = serialize_solutions(variables, rows, fmt, truncated, cap)
            return _ok("select", content_type(fmt, graph=False), truncated, len(rows)), body
        fmt = job["graph"]
        triples, truncated = capped(result, cap)
        body = serialize_triples(triples, fmt, truncated, cap)
        return _ok("graph", content_type(fmt, graph=True), truncated, len(triples)), body
    except SyntaxError as exc:
        return {"status": 400, "error": f"malformed query: {exc}"}, b""
    except (OSError, ValueError, RuntimeError) as exc:
        return {"status": 500, "error": f"the query failed: {exc}"}, b""


def _ok(form: str, ctype: str, truncated: bool = False, count: int = 1) -> dict:
    return {"status": 200, "form": form, "content_type": ctype, "truncated": truncated, "count": count}


# --- the process ---------------------------------------------------------------------------------

def isolate_network() -> bool:
    """Move into a private user and network namespace (no interfaces up); False where not allowed."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def serve(root: Path, requests: BinaryIO, answers: BinaryIO) -> None:
    import web.sparql_formats  # noqa: F401 - imported before the first query, not during it
    from kg.errors import StoreError
    from kg.store import PerBuild, StoreLayout, open_store

    stores = PerBuild(lambda _build: open_store(root), StoreLayout(root))  # reopened when a build swaps
    with suppress(StoreError):  # no build yet: each job says so (503)
        stores.get()  # open the store now: the first query pays nothing extra
    write_frame(answers, READY)
    answers.flush()
    while (frame := read_frame(requests)) is not None:
        job = json.loads(frame)
        signal.setitimer(signal.ITIMER_REAL, float(job["timeout"]) + GRACE_SECONDS)  # SIGALRM: default = exit
        started = time.perf_counter()
        try:
            store, build = stores.current()
            header, body = execute(store, job)
            header["build"] = build.name if build else None  # the build this answer is from
            header["seconds"] = time.perf_counter() - started  # the work alone, without the wait for a worker
        except StoreError as exc:
            header, body = {"status": 503, "error": str(exc)}, b""
        signal.setitimer(signal.ITIMER_REAL, 0)
        write_frame(answers, json.dumps(header, ensure_ascii=False).encode("utf-8"))
        write_frame(answers, body)
        answers.flush()


def main() -> None:
    root = Path(sys.argv[1])
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in a terminal goes to the server, which ends us
    isolate_network()
    answers = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # anything printed by accident goes to stderr, never into the protocol
    try:
        serve(root, sys.stdin.buffer, answers)
    except BrokenPipeError:  # the server went away while we were answering: nobody to tell
        os._exit(0)


if __name__ == "__main__":
    main()
