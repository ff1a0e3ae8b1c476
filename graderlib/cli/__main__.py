"""``python -m graderlib.cli``: the same as the ``graderlib`` command."""

from graderlib.cli import main

raise SystemExit(main())
