"""Logic of the `example_pets` feature: the kit's `Resource` does it all."""

from petsage.resources import Resource

from .models import ExamplePetPublic
from .orm import ExamplePet

example_pets = Resource(ExamplePet, ExamplePetPublic, noun="example pet")
