"""The package keeps the platform's layout: HTTP only in routes, status moves only in the domain, a short root."""

import ast
from collections.abc import Iterator
from pathlib import Path

import applications

PACKAGE = Path(applications.__file__).parent
HTTP_ERRORS = {"Problem", "HTTPException"}


def modules(*, outside: str) -> Iterator[tuple[Path, ast.Module]]:
    """Every module of the package but those under the folder `outside`, parsed."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] != outside:
            yield path, ast.parse(path.read_text(), str(path))


def raised_names(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """The name each `raise` statement raises (`raise X(...)`, `raise X`, `raise mod.X(...)`), with its line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            name = exc.attr if isinstance(exc, ast.Attribute) else getattr(exc, "id", "")
            yield node.lineno, name


def status_assignments(tree: ast.Module) -> Iterator[int]:
    """Lines assigning an attribute named `status` (`x.status = ...`, also in a tuple, or `x.status += ...`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        for target in targets:
            for leaf in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(leaf, ast.Attribute) and leaf.attr == "status":
                    yield node.lineno


def test_no_http_problem_is_raised_below_the_routes() -> None:
    raised = [
        f"{path.relative_to(PACKAGE)}:{line} raises {name}"
        for path, tree in modules(outside="routes")
        for line, name in raised_names(tree)
        if name in HTTP_ERRORS
    ]
    assert raised == []


def test_no_status_is_assigned_outside_the_domain_lifecycle() -> None:
    assigned = [
        f"{path.relative_to(PACKAGE)}:{line}"
        for path, tree in modules(outside="domain")
        for line in status_assignments(tree)
    ]
    assert assigned == []


def test_the_checks_see_what_they_look_for() -> None:
    tree = ast.parse("def f(app):\n    app.status, app.x = 'a', 1\n    raise Problem(409, 'c', 't')\n")
    assert list(status_assignments(tree)) == [2] and list(raised_names(tree)) == [(3, "Problem")]


def test_the_package_root_holds_at_most_a_dozen_entries() -> None:
    entries = sorted(p.name for p in PACKAGE.iterdir() if p.name != "__pycache__")
    assert len(entries) <= 13, entries  # a dozen, besides __init__.py
    layout = {"api.py", "worker.py", "config.py", "bootstrap.py", "routes", "usecases", "consumers", "read", "domain"}
    assert layout | {"adapters", "migrations"} <= set(entries)
