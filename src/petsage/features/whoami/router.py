"""`GET /me`: any valid access token, no scope needed."""

from fastapi import APIRouter

from petsage.features.whoami.models import CallerResponse
from petsage.http.access import TOKEN_RESPONSES, PrincipalDep

router = APIRouter(tags=["Identity"])


@router.get("/me", summary="Who the access token names", responses=TOKEN_RESPONSES)
async def get_caller(caller: PrincipalDep) -> CallerResponse:
    """The subject, client and scopes of the request's access token (401 without one)."""
    return CallerResponse(
        subject=caller.subject, client_id=caller.client_id, scopes=sorted(caller.scopes)
    )
