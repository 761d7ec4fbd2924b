"""The ORM model of the `example_pets` feature.

A generated feature's model derives from `petsage.database.base.Base`; this one uses a base of
its own with the same naming convention, so the migration checks, which compare every table
on `Base.metadata`, never see a table that only these tests create. Like a generated resource,
its rows belong to the token's subject that created them (`OwnedRow`).
"""

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from petsage.database.base import NAMING_CONVENTION
from petsage.resources import OwnedRow, listed

NAME_MAX = 100
SPECIES = ("dog", "cat", "rabbit")
CHIP_LENGTH = 15


class ExampleBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ExamplePet(OwnedRow, ExampleBase):
    __tablename__ = "example_pets"

    name: Mapped[str] = mapped_column(String(NAME_MAX), info=listed(sort=True))
    species: Mapped[str] = mapped_column(String(12), info=listed(filter=True))
    birth_date: Mapped[date | None] = mapped_column(info=listed(filter=True, sort=True))
    weight_g: Mapped[int | None] = mapped_column(info=listed(filter=True, sort=True))
    # Unique among one owner's pets, as a generated owned resource's unique values are.
    chip_code: Mapped[str | None] = mapped_column(String(CHIP_LENGTH))
    # A ref: the kit checks the row exists (422) and refuses to delete one still referred to.
    mother_id: Mapped[int | None] = mapped_column(ForeignKey("example_pets.id"))

    __table_args__ = (
        CheckConstraint(f"species IN {SPECIES}", name="species_known"),
        CheckConstraint("weight_g > 0", name="weight_positive"),
        UniqueConstraint("owner_id", "chip_code", name="uq_example_pets_chip_code"),
    )
