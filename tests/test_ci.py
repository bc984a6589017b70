""".ci/run: a README command that fails, or a pytest that collects nothing, fails CI; what CI creates it removes."""

import re
import subprocess
from pathlib import Path

import pytest

CI = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")


def _readme_loop() -> str:
    return re.search(r'^for command in "\$\{readme_commands\[@\]\}"; do\n.*?^done$', CI, re.S | re.M).group(0)


@pytest.mark.parametrize(
    "commands, status, says",
    [
        (["true", "echo ran"], 0, ""),
        (["true", "exit 5"], 1, "collected no tests"),
        (["exit 3", "echo never"], 3, "failed with exit code 3"),
        (["false && echo never"], 1, "failed with exit code 1"),  # a failure early in an && chain counts
    ],
)
def test_readme_commands_fail_ci_on_any_non_zero_exit(commands, status, says):
    script = "set -euo pipefail\nreadme_commands=(" + " ".join(f"'{c}'" for c in commands) + ")\n" + _readme_loop()
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == status, done.stderr
    assert says in done.stderr
    assert (
        "never" not in done.stdout.splitlines()
    )  # stdout echoes each command as "+ …"; "never" alone would be its output


def test_cleanup_trap_is_set_before_postgres_starts_and_undoes_it():
    assert CI.index("trap cleanup EXIT") < CI.index("main start")
    cleanup = re.search(r"^cleanup\(\) \{\n.*?^\}$", CI, re.S | re.M).group(0)
    drop = re.search(r"^drop_test_objects\(\) \{.*?^\}$", CI, re.S | re.M).group(0)
    assert "drop_test_objects" in cleanup and 'if [ "$pg_started_here" -eq 1 ]' in cleanup and "stop" in cleanup
    assert "minutes\\\\_test\\\\_%" in drop and "dropdb" in drop and "DROP ROLE IF EXISTS minutes_ci" in drop
    assert 'exit "$status"' in cleanup  # the run's own exit code survives the cleanup
