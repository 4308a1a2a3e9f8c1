"""Every service on the one layout keeps it: a short package root, every place the conventions name, no HTTP
problem below the routes, and no status assigned outside the domain's lifecycles (issue 10).

Each check is a function returning what it finds wrong, so the last tests can show it finds a deliberate violation.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONVENTIONS = ROOT / "docs" / "service-conventions.md"
ON_LAYOUT = ["allocation", "applications", "reporting", "payments"]
MAX_ROOT_ENTRIES = 12
HTTP_ANSWERS = {"Problem", "HTTPException", "problem_response"}
HTTP_PLACES = ("routes", "api.py")  # the only places that may answer in HTTP terms
PLACE = re.compile(r"^\|\s*`([^`]+)`")


def package(service: str) -> Path:
    """The service's package directory."""
    return ROOT / "services" / service / service


def root_entries(pkg: Path) -> list[str]:
    """Modules and packages in the package root (the package's own `__init__.py`, caches and other files aside)."""
    ignored = {"__pycache__", "__init__.py"}
    return sorted(p.name for p in pkg.iterdir() if p.name not in ignored and (p.is_dir() or p.suffix == ".py"))


def places(conventions: Path = CONVENTIONS) -> list[str]:
    """The first column of the conventions' first table: every place a service has."""
    lines = conventions.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|")) + 2  # past the header and its rule
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return [m.group(1) for line in lines[start:end] if (m := PLACE.match(line))]


def missing_places(pkg: Path, names: list[str]) -> list[str]:
    """The places named that the package lacks (`x/` must be a directory, `x.py` a module)."""
    missing = []
    for name in names:
        path = pkg / name.rstrip("/")
        if not (path.is_dir() if name.endswith("/") else path.is_file()):
            missing.append(name)
    if "routes/" in names and not ((pkg / "routes" / "schemas.py").is_file() or (pkg / "routes" / "schemas").is_dir()):
        missing.append("routes/schemas.py (or routes/schemas/)")
    return missing


def modules(pkg: Path, *, outside: tuple[str, ...]) -> Iterator[tuple[str, ast.Module]]:
    """Every module of the package (relative path, parsed) except those under the places given."""
    for path in sorted(pkg.rglob("*.py")):
        relative = path.relative_to(pkg).as_posix()
        if not any(relative == place or relative.startswith(place + "/") for place in outside):
            yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=relative)


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def http_answers_below_routes(pkg: Path) -> list[str]:
    """Calls or raises of Problem, HTTPException or problem_response outside routes/ and api.py."""
    found = []
    for relative, tree in modules(pkg, outside=HTTP_PLACES):
        for node in ast.walk(tree):
            target = node.func if isinstance(node, ast.Call) else node.exc if isinstance(node, ast.Raise) else None
            if target is not None and _name(target) in HTTP_ANSWERS:
                found.append(f"{relative}:{getattr(node, 'lineno', 0)} {_name(target)}")
    return found


def _assigns_status(target: ast.expr) -> bool:
    if isinstance(target, ast.Tuple | ast.List):
        return any(_assigns_status(element) for element in target.elts)
    return isinstance(target, ast.Attribute) and target.attr == "status"


def _status_in_values(node: ast.Call) -> bool:
    """`update(...).values(status=...)` or `.values({"status": ...})`."""
    if not (isinstance(node.func, ast.Attribute) and node.func.attr == "values"):
        return False
    keys = [k.arg for k in node.keywords] + [
        key.value for arg in node.args if isinstance(arg, ast.Dict) for key in arg.keys if isinstance(key, ast.Constant)
    ]
    return "status" in keys


def _setattr_status(node: ast.Call) -> bool:
    return (
        _name(node.func) == "setattr"
        and len(node.args) > 1
        and isinstance(node.args[1], ast.Constant)
        and node.args[1].value == "status"
    )


STATUS_APPLIERS = {"payments": ("adapters/lifecycle.py",), "reporting": ("webhooks/store.py",)}
"""The one adapter a service may name that writes the statuses its domain's state machines decided (guarded UPDATEs
whose allowed sources come from the domain's tables)."""


def status_moves_outside_domain(pkg: Path, appliers: tuple[str, ...] = ()) -> list[str]:
    """Assignments to an attribute named `status` (and `.values(status=...)`) outside domain/ and the appliers."""
    found = []
    for relative, tree in modules(pkg, outside=("domain", *appliers)):
        for node in ast.walk(tree):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AugAssign | ast.AnnAssign)
                else []
            )
            if any(_assigns_status(t) for t in targets) or (
                isinstance(node, ast.Call) and (_status_in_values(node) or _setattr_status(node))
            ):
                found.append(f"{relative}:{getattr(node, 'lineno', 0)}")
    return found


@pytest.mark.parametrize("service", ON_LAYOUT)
def test_the_package_root_holds_at_most_a_dozen_entries(service: str) -> None:
    entries = root_entries(package(service))
    assert len(entries) <= MAX_ROOT_ENTRIES, entries


def test_the_conventions_table_names_the_places() -> None:
    assert {"api.py", "routes/", "usecases/", "domain/", "adapters/"} <= set(places())


@pytest.mark.parametrize("service", ON_LAYOUT)
def test_every_place_the_conventions_name_exists(service: str) -> None:
    assert missing_places(package(service), places()) == []


@pytest.mark.parametrize("service", ON_LAYOUT)
def test_no_http_problem_below_the_routes(service: str) -> None:
    assert http_answers_below_routes(package(service)) == []


@pytest.mark.parametrize("service", ON_LAYOUT)
def test_no_status_is_assigned_outside_the_domain(service: str) -> None:
    assert status_moves_outside_domain(package(service), STATUS_APPLIERS.get(service, ())) == []


# The checks find what they look for: each is run on a small package holding one deliberate violation.


def _write(pkg: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(text, encoding="utf-8")
    return pkg


def test_a_crowded_root_is_found(tmp_path: Path) -> None:
    pkg = _write(tmp_path, {f"m{i}.py": "" for i in range(MAX_ROOT_ENTRIES + 1)})
    assert len(root_entries(pkg)) == MAX_ROOT_ENTRIES + 1


def test_a_missing_place_is_found(tmp_path: Path) -> None:
    pkg = _write(tmp_path, {"api.py": "", "routes/__init__.py": ""})
    assert missing_places(pkg, ["api.py", "worker.py", "routes/", "read/"]) == [
        "worker.py",
        "read/",
        "routes/schemas.py (or routes/schemas/)",
    ]


def test_a_problem_below_the_routes_is_found(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path,
        {
            "routes/ok.py": "raise Problem(404, 'x', 'y')\n",
            "api.py": "problem_response(500, 'x', 'y')\n",
            "usecases/bad.py": "def f():\n    raise Problem(409, 'x', 'y')\n",
            "read/bad.py": "import fastapi\nraise fastapi.HTTPException(404)\n",
            "adapters/bad.py": "answer = problem_response(500, 'x', 'y')\n",
        },
    )
    assert http_answers_below_routes(pkg) == [
        "adapters/bad.py:1 problem_response",
        "read/bad.py:2 HTTPException",
        "usecases/bad.py:2 Problem",
    ]


def test_a_status_assigned_outside_the_domain_is_found(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path,
        {
            "domain/lifecycle.py": "thing.status = 'closed'\n",
            "usecases/a.py": "row.status = 'held'\n",
            "usecases/b.py": "row.status, row.at = 'held', now\n",
            "usecases/c.py": "session.execute(update(T).values(status='superseded'))\n",
            "usecases/d.py": "session.execute(update(T).values({'status': 'superseded'}))\n",
            "usecases/e.py": "setattr(row, 'status', 'held')\n",
            "usecases/f.py": "row.attempts += 1\nRow(status='pending')\n",
        },
    )
    assert status_moves_outside_domain(pkg) == [f"usecases/{name}.py:1" for name in "abcde"]
