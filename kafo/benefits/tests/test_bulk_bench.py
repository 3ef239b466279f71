"""bench/benefits.py at a smoke size: it runs, both paths agree, the last line has its format."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LAST_LINE = re.compile(r"^claims_per_s=\d+ orm_claims_per_s=\d+ ratio=\d+\.\d peak_mib=\d+$")


def test_benefits_bench_smoke_size():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # its own SQLite file
    out = subprocess.run(
        [sys.executable, "bench/benefits.py", "--claims", "200", "--orm-sample", "20"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.strip().splitlines()
    assert LAST_LINE.match(lines[-1]), lines[-1]
    assert "200 claims from 84,000 career lines" in out.stdout
    assert "agree 20/20" in out.stdout  # the run fails outright if one claim differs
