"""`python -m petsage` is the `petsage` command."""

from petsage.cli import main

main()
