"""The apps under dspt/ form layers: an app imports only apps below it, and no app has an import
cycle among its own modules.

Every module under dspt/ that is not a test or a migration is parsed with `ast`; each import of a
`dspt` module (at module level, inside a function, or under `if TYPE_CHECKING:`) becomes an edge
from the importing module to the module it names. Then:

- an edge from an app to an app on the same layer or a layer above fails (LAYERS, top first);
  the project's own modules (settings, urls, wsgi, manage, the Jinja environment) sit above every
  app, so no app imports them;
- a cycle among one app's module-level imports fails (it breaks as soon as Python runs it in the
  wrong order);
- so does a cycle that only closes through an import placed inside a function: such an import
  dodges the cycle rather than removing it.

ALLOWED lists the exceptions still in the code, each with its reason. It can only shrink: an
entry whose import is gone, or is no longer a violation, fails the test too.

The same order is drawn in docs/architecture.md ("Layers"); this constant is the one that counts.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "dspt"

# Top first. An app may import the apps on the layers below its own, and no others (not even
# the other apps on its own layer).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("api", "demo", "home"),  # routers only (and `dspt serve`); the demo data set, which calls
    # every app; each staff role's home page, which shows the work every app holds for it
    ("access",),  # data access requests, their review and approval; issue cld's agreements
    ("support", "cld"),  # LSO work, on monitoring's figures; client-level data
    ("monitoring", "improvement_plans", "assurance"),  # plans follow assessments.signals.published;
    # independent assessment of CAF assessments
    ("assessments",),  # answers; publishing creates publications; the DSPT status import
    ("statuses",),  # the status rule and publication levels, its fact reader, the intervals
    ("organisations",),  # organisations, sites, geography (regions, LAs, ICBs, LSOs), imports
    ("frameworks",),  # editions as data, deadlines
    ("accounts",),  # people, roles, remits, tokens, API authentication
    ("core", "audit", "notifications"),
    ("tasks",),  # the queue every app hands background jobs to; jobs named by dotted path
)

# (importing module, imported module): why it is still there. Only shrinks (see the module doc).
ALLOWED: dict[tuple[str, str], str] = {
    # The organisation's own page (organisations:detail, linked from several places) shows its
    # public status. Moving the page up to statuses would rename its URL; handing it the status
    # through a hook or a template global would only hide the dependency. Left for the page's
    # owners to decide (e.g. the page composed from panels the apps above contribute).
    ("dspt.organisations.views", "dspt.statuses.selectors"): (
        "the organisation page shows the organisation's status (status_of)"
    ),
}


@dataclass(frozen=True)
class Import:
    target: str  # the dspt module imported (the package itself for `from package import name`)
    line: int
    in_function: bool  # inside a function body, so it runs only when the function is called


Graph = Mapping[str, Iterable[Import]]


# --- reading the code -------------------------------------------------------------------------


def is_checked(path: Path, root: Path = ROOT) -> bool:
    """Tests, test helpers and migrations are not part of the layering."""
    parts = path.relative_to(root).parts
    return not (
        "migrations" in parts
        or "tests" in parts
        or path.name.startswith("test_")
        or path.name == "conftest.py"
    )


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """Dotted names an import statement asks for (`from a import b` gives `a.b`, which may be a
    module or a name in `a`; `resolve` decides)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".")
        if not is_package:
            base.pop()
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    return [f"{prefix}.{alias.name}" for alias in node.names]


def resolve(name: str, modules: Iterable[str]) -> str | None:
    """The longest known module that `name` starts with (None outside the known modules)."""
    known = set(modules)
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(source: str, module: str, is_package: bool) -> list[tuple[str, int, bool]]:
    """(dotted name, line, inside a function) for every import of the package in `source`."""
    found: list[tuple[str, int, bool]] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                for name in imported_names(child, module, is_package):
                    if name == PACKAGE or name.startswith(PACKAGE + "."):
                        found.append((name, child.lineno, in_function))
            inside = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            walk(child, inside)

    walk(ast.parse(source), False)
    return found


def read_graph(root: Path = ROOT) -> dict[str, list[Import]]:
    paths = {
        module_name(p, root): p
        for p in sorted((root / PACKAGE).rglob("*.py"))
        if is_checked(p, root)
    }
    graph: dict[str, list[Import]] = {}
    for module, path in paths.items():
        edges = []
        for name, line, in_function in imports_of(
            path.read_text(), module, path.name == "__init__.py"
        ):
            target = resolve(name, paths)
            edge = Import(target, line, in_function)
            if target is not None and target != module and edge not in edges:
                edges.append(edge)
        graph[module] = edges
    return graph


# --- judging it -------------------------------------------------------------------------------


def app_of(module: str) -> str | None:
    """`dspt.<app>.…` gives the app; the project's own modules (dspt.urls, …) give None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else None


def layer_ranks(layers: tuple[tuple[str, ...], ...]) -> dict[str, int]:
    """Higher rank, higher layer."""
    return {app: len(layers) - i for i, layer in enumerate(layers) for app in layer}


def upward_imports(graph: Graph, layers: tuple[tuple[str, ...], ...]) -> list[tuple[str, str, int]]:
    """(source, target, line) for every import of an app that is not below the importer's."""
    rank = layer_ranks(layers)
    top = max(rank.values()) + 1  # the project's own modules
    found = []
    for source, edges in graph.items():
        source_app = app_of(source)
        if source_app is None:
            continue  # the project's modules wire the apps together and may import any
        if source_app not in rank:
            raise AssertionError(f"app {source_app!r} ({source}) is on no layer: add it")
        for edge in edges:
            target_app = app_of(edge.target)
            if target_app == source_app:
                continue
            if target_app is not None and target_app not in rank:
                raise AssertionError(f"app {target_app!r} ({edge.target}) is on no layer: add it")
            target_rank = top if target_app is None else rank[target_app]
            if target_rank >= rank[source_app]:
                found.append((source, edge.target, edge.line))
    return found


def cycles(graph: Graph, *, module_level_only: bool) -> list[list[str]]:
    """Import cycles among the modules of one app (Tarjan's strongly connected components);
    each cycle as its sorted modules. Imports between apps are the layers' business."""
    edges = {
        source: sorted(
            {
                e.target
                for e in targets
                if app_of(e.target) == app_of(source)
                and app_of(source) is not None
                and not (module_level_only and e.in_function)
            }
        )
        for source, targets in graph.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:  # iterative, so a long chain cannot overflow the stack
        work = [(node, iter(edges.get(node, ())))]
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        while work:
            current, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(edges.get(succ, ()))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[current] = min(low[current], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[current])
            if low[current] == index[current]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == current:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return sorted(found)


def without(graph: Graph, allowed: Iterable[tuple[str, str]]) -> dict[str, list[Import]]:
    skip = set(allowed)
    return {s: [e for e in edges if (s, e.target) not in skip] for s, edges in graph.items()}


def stale_allowances(
    graph: Graph, layers: tuple[tuple[str, ...], ...], allowed: Iterable[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Allowed imports that are gone, or that break no rule any more."""
    allowed = list(allowed)
    upward = {(s, t) for s, t, _ in upward_imports(graph, layers)}
    in_cycles = set()
    for component in cycles(graph, module_level_only=False):
        members = set(component)
        in_cycles |= {(s, e.target) for s in members for e in graph[s] if e.target in members}
    return [pair for pair in allowed if pair not in upward and pair not in in_cycles]


def describe(graph: Graph, component: list[str]) -> str:
    members = set(component)
    return "; ".join(
        f"{s} -> {e.target} (line {e.line}{', in a function' if e.in_function else ''})"
        for s in component
        for e in graph[s]
        if e.target in members
    )


# --- the rules, on this code ------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> dict[str, list[Import]]:
    return read_graph()


def test_every_app_is_on_a_layer(graph):
    apps = {app_of(m) for m in graph} - {None}
    placed = {app for layer in LAYERS for app in layer}
    assert apps == placed


def test_no_app_imports_an_app_above_it(graph):
    found = [
        f"{source} imports {target} (line {line})"
        for source, target, line in upward_imports(without(graph, ALLOWED), LAYERS)
    ]
    assert found == [], "\n".join(found)


def test_no_import_cycle_inside_an_app(graph):
    found = [describe(graph, c) for c in cycles(without(graph, ALLOWED), module_level_only=True)]
    assert found == [], "\n".join(found)


def test_no_cycle_is_dodged_by_an_import_inside_a_function(graph):
    found = [describe(graph, c) for c in cycles(without(graph, ALLOWED), module_level_only=False)]
    assert found == [], "\n".join(found)


def test_the_allowed_list_only_shrinks(graph):
    assert stale_allowances(graph, LAYERS, ALLOWED) == []


def test_every_allowance_says_why():
    assert all(reason.strip() for reason in ALLOWED.values())


# --- the checker itself, on made-up code (so it cannot pass by finding nothing) ---------------

FAKE_LAYERS = (("top",), ("middle", "beside"), ("bottom",))


def fake(**modules: list[tuple[str, bool]]) -> dict[str, list[Import]]:
    """`fake(top__views=[("dspt.bottom.models", False)])`: module dspt.top.views imports it."""
    return {
        "dspt." + name.replace("__", "."): [Import(t, i + 1, f) for i, (t, f) in enumerate(edges)]
        for name, edges in modules.items()
    }


def test_checker_finds_an_upward_import():
    g = fake(
        top__views=[("dspt.middle.models", False), ("dspt.bottom.models", True)],
        middle__models=[("dspt.bottom.models", False)],
        bottom__models=[("dspt.top.views", True)],  # the bottom reaching up, even lazily
    )
    assert upward_imports(g, FAKE_LAYERS) == [("dspt.bottom.models", "dspt.top.views", 1)]


def test_checker_refuses_an_import_across_one_layer_and_of_the_project():
    g = fake(
        middle__a=[("dspt.beside.b", False)],
        beside__b=[("dspt.urls", False)],
        urls=[("dspt.top.views", False)],  # the project's own module may import any app
    )
    assert upward_imports(g, FAKE_LAYERS) == [
        ("dspt.middle.a", "dspt.beside.b", 1),
        ("dspt.beside.b", "dspt.urls", 1),
    ]


def test_checker_refuses_an_app_on_no_layer():
    with pytest.raises(AssertionError, match="nowhere"):
        upward_imports(fake(nowhere__a=[]), FAKE_LAYERS)


def test_checker_finds_cycles_inside_an_app_and_lazy_ones_separately():
    g = fake(
        middle__a=[("dspt.middle.b", False)],
        middle__b=[("dspt.middle.c", False)],
        middle__c=[("dspt.middle.a", False)],  # a -> b -> c -> a
        middle__d=[("dspt.middle.e", False)],
        middle__e=[("dspt.middle.d", True)],  # d <-> e only through a function
        middle__f=[("dspt.bottom.g", False)],
        bottom__g=[("dspt.middle.f", False)],  # between apps: the layers' business, not a cycle
    )
    assert cycles(g, module_level_only=True) == [
        ["dspt.middle.a", "dspt.middle.b", "dspt.middle.c"]
    ]
    assert cycles(g, module_level_only=False) == [
        ["dspt.middle.a", "dspt.middle.b", "dspt.middle.c"],
        ["dspt.middle.d", "dspt.middle.e"],
    ]


def test_checker_allowances_only_shrink():
    g = fake(bottom__a=[("dspt.top.b", False)], top__b=[("dspt.bottom.a", False)])
    assert upward_imports(without(g, [("dspt.bottom.a", "dspt.top.b")]), FAKE_LAYERS) == []
    gone = ("dspt.bottom.a", "dspt.middle.x")
    fine = ("dspt.top.b", "dspt.bottom.a")
    needed = ("dspt.bottom.a", "dspt.top.b")
    assert stale_allowances(g, FAKE_LAYERS, [needed, gone, fine]) == [gone, fine]


def test_reader_sees_every_kind_of_import(tmp_path):
    pkg = tmp_path / "dspt" / "app"
    (pkg / "tests").mkdir(parents=True)
    (pkg / "migrations").mkdir()
    (tmp_path / "dspt" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "models.py").write_text("X = 1\n")
    (pkg / "other.py").write_text("")
    (pkg / "views.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "import dspt.app.models\n"
        "from . import other\n"
        "from .models import X\n"
        "if TYPE_CHECKING:\n"
        "    from dspt.app.other import Y\n"
        "def page():\n"
        "    from dspt.app import models\n"
        "    return models\n"
    )
    (pkg / "tests" / "test_x.py").write_text("import dspt.app.views\n")
    (pkg / "migrations" / "0001_initial.py").write_text("import dspt.app.views\n")
    g = read_graph(tmp_path)
    assert set(g) == {"dspt", "dspt.app", "dspt.app.models", "dspt.app.other", "dspt.app.views"}
    assert g["dspt.app.views"] == [
        Import("dspt.app.models", 2, False),
        Import("dspt.app.other", 3, False),
        Import("dspt.app.models", 4, False),  # `X` is a name in models, not a module
        Import("dspt.app.other", 6, False),  # type-checking imports count as module-level
        Import("dspt.app.models", 8, True),
    ]
