"""The `example_pets` routes, as `petsage feature new` generates them: the kit's five, each
asking for a token with `example_pets:read` (GET) or `example_pets:write`."""

from petsage.resources import Access, resource_router

from .models import ExamplePetCreate, ExamplePetUpdate
from .service import example_pets

router = resource_router(
    example_pets,
    create=ExamplePetCreate,
    update=ExamplePetUpdate,
    prefix="/example-pets",
    tag="Example Pet",
    one="an example pet",
    plural="example pets",
    access=Access.scopes("example_pets"),
)
