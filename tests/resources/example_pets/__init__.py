"""Example pets: the resource the kit's tests serve, shaped as a generated feature.

Routes in `router.py`, logic in `service.py`, the table in `orm.py`.
"""

from petsage.blueprint import Feature

from .router import router

feature = Feature(name="example_pets", summary="Example pets.", routers=(router,))
