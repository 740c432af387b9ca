"""Fuzz the read path of a report at length: bytes → decode_text → clean → structure, plus the build's
structure check. Anything but the project's own errors (SourceError, ParseError that is not an
"internal parser error") is a bug, and so is a broken invariant (offsets, spans, quotes).

    python benchmarks/fuzz.py hypothesis --examples 100000       # hypothesis, the strategies of the tests
    python benchmarks/fuzz.py atheris --runs 1000000              # coverage-guided (pip install atheris)
    python benchmarks/fuzz.py atheris --seconds 3600

CI runs short versions (tests/test_fuzz_sources.py, tests/test_parse_fuzz.py). Exit status 0 when no
input failed; the failing input is printed (hypothesis) or written as crash-* (atheris).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SOURCES = ROOT / "data" / "sources"


def check_bytes(data: bytes) -> str:
    """One input through the read path; returns what happened ("refused: …" or "parsed"); raises on a bug."""
    from kg.errors import ParseError, SourceError
    from kg.parse import parse_document
    from kg.sources import decode_text
    from tests.test_parse_fuzz import check_document

    try:
        text = decode_text(data, "fuzz.txt")
    except SourceError as err:
        assert err.where and err.where.startswith("byte "), err  # a place, always
        return "refused: source"
    return check_text(text, parse_document, ParseError, check_document)


def check_input(data: bytes) -> str:
    """An atheris input: bytes for the decoder, or (after a 0 byte) text straight for the parser."""
    if data[:1] == b"\x00":  # the text itself, to reach the parser with whatever a decoder lets through
        from kg.errors import ParseError
        from kg.parse import parse_document
        from tests.test_parse_fuzz import check_document

        return check_text(data[1:].decode("utf-8", "replace"), parse_document, ParseError, check_document)
    return check_bytes(data)


def check_text(text: str, parse_document, parse_error, check_document) -> str:  # noqa: ANN001
    try:
        doc = parse_document("fuzz", text)
    except parse_error as err:
        if "internal" in err.message:
            raise AssertionError(f"internal parser error: {err}") from err
        return "refused: parse"
    check_document(text, doc)
    return "parsed"


def run_hypothesis(examples: int, seconds: float | None) -> int:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from tests.test_parse_fuzz import documents

    counts: dict[str, int] = {}
    deadline = time.monotonic() + seconds if seconds else None
    encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"])
    raw = st.one_of(
        st.binary(max_size=400),
        st.tuples(documents, encodings).map(lambda t: t[0].encode(t[1], "replace")),
        st.tuples(documents, st.integers(0, 40)).map(lambda t: t[0].encode("utf-8")[: -t[1] or None]),
    )

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(raw)
    def fuzz(data: bytes) -> None:
        if deadline and time.monotonic() > deadline:
            return
        outcome = check_bytes(data)
        counts[outcome] = counts.get(outcome, 0) + 1

    started = time.monotonic()
    fuzz()
    total = sum(counts.values())
    print(f"hypothesis: {total} inputs in {time.monotonic() - started:.0f} s, no failure: {counts}")
    return 0


def run_atheris(runs: int | None, seconds: int | None, corpus: Path | None, max_len: int) -> int:
    import atheris

    with atheris.instrument_imports():
        import kg.parse  # noqa: F401
        import kg.parse.clean  # noqa: F401
        import kg.parse.sentences  # noqa: F401
        import kg.parse.structure  # noqa: F401
        import kg.sources  # noqa: F401

    seeds = corpus or Path(tempfile.mkdtemp(prefix="kg-fuzz-corpus-"))
    if corpus is None:  # seed with slices of the real reports: headings, boxes, tables, annexes
        for path in sorted(SOURCES.glob("*.txt")):
            data = path.read_bytes()
            for i, start in enumerate(range(0, len(data), max(max_len * 2 // 3, 500))):
                (seeds / f"{path.stem}-{i}").write_bytes(data[start : start + max_len - 1])
                (seeds / f"{path.stem}-{i}-text").write_bytes(b"\x00" + data[start : start + max_len - 1])
    def one_input(data: bytes) -> None:
        check_input(data)

    args = [sys.argv[0], str(seeds), f"-max_len={max_len}", "-print_final_stats=1"]
    if runs:
        args.append(f"-runs={runs}")
    if seconds:
        args.append(f"-max_total_time={seconds}")
    atheris.Setup(args, one_input)
    atheris.Fuzz()  # exits the process when done (status 0) or on a crash (non-zero)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="engine", required=True)
    hyp = sub.add_parser("hypothesis")
    hyp.add_argument("--examples", type=int, default=20_000)
    hyp.add_argument("--seconds", type=float, default=None, help="stop early after this long")
    ath = sub.add_parser("atheris")
    ath.add_argument("--runs", type=int, default=None)
    ath.add_argument("--seconds", type=int, default=None)
    ath.add_argument("--corpus", type=Path, default=None, help="a corpus directory to grow (default: fresh)")
    ath.add_argument("--max-len", type=int, default=6000, help="bytes per input (and per seed slice)")
    args = parser.parse_args(argv)
    if args.engine == "hypothesis":
        return run_hypothesis(args.examples, args.seconds)
    if not args.runs and not args.seconds:
        args.runs = 100_000
    return run_atheris(args.runs, args.seconds, args.corpus, args.max_len)


if __name__ == "__main__":
    sys.exit(main())
