"""Settings: one project home, one optional ``kg.toml`` in it, and ``KG_*`` environment overrides.

Every path resolves against the home (``--home DIR``, else ``$KG_HOME``, else the current directory),
so two homes never share state. Precedence: defaults < ``kg.toml`` < environment < command line.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from kg.errors import KGError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BASE_IRI = "https://kg.haidian.example/"
ONTOLOGY_NS = "https://kg.haidian.example/ontology#"  # fixed: the vocabulary does not move with the data


@dataclass(frozen=True)
class Settings:
    home: Path
    base_iri: str = DEFAULT_BASE_IRI
    sources: Path = Path("data/sources")
    data: Path = Path("data")
    store: Path = Path("var/store")
    exports: Path = Path("var/exports")
    cache: Path = Path("var/cache")
    ontology: Path = PROJECT_ROOT / "ontology"
    queries: Path = PROJECT_ROOT / "queries"
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = 5.0  # seconds per SPARQL query on the endpoint
    result_cap: int = 10_000  # rows per SPARQL result on the endpoint
    result_cache_seconds: float = 0.1  # an answer that took this long is kept for the build (web.result_cache)
    threads: int = 8  # WSGI worker threads
    remote_query_url: str = ""  # SPARQL endpoint of a remote store to serve /sparql from ("" = embedded)
    max_source_bytes: int = 32 * 1024 * 1024  # a report file larger than this is refused before reading

    def path(self, name: str) -> Path:
        """A configured path, resolved against the home."""
        value: Path = getattr(self, name)
        return value if value.is_absolute() else self.home / value

    @property
    def sources_dir(self) -> Path:
        return self.path("sources")

    @property
    def data_dir(self) -> Path:
        return self.path("data")

    @property
    def store_dir(self) -> Path:
        return self.path("store")

    @property
    def exports_dir(self) -> Path:
        return self.path("exports")

    @property
    def cache_dir(self) -> Path:
        return self.path("cache")

    @property
    def ontology_dir(self) -> Path:
        return self.path("ontology")

    @property
    def queries_dir(self) -> Path:
        return self.path("queries")


_PATH_FIELDS = {"sources", "data", "store", "exports", "cache", "ontology", "queries"}


def _coerce(name: str, raw: object, origin: str) -> object:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    try:
        if name in _PATH_FIELDS:
            return Path(str(raw))
        if kind == "int":
            return int(str(raw))
        if kind == "float":
            return float(str(raw))
        return str(raw)
    except ValueError as exc:
        raise KGError(f"setting {name!r} has an invalid value {raw!r}: {exc}", path=origin) from exc


def _from_toml(path: Path) -> dict[str, object]:
    if not path.exists():
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KGError(f"cannot read settings: {exc}", path=str(path)) from exc
    flat: dict[str, object] = {}
    for key, value in table.items():
        if isinstance(value, dict):  # sections ([paths], [server]) only group keys
            flat.update(value)
        else:
            flat[key] = value
    known = {f.name for f in fields(Settings)} - {"home"}
    for key in flat:
        if key not in known:
            raise KGError(f"unknown setting {key!r} (known: {', '.join(sorted(known))})", path=str(path))
    return {k: _coerce(k, v, str(path)) for k, v in flat.items()}


def _from_env(env: dict[str, str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for f in fields(Settings):
        key = f"KG_{f.name.upper()}"
        if f.name != "home" and key in env:
            values[f.name] = _coerce(f.name, env[key], f"environment variable {key}")
    return values


def load_settings(
    home: str | Path | None = None, env: dict[str, str] | None = None, **overrides: object
) -> Settings:
    env = dict(os.environ) if env is None else env
    home_path = Path(home or env.get("KG_HOME") or Path.cwd()).resolve()
    settings = Settings(home=home_path)
    settings = replace(settings, **_from_toml(home_path / "kg.toml"))
    settings = replace(settings, **_from_env(env))
    given = {k: _coerce(k, v, "command line") for k, v in overrides.items() if v is not None}
    settings = replace(settings, **given)
    if not settings.base_iri.endswith("/"):
        settings = replace(settings, base_iri=settings.base_iri + "/")
    return settings
