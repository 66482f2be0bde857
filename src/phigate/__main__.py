"""`python -m phigate`: the same command as `phigate` (the supervisor starts workers so)."""

from phigate.cli import main

main()
