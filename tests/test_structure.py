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
