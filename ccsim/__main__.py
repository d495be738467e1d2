"""Allow ``python -m ccsim``."""

from ccsim.cli.app import main

main()
