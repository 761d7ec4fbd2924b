"""The bare FastAPI baseline: one async route with a response model, nothing else.

Served by the same uvicorn settings as PetSage (`python -m uvicorn bare_fastapi:app --loop uvloop
--http httptools`), it is what start-up time and memory are measured against: what any FastAPI
application pays before it does anything of its own.
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="bare FastAPI")


class Alive(BaseModel):
    status: str
    message: str


@app.get("/system/health")
async def get_system_health() -> Alive:
    return Alive(status="ok", message="PetSage system is alive and purring!")


def bare_fastapi() -> FastAPI:
    """For `uvicorn --factory`, as the harness serves every other app."""
    return app
