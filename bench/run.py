"""`make bench`: run every benchmark in one process and record the results.

Results are printed and written between the markers in docs/performance.md.
"""

from __future__ import annotations

import datetime
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCHES = [
    "bench.bench_derivation",
    "bench.bench_scan",
    "bench.bench_mempool",
    "bench.bench_tips",
    "bench.bench_export",
    "bench.bench_pages",
    "bench.bench_big_creator",
    "bench.bench_live",
    "bench.bench_latency",
    "bench.bench_nwc",
    "bench.bench_stall",
]
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def main() -> None:
    sections = []
    for name in BENCHES:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        # Each benchmark in its own interpreter: no state shared between them.
        result = subprocess.run(
            [sys.executable, "-m", name], cwd=ROOT, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            sys.stderr.write(result.stderr)
            raise SystemExit(f"{name} failed")
        sections.append(result.stdout.strip())
    cpu = platform.processor() or platform.machine()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = (
        f"Measured {stamp} on {cpu}, Python {platform.python_version()}, "
        f"command `make bench`.\n\n" + "\n\n".join(sections)
    )
    print(body)
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    doc.write_text(pattern.sub(f"{START}\n{body}\n{END}", text))


if __name__ == "__main__":
    main()
