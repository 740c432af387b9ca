"""Short fuzz runs of the whole read path (bytes → decode → clean → structure); the long ones are
benchmarks/fuzz.py. Inputs the fuzzers found are kept here as regression tests."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.fuzz import ROOT, check_bytes, check_input
from kg.parse import parse_document
from tests.test_parse_fuzz import check_document, documents

ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"])
RAW = st.one_of(
    st.binary(max_size=300),
    st.tuples(documents, ENCODINGS).map(lambda t: t[0].encode(t[1], "replace")),
    st.tuples(documents, st.integers(0, 40)).map(lambda t: t[0].encode("utf-8")[: -t[1] or None]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RAW)
def test_any_bytes_give_a_document_or_the_projects_own_error(data: bytes) -> None:
    check_bytes(data)


FOUND = {
    # atheris, seeded with a slice of haidian-2022 ending in a tab table and a stray tab line: an empty row
    # outside its table's span
    "stray tab line after a tab table": "一、情况\n类别\n\t政策\n\t效果\n\n\t国家级政策\n\t《公告》\n\t惠及企业\n\n\t",
    # atheris in CI, minimised: a box table whose last row is empty, before a line of only a no-break space
    "empty last row of a box table before debris": "专栏1:能\n\n知\n\xa0\n一、",
}


@pytest.mark.parametrize("name", list(FOUND))
def test_inputs_the_fuzzers_found(name: str) -> None:
    text = FOUND[name]
    check_document(text, parse_document("found", text))


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris is not installed")
def test_a_short_atheris_run(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "fuzz.py"), "atheris", "--runs", "2000", "--max-len", "800"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # where a crash-* file would go
    )
    for crash in sorted(tmp_path.glob("crash-*")):  # replay the failing input here, for a readable traceback
        check_input(crash.read_bytes())
    assert proc.returncode == 0, proc.stderr[-3000:]
    done = re.search(r"Done (\d+) runs", proc.stderr)  # the seed corpus counts too: 2000 or a few more
    assert done and int(done.group(1)) >= 2000, proc.stderr[-3000:]
