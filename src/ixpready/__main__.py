"""`python -m ixpready` runs the command-line interface."""

import sys

from ixpready.cli import main

sys.exit(main())
