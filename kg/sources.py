"""Sources: each report is a text file plus a ``.toml`` metadata file in ``data/sources/``.

A source is identified by its stable id (the metadata's ``id``, equal to the metadata file's stem),
never by the name of its text file.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from kg.errors import SourceError

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
REQUIRED = {
    "id": str,
    "file": str,
    "title": str,
    "publisher": str,
    "district": str,
    "execution_year": int,
    "plan_year": int,
}
OPTIONAL = {"language": str, "original_name": str, "published": str}


@dataclass(frozen=True)
class Source:
    id: str
    path: Path  # the text file
    meta_path: Path
    title: str
    publisher: str
    district: str
    execution_year: int
    plan_year: int
    language: str = "zh"
    original_name: str | None = None
    published: str | None = None

    def read_text(self) -> str:
        return decode_text(self.path.read_bytes(), str(self.path))

    def content_hash(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def decode_text(data: bytes, path: str) -> str:
    """Decode a report: UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030; refuse the rest."""
    if not data.strip():
        raise SourceError("the file is empty", path=path, where="byte 0")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16", path)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SourceError(
            "the file is binary (it holds NUL bytes), not a text report", path=path, where=f"byte {nul}"
        )
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as utf8_error:
        if utf8_error.reason == "unexpected end of data" or _mostly_utf8(data, utf8_error.start):
            # damaged UTF-8 (cut mid-character, or a bad byte after many good ones): decoding it as
            # GB18030 would ingest mojibake, so refuse it at the offending byte
            what = (
                "ends in the middle of a UTF-8 character (truncated?)"
                if utf8_error.reason == "unexpected end of data"
                else f"is UTF-8 text with an invalid byte ({utf8_error.reason})"
            )
            raise SourceError(f"the file {what}", path=path, where=f"byte {utf8_error.start}") from utf8_error
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise SourceError(
                f"the file is neither UTF-8 nor GB18030/GBK text ({utf8_error.reason})",
                path=path,
                where=f"byte {utf8_error.start}",
            ) from utf8_error


def _mostly_utf8(data: bytes, bad: int, enough: int = 16) -> bool:
    """Whether the valid UTF-8 before the first bad byte already holds many non-ASCII characters."""
    prefix = data[:bad].decode("utf-8")
    return sum(1 for ch in prefix if ord(ch) > 0x7F) >= enough


def _decode(data: bytes, encoding: str, path: str) -> str:
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"invalid {encoding} text ({exc.reason})", path=path, where=f"byte {exc.start}"
        ) from exc


def _check_fields(meta: dict[str, object], meta_path: Path) -> None:
    for name in REQUIRED:
        if name not in meta:
            raise SourceError(f"missing required field {name!r}", path=str(meta_path), where=f"field {name}")
    for name, value in meta.items():
        kind = REQUIRED.get(name) or OPTIONAL.get(name)
        if kind is None:
            raise SourceError(f"unknown field {name!r}", path=str(meta_path), where=f"field {name}")
        if not isinstance(value, kind) or isinstance(value, bool):
            raise SourceError(
                f"field {name!r} must be a {kind.__name__}, not {value!r}",
                path=str(meta_path),
                where=f"field {name}",
            )
        if kind is str and not str(value).strip():
            raise SourceError(f"field {name!r} is empty", path=str(meta_path), where=f"field {name}")
    for name in ("execution_year", "plan_year"):
        year = int(meta[name])  # type: ignore[call-overload]
        if not 1949 <= year <= 2100:
            raise SourceError(
                f"field {name!r} is not a plausible year: {year}", path=str(meta_path), where=f"field {name}"
            )
    if int(meta["plan_year"]) != int(meta["execution_year"]) + 1:  # type: ignore[call-overload]
        raise SourceError(
            "plan_year must be the year after execution_year", path=str(meta_path), where="field plan_year"
        )


def load_source(meta_path: Path, max_bytes: int | None = None) -> Source:
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"metadata is not valid TOML: {exc}", path=str(meta_path)) from exc
    except UnicodeDecodeError as exc:
        raise SourceError("metadata is not UTF-8", path=str(meta_path), where=f"byte {exc.start}") from exc
    _check_fields(meta, meta_path)
    source_id = str(meta["id"])
    if not SOURCE_ID.match(source_id) or source_id != meta_path.stem:
        raise SourceError(
            f"id {source_id!r} must be lower-case ascii (a-z, 0-9, -) and equal the file stem {meta_path.stem!r}",
            path=str(meta_path),
            where="field id",
        )
    text_path = meta_path.parent / str(meta["file"])
    if not text_path.is_file():
        raise SourceError(
            f"the report file {meta['file']!r} does not exist", path=str(meta_path), where="field file"
        )
    size = text_path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise SourceError(
            f"the report is {size} bytes, over the limit of {max_bytes} bytes "
            "(setting max_source_bytes, environment KG_MAX_SOURCE_BYTES)",
            path=str(text_path),
            where=f"byte {max_bytes}",
        )
    return Source(
        id=source_id,
        path=text_path,
        meta_path=meta_path,
        title=str(meta["title"]),
        publisher=str(meta["publisher"]),
        district=str(meta["district"]),
        execution_year=int(meta["execution_year"]),
        plan_year=int(meta["plan_year"]),  # type: ignore[call-overload]
        language=str(meta.get("language", "zh")),
        original_name=meta.get("original_name"),  # type: ignore[arg-type]
        published=meta.get("published"),  # type: ignore[arg-type]
    )


def load_sources(sources_dir: Path, max_bytes: int | None = None) -> list[Source]:
    """All sources in a directory, sorted by id; refuses duplicates of the same content.

    The content is the decoded text, so the same report saved in another encoding is a duplicate too;
    a file that cannot be decoded is refused here, before any work is done.
    """
    if not sources_dir.is_dir():
        raise SourceError("the sources directory does not exist", path=str(sources_dir))
    sources = [load_source(p, max_bytes) for p in sorted(sources_dir.glob("*.toml"))]
    if not sources:
        raise SourceError("no sources (no *.toml metadata files)", path=str(sources_dir))
    seen: dict[str, Source] = {}
    for source in sources:
        digest = hashlib.sha256(source.read_text().encode("utf-8")).hexdigest()
        if digest in seen:
            first = seen[digest]
            raise SourceError(
                f"same content as source {first.id!r} ({first.path.name}, text sha256 {digest[:12]}…): refused",
                path=str(source.path),
                where=f"field file of {source.meta_path.name}",
            )
        seen[digest] = source
    return sorted(sources, key=lambda s: s.id)
