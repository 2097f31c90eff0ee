"""Run the property tests of tests/e2e/test_properties.py for longer, with a new random seed each run.

    python scripts/fuzz.py --examples 5000            # every property, 5000 examples each
    python scripts/fuzz.py --examples 500 -k markdown  # only the Markdown body property
    python scripts/fuzz.py --seed 1234                 # repeat a run

CI runs the same properties with 60 derandomized examples; this is the long run. A failure
prints the smallest example found and a ``@reproduce_failure`` blob.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROPERTIES = ROOT / "tests" / "e2e" / "test_properties.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000, help="examples per property (default 1000)")
    parser.add_argument("--seed", type=int, help="Hypothesis seed, to repeat a run")
    parser.add_argument("-k", dest="keyword", help="only properties whose name matches (pytest -k)")
    args = parser.parse_args(argv)
    if args.examples < 1:
        parser.error("--examples must be at least 1")
    os.environ["SITE_BUILDER_FUZZ_EXAMPLES"] = str(args.examples)  # read by test_properties.py
    pytest_args = [str(PROPERTIES), "-p", "no:cacheprovider", "-q", "--hypothesis-show-statistics"]
    if args.seed is not None:
        pytest_args.append(f"--hypothesis-seed={args.seed}")
    if args.keyword:
        pytest_args += ["-k", args.keyword]
    return int(pytest.main(pytest_args))


if __name__ == "__main__":
    sys.exit(main())
