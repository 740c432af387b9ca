import shutil
from pathlib import Path

import pytest

from kg.errors import SourceError
from kg.sources import decode_text, load_source, load_sources

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "data" / "sources"


def test_both_reports_load_with_their_metadata() -> None:
    sources = load_sources(SOURCES)
    assert [s.id for s in sources] == ["haidian-2022", "haidian-2024"]
    s2024 = sources[1]
    assert (s2024.execution_year, s2024.plan_year) == (2024, 2025)
    assert s2024.publisher == "北京市海淀区人民政府办公室"
    assert s2024.read_text().startswith("Logo")


def test_copies_equal_the_shared_corpus() -> None:
    corpus = ROOT.parent / "shared" / "corpus"
    if not corpus.is_dir():
        pytest.skip("shared corpus not beside this checkout")
    for source in load_sources(SOURCES):
        assert source.path.read_bytes() == (corpus / _corpus_file(source.id)).read_bytes()


def _corpus_file(source_id: str) -> str:
    return {
        "haidian-2022": "haidian-2022-execution-2023-plan.txt",
        "haidian-2024": "haidian-2024-execution-2025-plan.txt",
    }[source_id]


def _meta(tmp_path: Path, **fields: object) -> Path:
    base = {
        "id": "x-2020",
        "file": "x.txt",
        "title": "t",
        "publisher": "p",
        "district": "d",
        "execution_year": 2020,
        "plan_year": 2021,
    }
    base.update(fields)
    lines = [f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}" for k, v in base.items() if v is not None]
    (tmp_path / "x.txt").write_text("一、标题\n正文。\n", encoding="utf-8")
    path = tmp_path / f"{base['id']}.toml"
    path.write_text("\n".join(lines).replace("'", '"') + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"plan_year": None}, "field plan_year"),
        ({"plan_year": "2021"}, "field plan_year"),
        ({"plan_year": 2025}, "field plan_year"),
        ({"execution_year": 1200, "plan_year": 1201}, "field execution_year"),
        ({"title": ""}, "field title"),
        ({"file": "missing.txt"}, "field file"),
        ({"colour": "red"}, "field colour"),
    ],
)
def test_bad_metadata_names_the_file_and_field(tmp_path: Path, fields: dict, where: str) -> None:
    path = _meta(tmp_path, **fields)
    with pytest.raises(SourceError) as caught:
        load_source(path)
    assert caught.value.path == str(path)
    assert caught.value.where == where


def test_id_must_match_the_file_stem(tmp_path: Path) -> None:
    path = _meta(tmp_path)
    path.rename(tmp_path / "other.toml")
    with pytest.raises(SourceError, match="file stem"):
        load_source(tmp_path / "other.toml")


def test_duplicate_content_is_refused(tmp_path: Path) -> None:
    for source in load_sources(SOURCES):
        shutil.copy(source.path, tmp_path / source.path.name)
        shutil.copy(source.meta_path, tmp_path / source.meta_path.name)
    shutil.copy(SOURCES / "haidian-2024.txt", tmp_path / "copy.txt")
    meta = (SOURCES / "haidian-2024.toml").read_text(encoding="utf-8")
    meta = meta.replace('id = "haidian-2024"', 'id = "copy-2024"').replace(
        'file = "haidian-2024.txt"', 'file = "copy.txt"'
    )
    (tmp_path / "copy-2024.toml").write_text(meta, encoding="utf-8")
    with pytest.raises(
        SourceError, match="same content as source 'copy-2024'|same content as source 'haidian-2024'"
    ):
        load_sources(tmp_path)


def test_encodings() -> None:
    text = "一、总体要求\n海淀区。"
    assert decode_text(text.encode("utf-8-sig"), "f") == text
    assert decode_text(text.encode("utf-16"), "f") == text
    assert decode_text(text.encode("gbk"), "f") == text
    with pytest.raises(SourceError, match="empty"):
        decode_text(b"  \n", "f")
    with pytest.raises(SourceError, match="binary") as caught:
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00", "f.png")
    assert caught.value.where == "byte 8"
    with pytest.raises(SourceError) as caught:
        decode_text(b"abc\xff\xfe\xfd\x80", "f")
    assert caught.value.where and caught.value.where.startswith("byte ")
