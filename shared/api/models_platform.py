"""Public response models of the platform endpoints."""

from typing import Literal

from pydantic import BaseModel


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    storage: Literal["ok", "unavailable"]
