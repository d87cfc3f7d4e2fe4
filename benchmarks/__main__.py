"""`python -m benchmarks [NAME ...]`: run the named benchmarks (default: all)."""

from __future__ import annotations

import sys

from benchmarks import (
    callable_now,
    demo_build,
    import_speed,
    queue_speed,
    reassign_speed,
    remittance_posting,
    worklist_speed,
)

SUITES = {
    "demo_build": demo_build.main,
    "import_speed": import_speed.main,
    "callable_now": callable_now.main,
    "queue_speed": queue_speed.main,
    "reassign_speed": reassign_speed.main,
    "remittance_posting": remittance_posting.main,
    "worklist_speed": worklist_speed.main,
}


def main(argv: list[str]) -> int:
    names = argv or list(SUITES)
    unknown = [name for name in names if name not in SUITES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(SUITES)}")
        return 1
    for name in names:
        SUITES[name]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
