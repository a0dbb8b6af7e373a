"""`python -m core`. Ctrl-C ends it at any point, imports included, with status 130 and one line:
what a shell expects of an interrupted command, and no traceback in front of a room."""

import sys

try:
    from core.cli import main

    code = main()
except KeyboardInterrupt:
    print("interrupted (Ctrl-C)", file=sys.stderr)
    code = 130
sys.exit(code)
