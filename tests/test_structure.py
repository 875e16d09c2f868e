"""What keeps the codebase carryable: no import circles, one registry of issue codes that the README and
docs/model.md list, and a type-checked public API."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from leverkit.issues import CODES, INVALID, NOTE, WARNING, codes_table

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "leverkit"
LAZY = {"api", "cli", "__init__"}  # may import leverkit's modules inside functions: a measured start-up cost (api.py)


def imports() -> dict[str, dict[str, bool]]:
    """module -> {imported module: whether every import of it is at the module's top level}."""
    found: dict[str, dict[str, bool]] = {}
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        top |= {id(n) for node in tree.body if isinstance(node, ast.If) for n in node.body}  # TYPE_CHECKING blocks
        deps: dict[str, bool] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
                for name in names:
                    deps[name] = deps.get(name, True) and id(node) in top
        found[path.stem] = {k: v for k, v in deps.items() if k != path.stem}
    return found


def test_no_module_imports_itself_back_through_others():
    graph = imports()
    cycles = set()

    def visit(module: str, path: list[str]) -> None:
        for other in graph.get(module, {}):
            if other in path:
                cycles.add(tuple(path[path.index(other):]))
            elif other in graph:
                visit(other, path + [other])

    for module in graph:
        visit(module, [module])
    assert cycles == set()


def test_leverkits_own_modules_are_imported_at_the_top():
    inside = {(module, other) for module, deps in imports().items() if module not in LAZY
              for other, at_top in deps.items() if not at_top}
    assert inside == set()


def emitted_codes() -> set[str]:
    """Every issue or warning code the package passes to Issue, issue, CellError, a sheet's issue or flag helper,
    or looks up in CODES, as a string literal."""
    names = {"Issue", "issue", "CellError", "warn", "_flag"}
    found = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                strings = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if func in names and strings and path.stem != "issues":
                    found.add(strings[0] if func not in ("_flag",) else strings[-1])
            if (isinstance(node, ast.Subscript) and getattr(node.value, "id", "") == "CODES"
                    and isinstance(node.slice, ast.Constant)):
                found.add(node.slice.value)
    return found


def test_every_code_leverkit_emits_is_registered_and_every_registered_code_is_emitted():
    emitted = emitted_codes()
    assert emitted - set(CODES) == set()
    assert set(CODES) - emitted == set()
    assert {c.effect for c in CODES.values()} == {INVALID, NOTE, WARNING}


def test_an_unregistered_code_cannot_be_made():
    from leverkit.issues import Issue

    with pytest.raises(ValueError, match="unregistered issue code 'typo'"):
        Issue("typo", "Initiatives", "A1", "ID", "", "x")


def listed(text: str) -> list[tuple[str, str]]:
    """(code, title) rows of the Markdown tables whose first column is a `code`."""
    return re.findall(r"^\| `([A-Za-z_-]+)` \| ([^|]+?) \|", text, re.M)


@pytest.mark.parametrize("document", ["README.md", "docs/model.md"])
def test_the_documents_list_exactly_the_registered_codes(document):
    rows = listed((ROOT / document).read_text(encoding="utf-8"))
    expected = [row for effect in (INVALID, NOTE, WARNING) for row in codes_table(effect)]
    assert sorted(rows) == sorted(expected)


def test_the_package_is_typed_and_passes_mypy(tmp_path):
    """mypy is one of the test extras, so the test command always runs it."""
    assert (PACKAGE / "py.typed").exists()
    done = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path), "leverkit"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
