"""Allow ``python -m ccsim``."""

from ccsim.cli import main

main()
