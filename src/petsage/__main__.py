"""`python -m petsage` is the `petsage` command."""

from petsage.entrypoint import main

main()
