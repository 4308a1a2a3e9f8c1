"""The child process of `grants publish 360giving`: reporting's database from its settings, then the export."""

import sys

from reporting import bootstrap
from reporting.read.publication.export import main

if __name__ == "__main__":
    sys.exit(main(bootstrap.engine()))
