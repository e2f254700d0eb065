"""`python -m avance ...` is the `avance` command."""
import sys

from .cli import main

sys.exit(main())
