"""Run every benchmark: ``python -m benchmarks``."""

from benchmarks import nearest

if __name__ == "__main__":
    nearest.main()
