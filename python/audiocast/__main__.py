"""``python3 -m audiocast``: the command-line tool (see ``audiocast --help``)."""

import sys

from ._cli import main

sys.exit(main())
