"""``python -m autograd_lite``: the command line (implemented in nn.cli, which uses both packages)."""

import sys

from nn.cli import main

sys.exit(main())
