"""Imports run one way between the apps: core ← accounts ← priorities ← actionplans ←
consultations ← reports, and no app imports the project package (csp_portal), which holds
only settings, urls, celery and wsgi."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["core", "accounts", "priorities", "actionplans", "consultations", "reports"]
PROJECT = "csp_portal"


def _imports() -> dict[str, set[tuple[str, str]]]:
    """For each app, the (package imported, file) pairs naming another top-level package."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for app in [*LAYERS, PROJECT]:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue  # generated; Django names models there by string
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top in {*LAYERS, PROJECT} and top != app:
                        found[app].add((name, str(path.relative_to(ROOT))))
    return found


def test_no_app_imports_a_layer_above_its_own() -> None:
    upward = [
        f"{where} imports {name}"
        for app, imports in _imports().items()
        if app in LAYERS
        for name, where in imports
        if name.split(".")[0] in LAYERS and LAYERS.index(name.split(".")[0]) > LAYERS.index(app)
    ]
    assert upward == []


def test_the_import_graph_between_packages_has_no_circle() -> None:
    graph = {app: {name.split(".")[0] for name, _ in imports} for app, imports in _imports().items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, set()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    circles = sorted(app for app in graph if reaches(app, app, {app}))
    assert circles == []


def test_no_app_imports_the_project_package_and_it_imports_no_app() -> None:
    imports = _imports()
    into_project = [
        f"{where} imports {name}"
        for app in LAYERS
        for name, where in imports[app]
        if name == PROJECT or name.startswith(PROJECT + ".")
    ]
    from_project = sorted(f"{where} imports {name}" for name, where in imports[PROJECT])
    assert into_project == []
    assert from_project == []


def test_the_project_package_holds_only_settings_urls_celery_and_wsgi() -> None:
    modules = sorted(path.name for path in (ROOT / PROJECT).glob("*.py"))
    assert modules == ["__init__.py", "celery.py", "settings.py", "urls.py", "wsgi.py"]


def test_consultations_takes_only_models_and_public_services_from_actionplans() -> None:
    taken = {name for name, _ in _imports()["consultations"] if name.startswith("actionplans")}
    assert taken <= {"actionplans.models", "actionplans.services"}
