"""`python -m ixpready_probe` runs the probe's command line."""

import sys

from ixpready_probe.cli import main

sys.exit(main())
