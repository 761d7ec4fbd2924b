"""A bare FastAPI app: one async route with a response model, the same answer as liveness.

What any FastAPI service pays for a route: routing, the endpoint call, validation and
serialisation through the model. PetSage's routes and probes are measured against it. Served
as `baselines:bare_fastapi` (uvicorn's `--factory` needs a callable; this module keeps `app`).
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel


class Liveness(BaseModel):
    status: str
    message: str


app = FastAPI()


@app.get("/system/health")
async def get_system_health() -> Liveness:
    return Liveness(status="ok", message="PetSage system is alive and purring!")
