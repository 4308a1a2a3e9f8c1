"""One lifecycle per aggregate: no module but the domain and `adapters/lifecycle.py` writes a status."""

import ast
from pathlib import Path

import payments

PACKAGE = Path(payments.__file__).parent
ALLOWED = {PACKAGE / "adapters" / "lifecycle.py"}


def _own(target: ast.Attribute) -> bool:
    return isinstance(target.value, ast.Name) and target.value.id == "self"


def status_writes(source: str) -> list[int]:
    """Lines that assign a `status` attribute, `setattr` one, or put a status in an UPDATE's `values(...)`.

    `self.status = ...` is an object setting its own field (the bank client's HTTP status), not a stored row's status.
    """
    lines = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        flat = [e for t in targets for e in (t.elts if isinstance(t, ast.Tuple | ast.List) else [t])]
        if any(isinstance(t, ast.Attribute) and t.attr == "status" and not _own(t) for t in flat):
            lines.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "status":
                lines.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "values":
            keys = [k.arg for k in node.keywords]
            dicts = [a for a in node.args if isinstance(a, ast.Dict)]
            named = any(isinstance(k, ast.Constant) and k.value == "status" for d in dicts for k in d.keys)
            if "status" in keys or None in keys or named:  # None: a **mapping that may hold a status
                lines.append(node.lineno)
    return sorted(set(lines))


def test_the_scan_finds_each_way_of_writing_a_status() -> None:
    source = ("t.status = 'x'\nt.status, t.at = 'x', 1\nsetattr(t, 'status', 'x')\nupdate(T).values(status='x')\n"
              "update(T).values(**v)\nupdate(T).values({'status': 'x'})\nt.holds = []\nupdate(T).values(at=1)\n"
              "self.status = 404\n")
    assert status_writes(source) == [1, 2, 3, 4, 5, 6]


def test_no_status_is_written_outside_the_domain_and_the_lifecycle_helper() -> None:
    modules = [p for p in PACKAGE.rglob("*.py") if "domain" not in p.relative_to(PACKAGE).parts]
    assert len(modules) > 30 and ALLOWED <= set(modules)
    writes = {str(p.relative_to(PACKAGE)): status_writes(p.read_text()) for p in modules if p not in ALLOWED}
    assert {name: lines for name, lines in writes.items() if lines} == {}
    assert status_writes((PACKAGE / "adapters" / "lifecycle.py").read_text()) != []  # the helper is where they are
