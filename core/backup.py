"""Backups of the database and the generated files together, and a check that one restores.

A backup is a folder: `database.dump` (PostgreSQL's custom format, or a copy of the SQLite
file), `media.tar.gz` (report files, charts, staged uploads) and `manifest.json`: every
table's row count and checksum, read in the same snapshot as the dump, and every file's
SHA-256. The database is dumped first and the files archived after, so every file a dumped
row names is in the archive, even while the portal runs.

`backup_check` restores a backup into a scratch database and folder, compares every table
and file with the manifest, and asks each app (its `backup.missing_files(cursor, media)`,
found by name) whether a restored row names a file the archive lacks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection

DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup could not be made, or does not restore as it should; the message says why."""


@dataclass
class CheckResult:
    tables: int = 0
    rows: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or "127.0.0.1"),
            "PGPORT": str(db.get("PORT") or 5432),
            "PGUSER": str(db.get("USER") or ""),
            "PGPASSWORD": str(db.get("PASSWORD") or ""),
        }
    )
    return env


def _run(args: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed: {result.stderr.strip()[:2000]}")


def _table_sums(cursor: Any, tables: list[str], *, postgres: bool) -> dict[str, dict[str, Any]]:
    """Each table's row count and a checksum of its rows, in a fixed order."""
    sums = {}
    for table in tables:
        name = f'"{table}"'
        if postgres:
            rows_md5 = "md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
            cursor.execute(f"SELECT count(*), {rows_md5} FROM {name} t")  # noqa: S608
            count, digest = cursor.fetchone()
        else:
            cursor.execute(f"SELECT * FROM {name}")  # noqa: S608
            rows = sorted(repr(tuple(row)) for row in cursor.fetchall())
            count, digest = len(rows), hashlib.md5("|".join(rows).encode(), usedforsecurity=False).hexdigest()
        sums[table] = {"rows": int(count), "md5": digest}
    return sums


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _sqlite_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [row[0] for row in cursor.fetchall()]


def _dump_postgres(folder: Path) -> dict[str, dict[str, Any]]:
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(**_pg_connect_args(db["NAME"])) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={folder / DUMP}", db["NAME"]], _pg_env())
        with conn.cursor() as cursor:
            sums = _table_sums(cursor, _pg_tables(cursor), postgres=True)
        conn.rollback()
    return sums


def _pg_connect_args(name: str) -> dict[str, Any]:
    db = settings.DATABASES["default"]
    args = {"dbname": name, "host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432}
    if db.get("USER"):
        args["user"] = db["USER"]
    if db.get("PASSWORD"):
        args["password"] = db["PASSWORD"]
    return args


def _dump_sqlite(folder: Path) -> dict[str, dict[str, Any]]:
    source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    target = sqlite3.connect(folder / DUMP)
    with target:
        source.backup(target)  # a consistent copy, however busy the source
    source.close()
    cursor = target.cursor()
    sums = _table_sums(cursor, _sqlite_tables(cursor), postgres=False)
    target.close()
    return sums


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _archive_media(folder: Path) -> dict[str, str]:
    media = Path(settings.MEDIA_ROOT)
    files: dict[str, str] = {}
    with tarfile.open(folder / MEDIA, "w:gz") as archive:
        if media.is_dir():
            for path in sorted(p for p in media.rglob("*") if p.is_file() and not p.name.endswith(".tmp")):
                relative = path.relative_to(media).as_posix()
                files[relative] = _sha256(path)
                archive.add(path, arcname=relative, recursive=False)
    return files


def backup_make(*, into: Path) -> Path:
    """Write a backup folder under `into` and return it."""
    folder = into / dt.datetime.now(dt.UTC).strftime("backup-%Y%m%dT%H%M%S%fZ")
    folder.mkdir(parents=True)
    tables = _dump_postgres(folder) if _postgres() else _dump_sqlite(folder)
    files = _archive_media(folder)
    manifest = {
        "made_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": connection.vendor,
        "tables": tables,
        "files": files,
        "dump_sha256": _sha256(folder / DUMP),
        "media_sha256": _sha256(folder / MEDIA),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return folder


def _manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} has no readable {MANIFEST}: it is not a backup made by this portal") from exc
    return manifest


def _extract_media(folder: Path, media: Path) -> None:
    with tarfile.open(folder / MEDIA, "r:gz") as archive:
        archive.extractall(media, filter="data")  # "data": no absolute paths, links or devices


@contextmanager
def _scratch_database(folder: Path, manifest: dict[str, Any]) -> Iterator[Any]:
    """A DB-API cursor on a fresh copy restored from the backup, dropped afterwards."""
    if manifest["database"] == "postgresql":
        import psycopg

        name = f"csp_backup_check_{os.getpid()}"
        with psycopg.connect(**_pg_connect_args("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={name}", str(folder / DUMP)], _pg_env())
            with psycopg.connect(**_pg_connect_args(name)) as conn, conn.cursor() as cursor:
                yield cursor
        finally:
            with psycopg.connect(**_pg_connect_args("postgres"), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "restored.sqlite3"
            shutil.copyfile(folder / DUMP, copy)
            restored = sqlite3.connect(copy)
            try:
                yield restored.cursor()
            finally:
                restored.close()


def _app_file_checks() -> list[Any]:
    checks = []
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.backup") is not None:
            module = import_module(f"{config.name}.backup")
            if hasattr(module, "missing_files"):
                checks.append(module.missing_files)
    return checks


def backup_check(*, folder: Path) -> CheckResult:
    """Restore the backup into a scratch database and folder, and compare it with its manifest."""
    manifest = _manifest(folder)
    result = CheckResult()
    for name, key in ((DUMP, "dump_sha256"), (MEDIA, "media_sha256")):
        if not (folder / name).is_file():
            result.problems.append(f"{name} is missing")
        elif _sha256(folder / name) != manifest[key]:
            result.problems.append(f"{name} is not the file the backup wrote (its checksum differs)")
    if not result.ok:
        return result
    with tempfile.TemporaryDirectory() as media_dir:
        media = Path(media_dir)
        _extract_media(folder, media)
        for relative, digest in manifest["files"].items():
            path = media / relative
            if not path.is_file():
                result.problems.append(f"the file {relative} is not in {MEDIA}")
            elif _sha256(path) != digest:
                result.problems.append(f"the file {relative} differs from the one backed up")
        result.files = len(manifest["files"])
        with _scratch_database(folder, manifest) as cursor:
            postgres = manifest["database"] == "postgresql"
            tables = _pg_tables(cursor) if postgres else _sqlite_tables(cursor)
            restored = _table_sums(cursor, tables, postgres=postgres)
            for table, expected in manifest["tables"].items():
                got = restored.get(table)
                if got is None:
                    result.problems.append(f"the table {table} did not restore")
                elif got != expected:
                    result.problems.append(
                        f"the table {table} restored {got['rows']} rows that differ from "
                        f"the {expected['rows']} backed up"
                    )
            for check in _app_file_checks():
                result.problems += check(cursor, media, placeholder="%s" if postgres else "?")
        result.tables = len(manifest["tables"])
        result.rows = sum(t["rows"] for t in manifest["tables"].values())
    return result


def backup_restore(*, folder: Path) -> None:
    """Replace the configured database and MEDIA_ROOT with the backup's (stop the portal first)."""
    manifest = _manifest(folder)
    if manifest["database"] != connection.vendor:
        raise BackupError(f"the backup is of a {manifest['database']} database; this portal uses {connection.vendor}")
    connection.close()
    if _postgres():
        name = settings.DATABASES["default"]["NAME"]
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={name}", str(folder / DUMP)], _pg_env())
    else:
        shutil.copyfile(folder / DUMP, settings.DATABASES["default"]["NAME"])
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    media.mkdir(parents=True)
    _extract_media(folder, media)
