"""Bad input through the real `kg build`: a clear error naming the file and the place, exit 1, store unchanged.

Each case runs in its own copy of the session's built home, adds or damages one source, runs the command
in a subprocess and checks the message, the exit code, and that the store is exactly as it was: the same
``current`` build directory, the same canonical N-Triples export, no build directory left behind.

Decisions, for the cases where there is a choice:
- GBK/GB18030 and UTF-16 (with a BOM) are detected and decoded: such files build, to the same graph as the
  UTF-8 original (only ``kg:contentHash``, the hash of the file's bytes, differs).
- A truncated report cut at a character boundary is still a report: it builds what is there (a build has no
  way to know a report once had more parts; every fact keeps a span into the text that exists). Cut in the
  middle of a UTF-8 character, it is refused at that byte, never decoded as GB18030 mojibake.
- A report over ``max_source_bytes`` (32 MiB by default, ``KG_MAX_SOURCE_BYTES``) is refused from its size
  on disk before a byte is read, so a 200 MB file fails in the time it takes to start the command.
- The same text under another id, in any encoding, is refused as a duplicate.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.build import BuildResult
from kg.config import Settings
from kg.errors import SourceError
from kg.export import canonical_ntriples
from kg.parse import parse_document
from kg.sources import decode_text
from kg.store import open_store
from tests.reliability_support import ROOT, Snapshot, copy_home, run_kg

REAL = ROOT / "data" / "sources"
BAD_META = """id = "bad-2030"
file = "bad-2030.txt"
title = "测试报告"
publisher = "北京市海淀区人民政府办公室"
district = "北京市海淀区"
execution_year = 2030
plan_year = 2031
"""


@pytest.fixture(scope="module")
def base(built_home: tuple[Settings, BuildResult]) -> tuple[Path, Snapshot]:
    settings, _ = built_home
    return settings.home, Snapshot.of(settings.store_dir)


@pytest.fixture
def home(base: tuple[Path, Snapshot], tmp_path: Path) -> Path:
    return copy_home(base[0], tmp_path / "home")


def _builds(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "var" / "store" / "builds").iterdir())


def assert_refused(home: Path, base: Snapshot, proc, file_name: str, where: str, message: str) -> None:  # noqa: ANN001
    """Exit 1, one line `error: PATH, PLACE: MESSAGE` naming the file and the place, no traceback, store as it was."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    line = next((x for x in proc.stderr.splitlines() if x.startswith("error: ")), "")
    assert line, proc.stderr
    assert re.search(rf"error: \S*/{file_name}, {where}: ", line), line
    assert re.search(message, line), line
    assert Snapshot.of(home / "var" / "store") == base
    assert _builds(home) == [base.current]


def _real(name: str) -> bytes:
    return (REAL / f"{name}.txt").read_bytes()


def _new_source(content: bytes, meta: str = BAD_META) -> Callable[[Path], None]:
    def setup(sources: Path) -> None:
        (sources / "bad-2030.toml").write_text(meta, encoding="utf-8")
        (sources / "bad-2030.txt").write_bytes(content)

    return setup


def _mid_character_cut() -> tuple[bytes, int]:
    """The first half of a report, cut inside a character; and the offset of that character's first byte."""
    data = _real("haidian-2024")
    cut = len(data) // 2
    while data[cut] & 0xC0 != 0x80:  # move to a UTF-8 continuation byte: the cut splits a character
        cut += 1
    lead = cut - 1
    while data[lead] & 0xC0 == 0x80:
        lead -= 1
    return data[:cut], lead


def _damaged_utf8() -> tuple[bytes, int]:
    """A report with one byte, the first byte of a character, replaced by 0xFF (never valid in UTF-8)."""
    data = bytearray(_real("haidian-2024")[:20_000])
    at = 12_345
    while data[at] & 0xC0 == 0x80:
        at += 1
    data[at] = 0xFF
    return bytes(data), at


PROSE = "海淀区坚持稳中求进工作总基调，推动经济社会高质量发展。全年完成各项目标任务，民生保障持续加强。\n"
CASES: dict[str, tuple[Callable[[Path], None], str, str, str]] = {
    # name: (setup, file named, place, message)
    "empty": (_new_source(b""), "bad-2030.txt", "byte 0", "empty"),
    "blank": (_new_source(b" \r\n\t\n"), "bad-2030.txt", "byte 0", "empty"),
    "binary with NUL": (
        _new_source(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8),
        "bad-2030.txt",
        "byte 8",
        "binary",
    ),
    "binary without NUL": (
        _new_source(bytes(range(0x80, 0x100)) * 64),
        "bad-2030.txt",
        r"byte \d+",
        "neither UTF-8 nor GB18030",
    ),
    "UTF-16 without a BOM": (
        _new_source("一、总体要求\n海淀区。\n".encode("utf-16-le")),
        "bad-2030.txt",
        r"byte \d+",
        "binary",
    ),
    "truncated mid-character": (
        _new_source(_mid_character_cut()[0]),
        "bad-2030.txt",
        f"byte {_mid_character_cut()[1]}",
        "truncated",
    ),
    "damaged UTF-8": (
        _new_source(_damaged_utf8()[0]),
        "bad-2030.txt",
        f"byte {_damaged_utf8()[1]}",
        "invalid byte",
    ),
    "no recognisable structure": (
        _new_source((PROSE * 40).encode("utf-8")),
        "bad-2030.txt",
        r"line 1-\d+",
        "no recognisable structure",
    ),
    "no text left after cleaning": (
        _new_source(b"Logo\n\n\xe5\xae\x98\xe6\x96\xb9\xe5\xbe\xae\xe4\xbf\xa1\n"),  # 官方微信: web chrome only
        "bad-2030.txt",
        "line 1",
        "empty after cleaning",
    ),
    "duplicate": (
        _new_source(_real("haidian-2024")),
        "(bad-2030|haidian-2024).txt",
        r"field file of (bad-2030|haidian-2024)\.toml",
        r"same content as source '(haidian-2024|bad-2030)' \((haidian-2024|bad-2030).txt",
    ),
    "duplicate in another encoding": (
        _new_source(_real("haidian-2022").decode("utf-8").encode("gbk")),
        "(bad-2030|haidian-2022).txt",
        r"field file of (bad-2030|haidian-2022)\.toml",
        r"same content as source '(haidian-2022|bad-2030)' \((haidian-2022|bad-2030).txt",
    ),
    "metadata: missing field": (
        _new_source(b"x", BAD_META.replace('title = "测试报告"\n', "")),
        "bad-2030.toml",
        "field title",
        "missing required field 'title'",
    ),
    "metadata: wrong type": (
        _new_source(b"x", BAD_META.replace("plan_year = 2031", 'plan_year = "2031"')),
        "bad-2030.toml",
        "field plan_year",
        "must be a int",
    ),
    "metadata: unknown field": (
        _new_source(b"x", BAD_META + 'colour = "red"\n'),
        "bad-2030.toml",
        "field colour",
        "unknown field",
    ),
    "metadata: implausible year": (
        _new_source(b"x", BAD_META.replace("2030", "3030").replace("2031", "3031")),
        "bad-2030.toml",
        "field execution_year",
        "plausible year",
    ),
    "metadata: id differs from the file stem": (
        _new_source(b"x", BAD_META.replace('id = "bad-2030"', 'id = "other-2030"')),
        "bad-2030.toml",
        "field id",
        "file stem",
    ),
    "metadata: report file missing": (
        _new_source(b"x", BAD_META.replace('file = "bad-2030.txt"', 'file = "nowhere.txt"')),
        "bad-2030.toml",
        "field file",
        "does not exist",
    ),
    "metadata: not TOML": (
        _new_source(b"x", BAD_META.replace("plan_year = 2031", "plan_year = = 2031")),
        "bad-2030.toml",
        "",
        r"not valid TOML.*line 7",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_source_is_refused_and_the_store_kept(case: str, home: Path, base: tuple[Path, Snapshot]) -> None:
    setup, file_name, where, message = CASES[case]
    setup(home / "data" / "sources")
    proc = run_kg(home, "build")
    if not where:  # no separate place: the message carries it (tomllib's "at line N, column M")
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert re.search(rf"error: \S*/{file_name}: .*{message}", proc.stderr), proc.stderr
        assert Snapshot.of(home / "var" / "store") == base[1]
        return
    assert_refused(home, base[1], proc, file_name, where, message)


def test_a_200_mb_report_fails_fast_with_the_size_limit(home: Path, base: tuple[Path, Snapshot]) -> None:
    paragraphs = _real("haidian-2024")
    huge = home / "data" / "sources" / "bad-2030.txt"
    with huge.open("wb") as out:  # 200 MB of real paragraphs, repeated
        while out.tell() < 200 * 1024 * 1024:
            out.write(paragraphs)
    (home / "data" / "sources" / "bad-2030.toml").write_text(BAD_META, encoding="utf-8")
    started = time.monotonic()
    proc = run_kg(home, "build")
    elapsed = time.monotonic() - started
    huge.unlink()
    assert_refused(home, base[1], proc, "bad-2030.txt", "byte 33554432", "over the limit of 33554432 bytes")
    assert elapsed < 60, f"took {elapsed:.1f} s: the size must be checked before reading"


def test_the_size_limit_is_a_setting(home: Path, base: tuple[Path, Snapshot]) -> None:
    proc = run_kg(home, "build", KG_MAX_SOURCE_BYTES="50000")
    assert_refused(home, base[1], proc, "haidian-2022.txt", "byte 50000", "over the limit")


@pytest.mark.parametrize("target", ["kg.ttl", "shapes.ttl"])
def test_invalid_turtle_in_the_ontology_names_the_file_and_line(
    target: str, home: Path, base: tuple[Path, Snapshot], tmp_path: Path
) -> None:
    """The Turtle the build imports (ontology and shapes, KG_ONTOLOGY) is checked like a source."""
    ontology = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", ontology)
    lines = (ontology / target).read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(12, 'kg:broken rdfs:label "no closing quote .\n')
    (ontology / target).write_text("".join(lines), encoding="utf-8")
    proc = run_kg(home, "build", KG_ONTOLOGY=str(ontology))
    assert_refused(home, base[1], proc, target, "line 13", "invalid Turtle")


def test_gbk_and_utf16_reports_build_to_the_same_graph(home: Path, built_home: tuple[Settings, BuildResult]) -> None:
    sources = home / "data" / "sources"
    for name, encoding in (("haidian-2022", "gbk"), ("haidian-2024", "utf-16")):
        text = _real(name).decode("utf-8")
        (sources / f"{name}.txt").unlink()  # the copies are read-only
        (sources / f"{name}.txt").write_bytes(text.encode(encoding))
    proc = run_kg(home, "build")
    assert proc.returncode == 0, proc.stderr

    def without_hashes(nt: bytes) -> list[bytes]:
        return [line for line in nt.splitlines() if b"#contentHash>" not in line]

    decoded = canonical_ntriples(open_store(home / "var" / "store"))
    original = canonical_ntriples(open_store(built_home[0].store_dir))
    assert without_hashes(decoded) == without_hashes(original)
    assert decoded != original  # the hash of the file's bytes is the one difference


def test_a_report_truncated_at_a_character_boundary_is_still_a_report() -> None:
    data = _real("haidian-2024")
    cut = data.rindex(b"\n", 0, len(data) // 2)  # half the report, cut at a line end
    text = decode_text(data[:cut], "half.txt")
    doc = parse_document("half", text)
    assert doc.root.find("part")
    assert all(0 <= n.start <= n.end <= len(text) for n in doc.root.find("sentence"))
    cut, lead = _mid_character_cut()
    with pytest.raises(SourceError, match="truncated") as caught:
        decode_text(cut, "cut.txt")
    assert caught.value.where == f"byte {lead}"


@pytest.mark.parametrize(
    "content, where, message",
    [
        (_real("haidian-2024"), "", "same content as the ingested source 'haidian-2024'"),
        (_real("haidian-2022").decode("utf-8").encode("gbk"), "", "same content as the ingested source 'haidian-2022'"),
        (b"", ", byte 0", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ", byte 8", "binary"),
    ],
    ids=["duplicate", "duplicate in GBK", "empty", "binary"],
)
def test_kg_ingest_refuses_a_bad_or_duplicate_report(
    content: bytes, where: str, message: str, home: Path, base: tuple[Path, Snapshot], tmp_path: Path
) -> None:
    report = tmp_path / "incoming.txt"
    report.write_bytes(content)
    sources = sorted(p.name for p in (home / "data" / "sources").iterdir())
    proc = run_kg(
        home, "ingest", str(report), "--title", "报告", "--district", "北京市海淀区",
        "--execution-year", "2030", "--plan-year", "2031",
    )  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert re.search(rf"error: \S*/incoming.txt{where}: .*{message}", proc.stderr), proc.stderr
    assert sorted(p.name for p in (home / "data" / "sources").iterdir()) == sources
    assert Snapshot.of(home / "var" / "store") == base[1]


def test_kg_ingest_refuses_a_report_over_the_size_limit(home: Path, base: tuple[Path, Snapshot],
                                                         tmp_path: Path) -> None:
    report = tmp_path / "incoming.txt"
    report.write_bytes(_real("haidian-2024"))
    proc = run_kg(
        home, "ingest", str(report), "--title", "报告", "--district", "北京市海淀区",
        "--execution-year", "2030", "--plan-year", "2031", KG_MAX_SOURCE_BYTES="50000",
    )  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert re.search(r"error: \S*/incoming.txt, byte 50000: the report is \d+ bytes, over the limit", proc.stderr)
    assert Snapshot.of(home / "var" / "store") == base[1]
