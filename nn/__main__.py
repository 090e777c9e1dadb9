"""``python -m nn``: the full command line, as the installed ``autograd-lite``."""

import sys

from .cli import main

sys.exit(main(prog="python -m nn"))
