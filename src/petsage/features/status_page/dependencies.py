"""What the feature's lifespan provides its routes, under typed keys: the board, the hub."""

from typing import Annotated

from fastapi import Depends

from petsage.blueprint import StateKey
from petsage.features.status_page.board import StatusBoard
from petsage.features.status_page.streams import StreamHub

BOARD: StateKey[StatusBoard] = StateKey("status_page.board")
STREAMS: StateKey[StreamHub] = StateKey("status_page.streams")

StatusBoardDep = Annotated[StatusBoard, Depends(BOARD.dependency)]
StreamHubDep = Annotated[StreamHub, Depends(STREAMS.dependency)]
