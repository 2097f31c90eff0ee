#!/usr/bin/env python3
"""Record every output byte of the sites in tests/golden.py into tests/output-digests.json.

Run it only when a change means to change output, then read the diff of the JSON file: each
changed path is a page a reader would see differently.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.golden import RECORD, SITES, build  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        recorded = {name: build(name, Path(work)) for name in SITES}
    RECORD.write_text(json.dumps(recorded, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{RECORD.relative_to(REPO)}: {sum(map(len, recorded.values()))} files in {len(recorded)} sites")


if __name__ == "__main__":
    main()
