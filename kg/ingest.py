"""`kg ingest`: add a new report to ``data/sources/`` and rebuild, or leave everything as it was.

The report is checked before anything is written (readable text of a known encoding, under the size
limit, metadata valid, not the same text as an ingested report, id not taken); then the text file
and its ``.toml`` metadata are written and the store is rebuilt. If the rebuild fails (a parse error,
a graph that does not validate), both files are removed again: ``data/sources`` is as before, and the
build's atomic swap has left the previous store in place.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from kg.build import BuildResult, Progress, build
from kg.config import Settings
from kg.errors import SourceError
from kg.sources import SOURCE_ID, decode_text, load_source, load_sources

LANGUAGE = "zh"


@dataclass(frozen=True)
class ReportMeta:
    title: str
    district: str
    execution_year: int
    plan_year: int
    publisher: str | None = None
    source_id: str | None = None


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_id(meta: ReportMeta, digest: str) -> str:
    """An id from the years and the content: stable for the same report, distinct for another."""
    return f"report-{meta.execution_year}-{digest[:8]}"


def toml_text(fields: dict[str, object]) -> str:
    """Metadata as TOML: JSON string escapes are valid TOML basic strings."""
    lines = ["# Metadata of one source report, written by `kg ingest`. The source id is this file's stem."]
    for key, value in fields.items():
        text = str(value) if isinstance(value, int) else json.dumps(value, ensure_ascii=False)
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def _check(meta: ReportMeta, file: Path, settings: Settings) -> tuple[bytes, str]:
    if not file.is_file():
        raise SourceError("no such file", path=str(file))
    limit = getattr(settings, "max_source_bytes", None)
    size = file.stat().st_size
    if limit is not None and size > limit:
        raise SourceError(f"the report is {size} bytes, over the limit of {limit} bytes "
                          "(setting max_source_bytes, environment KG_MAX_SOURCE_BYTES)",
                          path=str(file), where=f"byte {limit}")
    data = file.read_bytes()
    text = decode_text(data, str(file))
    for name in ("title", "district"):
        if not str(getattr(meta, name)).strip():
            raise SourceError(f"--{name} is empty", path=str(file), where=f"option --{name}")
    if meta.source_id is not None and not SOURCE_ID.match(meta.source_id):
        raise SourceError(f"id {meta.source_id!r} must be lower-case ascii (a-z, 0-9, -)", path=str(file),
                          where="option --id")
    return data, text


def _duplicate_of(text: str, sources_dir: Path) -> str | None:
    if not sources_dir.is_dir() or not any(sources_dir.glob("*.toml")):
        return None
    digest = text_digest(text)
    for source in load_sources(sources_dir):
        if text_digest(source.read_text()) == digest:
            return source.id
    return None


def ingest(settings: Settings, file: Path, meta: ReportMeta,
           progress: Progress | None = None) -> tuple[str, BuildResult]:
    """Add ``file`` as a new source and rebuild; returns the new source id and the build's result."""
    data, text = _check(meta, file, settings)
    sources_dir = settings.sources_dir
    twin = _duplicate_of(text, sources_dir)
    if twin is not None:
        raise SourceError(f"same content as the ingested source {twin!r}: refused", path=str(file))
    source_id = meta.source_id or default_id(meta, text_digest(text))
    suffix = re.sub(r"[^a-z0-9.]", "", file.suffix.lower()) or ".txt"
    text_path, meta_path = sources_dir / f"{source_id}{suffix}", sources_dir / f"{source_id}.toml"
    if meta_path.exists() or text_path.exists():
        raise SourceError(f"a source with id {source_id!r} exists already", path=str(meta_path), where="option --id")
    fields: dict[str, object] = {
        "id": source_id, "file": text_path.name, "title": meta.title.strip(),
        "publisher": (meta.publisher or f"{meta.district.strip()}人民政府").strip(),
        "district": meta.district.strip(), "execution_year": meta.execution_year, "plan_year": meta.plan_year,
        "language": LANGUAGE, "original_name": file.name,
    }
    created_dir = not sources_dir.exists()
    sources_dir.mkdir(parents=True, exist_ok=True)
    added = [text_path, meta_path]
    try:
        text_path.write_bytes(data)
        meta_path.write_text(toml_text(fields), encoding="utf-8")
        load_source(meta_path)  # the metadata checks of every build (years, fields), before building
        return source_id, build(settings, progress)
    except BaseException:
        for path in added:
            path.unlink(missing_ok=True)
        if created_dir:
            sources_dir.rmdir()
        raise
