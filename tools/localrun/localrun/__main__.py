"""`python -m localrun runtime NAME`: prints the Python of a pinned runtime, installing it first
(used by ../emulator/start and ../../scripts/run-local with the machine's own python3)."""

import sys

from . import runtimes


def main(argv):
    if len(argv) == 2 and argv[0] == "runtime":
        print(runtimes.ensure(argv[1], say=lambda m: print(m, file=sys.stderr)))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
