"""Run the incremental-soundness properties (tests/e2e/test_incremental_property.py) for longer.

    python scripts/soundness.py --examples 500             # both properties, 500 examples each
    python scripts/soundness.py --examples 200 -k serve    # only serve's rebuilds

CI runs them with 10 examples each; a failure prints the theme and the edits that broke it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

PROPERTIES = Path(__file__).resolve().parents[1] / "tests" / "e2e" / "test_incremental_property.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="examples per property (default 200)")
    parser.add_argument("-k", dest="keyword", help="only properties whose name matches (pytest -k)")
    args = parser.parse_args(argv)
    if args.examples < 1:
        parser.error("--examples must be at least 1")
    os.environ["SB_SOUNDNESS_EXAMPLES"] = str(args.examples)
    return int(pytest.main([str(PROPERTIES), "-q", "-x", *(["-k", args.keyword] if args.keyword else [])]))


if __name__ == "__main__":
    sys.exit(main())
