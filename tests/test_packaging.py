"""What the package declares and ships: packages, dependencies and extras, licence, the models as package data."""

import ast
import json
import os
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from importlib.resources import files
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
BASE = {Requirement(r).name: Requirement(r) for r in PROJECT["dependencies"]}
EXTRAS = {name: [Requirement(r) for r in reqs] for name, reqs in PROJECT["optional-dependencies"].items()}
EXAMPLE = ROOT / "examples" / "bien-ban-to-dan-pho.txt"


def _norm(name: str) -> str:
    return name.lower().replace("_", "-")


def test_package_list_is_every_source_package_plus_the_models():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert listed == set(find_packages(str(ROOT), include=["minutes_nlp*"])) | {"minutes_nlp.models"}
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"minutes_nlp.models": "models"}


def _imported_top_names() -> set[str]:
    names = set()
    for path in (ROOT / "minutes_nlp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.partition(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.partition(".")[0])
    return names - set(sys.stdlib_module_names) - {"minutes_nlp", "__future__"}


def test_every_imported_distribution_is_declared():
    declared = {_norm(n) for n in BASE} | {_norm(r.name) for reqs in EXTRAS.values() for r in reqs}
    dists = packages_distributions()
    undeclared = {m: dists.get(m) for m in _imported_top_names() if not {_norm(d) for d in dists.get(m, [])} & declared}
    assert not undeclared
    assert "numpy" in BASE  # imported by the classifiers and the analysis


def test_spacy_and_matplotlib_are_extras_and_dev_holds_every_extra():
    assert not {"spacy", "matplotlib", "fastapi"} & set(BASE)
    assert [r.name for r in EXTRAS["spacy"]] == ["spacy"]
    assert [r.name for r in EXTRAS["plots"]] == ["matplotlib"]
    assert "fastapi" in {r.name for r in EXTRAS["web"]}
    self_ref = [r for r in EXTRAS["dev"] if r.name == "minutes-nlp"]
    assert self_ref and set(self_ref[0].extras) == set(EXTRAS) - {"dev"}
    assert {"pytest", "jsonschema", "httpx"} <= {r.name for r in EXTRAS["dev"]}


def test_scikit_learn_bound_admits_the_version_that_wrote_each_shipped_model():
    bound = BASE["scikit-learn"].specifier
    assert bound.filter(["1.9.1"]) and not list(bound.filter(["1.8.0", "1.10.0", "2.0.0"]))
    for card in (ROOT / "models").glob("*/card.json"):
        written_with = json.loads(card.read_text(encoding="utf-8"))["libraries"]["scikit-learn"]
        assert bound.contains(written_with), card


def test_licence_uses_pep_639_fields():
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    setuptools_req = Requirement(PYPROJECT["build-system"]["requires"][0])
    assert setuptools_req.name == "setuptools" and not list(setuptools_req.specifier.filter(["76.1.0"]))


def _cli(args, block=(), cwd=None):
    """Run the command line in a fresh interpreter where the modules in block cannot be imported."""
    code = (
        "import sys\n"
        f"sys.modules.update(dict.fromkeys({list(block)!r}))\n"
        "from minutes_nlp.cli.main import main\n"
        "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=300
    )


def test_default_analyze_imports_neither_spacy_nor_matplotlib():
    code = (
        "import sys\n"
        "from minutes_nlp.cli.main import main\n"
        "try:\n"
        f"    main(['analyze', {str(EXAMPLE)!r}, '--format', 'json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted({m.partition('.')[0] for m in sys.modules} & {'spacy', 'thinc', 'matplotlib', 'fastapi'}),"
        " file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert json.loads(done.stdout)["score"]["level"] == "kha"
    assert done.stderr.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    "extra, block, args",
    [
        ("plots", ["matplotlib"], ["survey", str(ROOT / "tests" / "data" / "minutes"), "--out", "{tmp}/khao-sat.html"]),
        ("plots", ["matplotlib"], ["evaluate", "--model", "rules", "--png", "{tmp}/nham-lan.png"]),
        ("plots", ["matplotlib"], ["train", "--classifier", "rules", "--out", "{tmp}/mo-hinh"]),
        ("spacy", ["spacy"], ["analyze", "--model", "spacy", str(EXAMPLE)]),
        (
            "spacy",
            ["spacy"],
            [
                "corpus",
                "export",
                str(ROOT / "tests/data/corpus/tiny.jsonl"),
                "--to",
                "spacy",
                "--out",
                "{tmp}/cau.spacy",
            ],
        ),
        ("web", ["fastapi", "uvicorn"], ["serve", "--data-dir", "{tmp}/du-lieu"]),
        ("web", ["sqlalchemy"], ["admin", "migrate", "--data-dir", "{tmp}/du-lieu"]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else v,
)
def test_a_missing_extra_is_one_line_naming_it(extra, block, args, tmp_path):
    done = _cli([a.replace("{tmp}", str(tmp_path)) for a in args], block=block)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f'pip install "minutes-nlp[{extra}]"' in lines[0] and block[0] in lines[0]
    assert not any(tmp_path.iterdir())  # refused before writing anything


def test_shipped_models_and_profiles_are_package_data():
    from minutes_nlp.analysis.criteria import load_profile
    from minutes_nlp.classifiers.model_store import MODELS_DIR

    shipped = Path(str(files("minutes_nlp.models")))
    assert MODELS_DIR == shipped
    assert {p.parent.name for p in shipped.glob("*/card.json")} == {"default", "rules", "segmenter", "spacy"}
    assert load_profile("vi-du-phuong-2025")["points"] is True
    assert (files("minutes_nlp.analysis") / "profiles" / "hd12-2018.toml").is_file()


def test_model_names_resolve_to_the_shipped_models_from_any_folder(tmp_path, monkeypatch):
    from minutes_nlp.classifiers.model_store import MODELS_DIR, resolve

    monkeypatch.delenv("MINUTES_NLP_MODELS", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve("default") == MODELS_DIR / "default"
    assert resolve("models/default") == MODELS_DIR / "default"
    assert resolve("khac/default") == Path("khac/default")  # named as given, so its error names it
    (tmp_path / "models" / "default").mkdir(parents=True)
    assert resolve("models/default") == Path("models/default")  # an existing folder wins


def test_evaluate_models_rules_from_another_folder(tmp_path):
    done = _cli(["evaluate", "--model", "models/rules", "--format", "json"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    recorded = json.loads((ROOT / "models" / "rules" / "metrics.json").read_text(encoding="utf-8"))["test"]
    assert json.loads(done.stdout)["macro_f1"] == pytest.approx(recorded["macro_f1"], abs=1e-9)


def test_without_the_corpus_train_and_evaluate_say_to_pass_one(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from minutes_nlp.classifiers import train
    from minutes_nlp.cli.main import main

    monkeypatch.setattr(train, "DEFAULT_CORPUS", tmp_path / "corpora" / "minutes" / "minutes.jsonl")
    for args in (["evaluate", "--model", "rules"], ["train", "--classifier", "rules", "--out", str(tmp_path / "m")]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert "không được cài cùng gói" in result.output and "--corpus" in result.output
        assert not (tmp_path / "m").exists()


def test_wheel_carries_models_and_profiles_and_analyses_from_another_folder(tmp_path):
    """Build the wheel, unpack it alone on sys.path (a pure-Python wheel installs by unpacking), analyse elsewhere."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        (src / name).write_bytes((ROOT / name).read_bytes())
    for folder in ("minutes_nlp", "models"):
        subprocess.run(["cp", "-r", str(ROOT / folder), str(src)], check=True)
    (src / "models" / "__pycache__").mkdir(exist_ok=True)  # as any checkout that imported minutes_nlp.models has
    (src / "models" / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"\x00")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(tmp_path.glob("minutes_nlp-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "minutes_nlp/models/default/linear.npz" in names
    assert "minutes_nlp/models/spacy/spacy/textcat/model" in names
    assert "minutes_nlp/analysis/profiles/hd12-2018.toml" in names
    assert not [n for n in names if "__pycache__" in n or n.startswith(("models/", "corpora/"))]
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import json, sys, minutes_nlp\n"
        "from minutes_nlp.classifiers.model_store import resolve\n"
        "m = minutes_nlp.analyze(sys.argv[1], profile='vi-du-phuong-2025')\n"
        "print(json.dumps([minutes_nlp.__file__, str(resolve('default')), m.score['level'], m.criteria['profile']]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MINUTES_NLP_MODELS"} | {"PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, text=True, cwd=elsewhere, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    module, model_dir, level, profile = json.loads(done.stdout)
    assert module.startswith(str(site)) and model_dir == str(site / "minutes_nlp" / "models" / "default")
    assert (level, profile) == ("kha", "vi-du-phuong-2025")
