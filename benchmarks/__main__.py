"""Run every benchmark: ``python -m benchmarks`` (or one: ``python -m benchmarks nearest|coverage``)."""

import sys

from benchmarks import coverage, nearest

BENCHMARKS = {"nearest": nearest.main, "coverage": coverage.main}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    for i, name in enumerate(names):
        if i:
            print()
        print(f"== {name} ==")
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
