"""`StatusBoardDep`: the board the feature's lifespan built, for its routes."""

from typing import Annotated

from fastapi import Depends, Request

from petsage.blueprint import AppServices
from petsage.features.status_page.board import StatusBoard
from petsage.features.status_page.lifespan import FEATURE


def _board(request: Request) -> StatusBoard:
    services: AppServices = request.app.state.services
    board = services.feature_state[FEATURE]
    assert isinstance(board, StatusBoard), "the status_page lifespan did not run"
    return board


StatusBoardDep = Annotated[StatusBoard, Depends(_board)]
