"""Run every benchmark: `python -m bench` (or `./dev bench`). Each prints ratios measured side by side."""

import subprocess
import sys

for module in ("bench.bench_sandbox", "bench.bench_server"):
    print(f"== {module}", flush=True)
    subprocess.run([sys.executable, "-m", module], check=True)
