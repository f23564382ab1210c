"""`python -m mira ...` is the `mira` command (where the console script is not installed)."""

import sys

from mira.cli import main

sys.exit(main())
