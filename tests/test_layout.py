"""The package reads as a map: every domain package has the same shape, and no module
imports its way back to itself (README, "Code layout")."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "contacts_api"
DOMAINS = ("accounts", "addressbook", "network")


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_domain_package_has_the_same_shape(domain):
    root = PACKAGE / domain
    assert (root / "views" / "__init__.py").is_file()
    assert (root / "schemas.py").is_file() or (root / "schemas" / "__init__.py").is_file()
    assert (root / "models.py").is_file()
    assert (root / "cli.py").is_file()
    assert not list(root.glob("*views.py")), "views live in views/"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str]) -> set[str]:
    """The package's modules that `path` imports, at load time or inside a function (an
    import put in a function to dodge a cycle still is one), with each one's parent
    packages (importing `a.b.c` runs `a/__init__` and `a/b/__init__`)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join(base + [node.module] if node.module else base) if node.level \
                else node.module or ""
            targets.add(target)
            targets.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
    loaded = set()
    for target in targets:
        parts = target.split(".")
        loaded.update(".".join(parts[:end]) for end in range(2, len(parts) + 1))
    # A module's own parent packages are already being imported when it runs.
    return {m for m in loaded & modules if m != name and not name.startswith(m + ".")}


def test_no_import_cycles():
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = {name: imports(path, set(modules)) for name, path in modules.items()}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        pytest.fail("import cycle: " + " -> ".join(exc.args[1]))
