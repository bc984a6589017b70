"""README.md says what happens: its ``>>>`` lines run as doctests from the repository root, its commands are CI's."""

import doctest
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_every_prompt_of_the_readme_is_in_a_python_block():
    in_blocks = sum(block.count("\n>>> ") + block.startswith(">>> ") for block in BLOCK.findall(README))
    assert in_blocks >= 10 and in_blocks == len(re.findall(r"^>>> ", README, re.M))


def test_readme_examples_print_what_the_readme_shows(monkeypatch):
    monkeypatch.chdir(ROOT)
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.REPORT_NDIFF)
    report, globs = [], {}
    for match in BLOCK.finditer(README):
        line = README.count("\n", 0, match.start(1))
        test = parser.get_doctest(match.group(1), globs, "README.md", "README.md", line)
        runner.run(test, out=report.append, clear_globs=False)
        globs = test.globs  # the README reads as one session: later blocks use earlier names
    assert runner.tries >= 10 and runner.failures == 0, "".join(report)


def test_classify_is_still_the_function_once_the_linear_model_has_loaded():
    import minutes_nlp

    minutes_nlp.load_model("default")  # imports minutes_nlp.classifiers.linear, the estimator's module
    assert callable(minutes_nlp.classify)
    rows = minutes_nlp.classify(["Đề nghị chi bộ phân công đồng chí Tú sửa loa phát thanh trước ngày 15/4."])
    assert rows[0]["label"] == "proposal"


def test_ci_runs_exactly_the_readme_install_commands():
    """.ci/run reads the commands from README.md; its own extraction must give the README's two commands."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    extraction = re.search(r"^mapfile -t readme_commands < <\((.*)\)$", ci, re.M).group(1)
    done = subprocess.run(["bash", "-c", extraction], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && minutes-nlp analyze examples/bien-ban-to-dan-pho.txt",
        'python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[dev]" && python -m pytest -q',
    ]
    assert 'bash -c "$command"' in ci and ci.index("readme_commands") < ci.index("pip wheel")
