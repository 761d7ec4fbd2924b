"""`petsage feature show` for the shipped pet features, in process (beside
tests/blueprint/test_feature_show.py, whose directory hides the shipped pets from the
generator's tests)."""

from __future__ import annotations

from typer.testing import CliRunner

from petsage.cli.app import app


def show(name: str) -> str:
    result = CliRunner().invoke(app, ["feature", "show", name])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_pet_features_print_their_summaries() -> None:
    pets, activities = show("pet_profile"), show("activity_tracker")

    assert pets.startswith("pet_profile: Profiles of the pets a person cares for\n")
    assert "  POST   /pet-profiles  Create a pet profile  [201" in pets
    assert "pet_profile:admin reaches every row" in pets
    # An optional field keeps its rules: they are its first choice's, before `| null`.
    assert (
        "  microchip_id: string, maxLength 15, minLength 15, pattern ^[0-9]{15}$ | null\n" in pets
    )
    assert "\nRequires features: pet_profile\n" in activities
    (line,) = [each for each in activities.splitlines() if "/activity-summary" in each]
    assert line.startswith("  GET    /pet-profiles/{id}/activity-summary  Sum a pet's activities")
    assert line.endswith("token: activity_tracker:read")
    assert "  GET    /pet-profiles/{id}/insights  Read what a pet's activities say" in activities
    assert "  distance_km: (number, maximum 1000.0, minimum 0.0 | string) | null\n" in activities
    assert "references pet_profiles.id on delete CASCADE" in activities
