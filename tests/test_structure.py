"""The layout explains itself: small functions, a short runner, and no arrow from the pipeline to the app."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = sorted((ROOT / "pipeline").rglob("*.py"))


def test_no_pipeline_function_is_over_80_lines():
    long = [f"{p.relative_to(ROOT)}:{n.name} ({n.end_lineno - n.lineno + 1})" for p in PIPELINE
            for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.end_lineno - n.lineno + 1 > 80]
    assert not long


def test_the_build_and_its_runner_are_short():
    assert sum(len((ROOT / "pipeline" / f).read_text().splitlines()) for f in ("build.py", "runner.py")) < 250


def test_the_pipeline_never_imports_the_app():
    imported = {(p.relative_to(ROOT), alias.name if isinstance(n, ast.Import) else n.module)
                for p in PIPELINE for n in ast.walk(ast.parse(p.read_text()))
                if isinstance(n, (ast.Import, ast.ImportFrom))
                for alias in (n.names if isinstance(n, ast.Import) else [n])}
    assert not [(p, m) for p, m in imported if m and m.split(".")[0] in ("gene2vec_dash", "dash", "app")]


def test_every_stage_module_is_in_the_readme_layout():
    readme = (ROOT / "README.md").read_text()
    layout = readme[readme.index("## Layout"):]
    missing = [str(p.relative_to(ROOT)) for p in PIPELINE + sorted((ROOT / "gene2vec_dash").glob("*.py"))
               if p.name != "__init__.py" and p.parent.name != "demo_data" and
               f"{p.relative_to(ROOT).parent.name}/{p.name}" not in layout and p.name not in layout]
    assert not missing


def test_no_app_module_is_over_300_lines():
    long = [f"{p.relative_to(ROOT)} ({n})" for p in sorted((ROOT / "gene2vec_dash").rglob("*.py"))
            if not p.name.startswith("bench") and (n := len(p.read_text().splitlines())) > 300]
    assert not long


def test_a_panel_is_one_module_and_one_line_in_the_tuple(small_bundle):
    """A tab listed only here is laid out in the side panel, its callback answers, and its part of the
    URL (a control it declares) is set from a link."""
    from dash import Input, Output, dcc, html
    from test_app import _call

    from gene2vec_dash import create_app, genebox, ids
    from gene2vec_dash.panel import Panel
    from gene2vec_dash.panels import PANELS
    from gene2vec_dash.url import Control

    def layout(data, others):
        return [html.Div(id="toy-out"), dcc.Input(id="toy-k", type="number")]

    def register(app, data, others):
        @app.callback(Output("toy-out", "children"), Input(ids.GENE, "value"))
        def answer(gene):
            return f"toy: {genebox.gene(data, gene)} of {len(data.genes)} genes"

    toy = Panel("Toy", "toy", layout, register, url=(Control("k", "toy-k", reads=False),))   # mirrors k
    app = create_app(small_bundle, panels=(*PANELS, toy))
    tabs = app.layout.children[2].children[1].children[0]
    assert [t.label for t in tabs.children][-1] == "Toy"
    assert [t.label for t in tabs.children][:5] == ["Gene", "Partners", "Network", "Gene list", "About"]  # no Compare
    status, body = _call(app, ("toy-out", "children"), {(ids.GENE, "value"): "oldname1"})
    assert status == 200 and body["response"]["toy-out"]["children"].startswith("toy: G010 of ")
    status, body = _call(app, (ids.URL, "search"), {(ids.URL, "search"): "?gene=G010&k=7"})
    assert status == 200 and body["response"]["toy-k"]["value"] == 7 and body["response"][ids.K]["value"] == 7
