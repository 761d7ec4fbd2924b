"""`Feature(requires=...)`: a feature served without one it requires stops start-up with one
line naming both, whether the other is disabled, switched off by its settings or missing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from petsage.blueprint import Feature
from petsage.blueprint.discovery import FeatureError, configure, discover_features
from petsage.blueprint.discovery import select_features as select_with
from petsage.settings import ConfigurationError, Settings


def select_features(features: tuple[Feature, ...], settings: Settings) -> tuple[Feature, ...]:
    return select_with(features, configure(features, settings))


ACTIVITY = Feature(name="activity", summary="Needs the root page", requires=("root",))


def test_a_feature_is_served_with_the_features_it_requires(
    make_settings: Callable[..., Settings],
) -> None:
    names = [f.name for f in select_features((*discover_features(), ACTIVITY), make_settings())]

    assert names[-1] == "activity"
    assert "root" in names


def test_disabling_a_required_feature_names_both(make_settings: Callable[..., Settings]) -> None:
    with pytest.raises(ConfigurationError) as raised:
        select_features((*discover_features(), ACTIVITY), make_settings(features_disabled="root"))

    assert str(raised.value) == (
        "invalid setting PETSAGE_FEATURES_DISABLED: feature 'activity' requires 'root', "
        "which is disabled"
    )


def test_a_missing_required_feature_names_both(make_settings: Callable[..., Settings]) -> None:
    lonely = Feature(name="activity", summary="x", requires=("pet_groomer",))

    with pytest.raises(FeatureError) as raised:
        select_features((*discover_features(), lonely), make_settings())

    assert str(raised.value) == "feature 'activity' requires 'pet_groomer', which is not installed"


def test_a_disabled_feature_may_require_anything(make_settings: Callable[..., Settings]) -> None:
    lonely = Feature(name="activity", summary="x", requires=("pet_profile",))
    settings = make_settings(features_disabled="activity")

    assert "activity" not in [f.name for f in select_features((lonely,), settings)]


def test_a_feature_cannot_require_a_bad_name() -> None:
    with pytest.raises(ValueError, match="cannot require 'Pet-Profile'"):
        Feature(name="activity", summary="x", requires=("Pet-Profile",))


def test_a_feature_may_require_itself_a_ref_to_its_own_table(
    make_settings: Callable[..., Settings],
) -> None:
    family = Feature(name="family", summary="x", requires=("family",))

    assert select_features((family,), make_settings()) == (family,)
