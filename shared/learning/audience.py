"""Who an activity is for and how children join it: the values of an activity's offer fields.

Rules that match them to a child (ages, audience) are `shared.offer.rules`; the values live here, beside
the activity records that carry them.
"""

from __future__ import annotations

from enum import StrEnum


class Audience(StrEnum):
    """Everyone (the default), or a targeted programme (e.g. STEM for girls): opt-in per activity."""

    EVERYONE = "everyone"
    GIRLS = "girls"
    BOYS = "boys"


class Setting(StrEnum):
    """Where an activity happens."""

    IN_SCHOOL = "in_school"
    DESTINATION = "destination"
    ONLINE = "online"
    HOME = "home"
