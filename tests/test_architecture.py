"""The layers import one way (ARCHITECTURE.md).

``metropole_core`` imports neither half; the web extension
(``ckanext.metropole``) never imports the harvesters; the harvesters never
import the web extension. Inside each package, modules import each other
without cycles. Imports are read from the source (ast), functions' bodies
included, so a late ``import`` inside a function counts as much as one at the
top; an ``importlib`` string is caught by the test on string constants.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Import name → folder, as setup.py maps them.
PACKAGES = {
    "metropole_core": ROOT / "metropole_core",
    "ckanext.metropole": ROOT / "ckanext-metropole" / "ckanext" / "metropole",
    "metropole_harvesters": ROOT / "metropole_harvesters",
}
# Which of the project's packages each one may import.
ALLOWED = {
    "metropole_core": set(),
    "ckanext.metropole": {"metropole_core"},
    "metropole_harvesters": {"metropole_core"},
}


def module_name(package: str, path: Path) -> str:
    parts = list(path.relative_to(PACKAGES[package]).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def modules() -> dict[str, tuple[str, Path]]:
    """Module name → (its package, its file)."""
    return {module_name(package, path): (package, path)
            for package, folder in PACKAGES.items() for path in sorted(folder.rglob("*.py"))}


def imported(name: str, path: Path) -> set[str]:
    """Absolute names of everything the module imports (relative imports
    resolved), wherever the import statement is."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.add(prefix)
            # `from package import module` imports the module.
            found.update(f"{prefix}.{alias.name}" for alias in node.names)
    return found


def owner(name: str) -> str | None:
    """The project package an imported name belongs to, if any."""
    for package in PACKAGES:
        if name == package or name.startswith(package + "."):
            return package
    return None


def forbidden_arrows() -> list[str]:
    arrows = []
    for name, (package, path) in modules().items():
        for target in sorted(imported(name, path)):
            target_package = owner(target)
            if target_package and target_package != package \
                    and target_package not in ALLOWED[package]:
                arrows.append(f"{name} → {target}")
    return arrows


def strings_naming_other_layers() -> list[str]:
    """importlib strings ("package.module:function") that would hide an arrow."""
    found = []
    for name, (package, path) in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and ":" in node.value and " " not in node.value:
                target = owner(node.value.split(":", 1)[0])
                if target and target != package and target not in ALLOWED[package]:
                    found.append(f"{name}: {node.value!r}")
    return found


def cycles() -> list[list[str]]:
    """Import cycles between modules of the same package (Tarjan's strongly
    connected components of more than one module)."""
    known = modules()
    graph = {name: sorted(t for t in imported(name, path)
                          if t in known and t != name and known[t][0] == package
                          # a package's __init__ importing its own modules is no cycle
                          and name != t.rsplit(".", 1)[0])
             for name, (package, path) in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_every_package_folder_is_found():
    names = modules()
    assert "metropole_core.vocabularies" in names
    assert "ckanext.metropole.plugin" in names
    assert "metropole_harvesters.pipeline.schedule" in names


def test_layers_import_one_way():
    assert forbidden_arrows() == []


def test_no_importlib_string_names_another_layer():
    assert strings_naming_other_layers() == []


def test_no_import_cycle_inside_a_package():
    assert cycles() == []


@pytest.mark.parametrize("source, expected", [
    ("from metropole_harvesters.pipeline import config\n", "ckanext.metropole.x → "
     "metropole_harvesters.pipeline.config"),
    ("def f():\n    import ckanext.metropole.cli\n", None),
])
def test_the_checker_sees_imports_anywhere(tmp_path, monkeypatch, source, expected):
    """A module-level and a function-level arrow are both reported (the test
    above cannot pass by not looking)."""
    folder = tmp_path / "web"
    folder.mkdir()
    (folder / "x.py").write_text(source)
    harvesters = tmp_path / "harvesters"
    harvesters.mkdir()
    (harvesters / "y.py").write_text("def f():\n    from ckanext.metropole import cli\n")
    monkeypatch.setitem(PACKAGES, "ckanext.metropole", folder)
    monkeypatch.setitem(PACKAGES, "metropole_harvesters", harvesters)
    arrows = forbidden_arrows()
    assert "metropole_harvesters.y → ckanext.metropole.cli" in arrows
    if expected:
        assert expected in arrows


def test_the_checker_sees_cycles(tmp_path, monkeypatch):
    folder = tmp_path / "core"
    folder.mkdir()
    (folder / "a.py").write_text("from . import b\n")
    (folder / "b.py").write_text("def f():\n    from .a import x\n")
    monkeypatch.setitem(PACKAGES, "metropole_core", folder)
    assert ["metropole_core.a", "metropole_core.b"] in cycles()
