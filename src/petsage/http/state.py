"""The app's state, typed: each value under a `StateKey[T]`, read back as a `T`.

The one module that touches Starlette's untyped `app.state`: it holds a single `AppState`,
and everything the app keeps for its requests (the platform's services, what a feature's
lifespan built) goes into that under a key declared once beside its type. A key's
`dependency` is the FastAPI dependency that reads it, typed by the key, with no `isinstance`
at request time: what is put under a key is checked by mypy where it is put.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar, cast

from starlette.applications import Starlette
from starlette.requests import Request

T = TypeVar("T")


class MissingStateError(LookupError):
    """A key was read that nothing put: the code that should have put it did not run."""


class StateKey(Generic[T]):
    """The name of one value of the app's state, and the type of that value."""

    __slots__ = ("dependency", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        # `Annotated[T, Depends(KEY.dependency)]`: one function per key, built once.
        self.dependency: Callable[[Request], Awaitable[T]] = _reader(self)

    def __repr__(self) -> str:
        return f"StateKey({self.name!r})"


class AppState:
    """The values of one app, by key."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[StateKey[Any], object] = {}

    def put(self, key: StateKey[T], value: T) -> None:
        """Set `key` (again at each start: an app may be started more than once in tests)."""
        self._values[key] = value

    def get(self, key: StateKey[T]) -> T:
        try:
            # Only `put` stores, and it takes a `T` for a `StateKey[T]`.
            return cast(T, self._values[key])
        except KeyError:
            raise MissingStateError(f"nothing was put under {key.name!r}") from None

    def discard(self, key: StateKey[Any]) -> None:
        self._values.pop(key, None)

    def __contains__(self, key: StateKey[Any]) -> bool:
        return key in self._values


def attach_state(app: Starlette, state: AppState) -> None:
    """Give `app` its state; called once, by the app factory."""
    app.state.petsage = state


def state_of(app: Starlette) -> AppState:
    state: AppState = app.state.petsage
    return state


def _reader(key: StateKey[T]) -> Callable[[Request], Awaitable[T]]:
    # `async def` although it awaits nothing: FastAPI runs a plain `def` dependency in the
    # thread pool (petsage.http.dependencies says what that cost).
    async def read(request: Request) -> T:
        return state_of(request.app).get(key)

    read.__name__ = f"read_{key.name.replace('.', '_')}"
    return read
