"""Run every benchmark module (or those named on the command line) and print BENCH lines."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from pathlib import Path

from bench.harness import Result, write_results


def main(argv: list[str]) -> int:
    """Discover `bench_*` modules, run them, print and save the results."""
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    results: list[Result] = []
    failed: list[str] = []
    for name in names:
        # One broken benchmark must not cost the figures of the others in a long run.
        try:
            module = importlib.import_module(f"bench.{name}")
            for result in module.run():
                print(result.line(), flush=True)
                results.append(result)
        except Exception:
            traceback.print_exc()
            print(f"FAIL {name}", flush=True)
            failed.append(name)
    write_results(results, here / "results.json")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
