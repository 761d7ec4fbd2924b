"""`MetricsSettings`: the feature's own variables, `PETSAGE_METRICS_*`."""

from pydantic_settings import SettingsConfigDict

from petsage.blueprint import Configuration, FeatureSettings, MetricsExport


class MetricsSettings(FeatureSettings):
    model_config = SettingsConfigDict(env_prefix="PETSAGE_METRICS_")

    # false: /metrics is a plain 404 and the platform records no metrics at all.
    enabled: bool = True
    # Count probe requests (liveness, readiness, the probe paths) in the HTTP metrics too.
    include_probes: bool = False


def metrics_enabled(configuration: Configuration) -> bool:
    return configuration.of(MetricsSettings).enabled


def export(configuration: Configuration) -> MetricsExport:
    return MetricsExport(include_probes=configuration.of(MetricsSettings).include_probes)
