"""``python -m zwgk_desktop.cli``: the same as the ``zwgk`` command."""

import sys

from . import main

sys.exit(main())
