"""``python -m autograd_lite``: the command line (in nn.cli, which drives both packages)."""

import sys

from nn.cli import main

sys.exit(main())
