"""PetSage: the wise backend for all your pet's needs."""


def __getattr__(name: str) -> str:
    """`petsage.__version__`, read from the installed metadata on first use.

    Not at import: every `petsage check` (Docker's health check) imports this package, and
    importlib.metadata alone costs it about as much as the rest of the check.
    """
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        value = version("petsage")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        value = "0.0.0+unknown"
    globals()["__version__"] = value
    return value
