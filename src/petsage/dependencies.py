"""Request dependencies, each declared once as an `Annotated` alias."""

from typing import Annotated

from fastapi import Depends, Request

from petsage.settings import Settings


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]
