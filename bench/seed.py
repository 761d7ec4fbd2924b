"""The seed document's code as written, a factory for `uvicorn --factory`.

A sync `def` handler with `response_model`: FastAPI runs it in the thread pool and validates and
serialises its dict through the model on every request. Measured for context only.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field


class SeedSmokeTestResponse(BaseModel):
    # The seed's model, with its Pydantic v1 idioms (`Field(example=...)`) translated to v2.
    status: str = Field(examples=["ok"], description="The operational status of the system.")
    message: str = Field(
        examples=["PetSage system is alive and purring!"],
        description="A confirmation message indicating system health.",
    )


def seed_app() -> FastAPI:
    router = APIRouter(prefix="/system", tags=["System Health"])

    @router.get(
        "/health",
        response_model=SeedSmokeTestResponse,
        summary="Perform a System Health Check",
        description="This endpoint can be used by monitoring services or developers "
        "to verify that the PetSage service is running and responsive.",
    )
    def get_system_health() -> dict[str, Any]:
        return {"status": "ok", "message": "PetSage system is alive and purring!"}

    app = FastAPI(title="PetSage API", version="1.0.0")
    app.include_router(router)
    return app
