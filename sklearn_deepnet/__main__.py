"""``python -m sklearn_deepnet``: the main job (see :mod:`sklearn_deepnet.cli`)."""

from .cli import main

raise SystemExit(main())
