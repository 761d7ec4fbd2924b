"""`petsage feature new`: a new feature package (and, for a resource, its migration),
rendered from a feature request (a file, or a name and options) through packaged templates and
written all or nothing."""

from petsage.blueprint.generator.names import FeatureNames, GeneratorError, feature_names
from petsage.blueprint.generator.plan import (
    FeaturePlan,
    feature_spec,
    plan_feature,
    plan_request,
    write_plan,
)
from petsage.blueprint.generator.project import Project, locate_project
from petsage.blueprint.generator.render import FeatureSpec, render_feature
from petsage.blueprint.generator.request import (
    FeatureRequest,
    load_request,
    parse_request,
    request_schema,
)

__all__ = [
    "FeatureNames",
    "FeaturePlan",
    "FeatureRequest",
    "FeatureSpec",
    "GeneratorError",
    "Project",
    "feature_names",
    "feature_spec",
    "load_request",
    "locate_project",
    "parse_request",
    "plan_feature",
    "plan_request",
    "render_feature",
    "request_schema",
    "write_plan",
]
