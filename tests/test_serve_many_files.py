"""`kg serve` keeps answering when its sockets get descriptors above 1024.

A store of 1,000 reports keeps thousands of files open; waitress's default select() loop then died with
"filedescriptor out of range in select()" on the first request. The server is started here holding 1,100
inherited descriptors, so that every socket it opens is numbered above 1024, as it is beside a big store.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import urllib.request

import pytest
from test_endpoint import free_port, wait_for

from kg.build import BuildResult
from kg.config import Settings

HELD = 1100


@pytest.mark.skipif(resource.getrlimit(resource.RLIMIT_NOFILE)[0] < HELD + 200, reason="too few descriptors allowed")
def test_serve_answers_with_descriptors_above_1024(built_home: tuple[Settings, BuildResult]) -> None:
    settings, _ = built_home
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(HELD)]
    for fd in held:
        os.set_inheritable(fd, True)
    port = free_port()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "--home", str(settings.home), "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, close_fds=False,
        )
    finally:
        for fd in held:
            os.close(fd)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/", proc)
        for path in ("/", "/search?q=%E6%B5%B7%E6%B7%80", "/queries"):
            with urllib.request.urlopen(base + path, timeout=30) as response:
                assert response.status == 200
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
    finally:
        proc.terminate()
        proc.wait(timeout=30)
