"""``python -m fastnn``: the ``fastnn`` command (fastnn/cli.py)."""
import sys

from .cli import main

sys.exit(main())
