"""`petsage feature new`: a new feature package (and, for a resource, its migration),
rendered from packaged templates and written all or nothing."""

from petsage.blueprint.generator.names import FeatureNames, GeneratorError, feature_names
from petsage.blueprint.generator.plan import FeaturePlan, plan_feature, write_plan
from petsage.blueprint.generator.project import Project, locate_project

__all__ = [
    "FeatureNames",
    "FeaturePlan",
    "GeneratorError",
    "Project",
    "feature_names",
    "locate_project",
    "plan_feature",
    "write_plan",
]
