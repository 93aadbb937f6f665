"""Run every benchmark: ``python -m benchmarks`` (or some: ``python -m benchmarks nearest coverage polygons planner``)."""

import sys

from benchmarks import batch, coverage, geocode, load, nearest, planner, polygons, printmap, siting, web_load

BENCHMARKS = {"nearest": nearest.main, "coverage": coverage.main, "polygons": polygons.main, "siting": siting.main,
              "planner": lambda: planner.main([]), "printmap": lambda: printmap.main([]), "batch": batch.main,
              "web_load": web_load.main, "load": load.main, "geocode": geocode.main}


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
