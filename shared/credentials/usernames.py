"""Child-friendly pupil usernames: an adjective, an animal and two or three digits (`happyotter42`).

A username is chosen when a pupil is created (unique within the school at once) and claimed across the
whole system when the pupil first gets a password (login cards or reset): the claim is an insert into
the logins table, and a clash picks a new name before the card is printed.
"""

from __future__ import annotations

import secrets

ADJECTIVES = (
    "happy", "brave", "clever", "kind", "quick", "jolly", "lucky", "sunny", "bright", "calm",
    "cosy", "merry", "proud", "swift", "wise", "bold", "gentle", "keen", "lively", "neat",
    "shiny", "smart", "sparky", "super", "witty", "zippy", "cheery", "chirpy", "daring", "eager",
    "fancy", "friendly", "funny", "golden", "grand", "honest", "magic", "mighty", "nimble", "noble",
    "peppy", "plucky", "polite", "quiet", "rapid", "royal", "silly", "snappy", "speedy", "splendid",
    "steady", "sturdy", "sweet", "tidy", "tiny", "trusty", "vivid", "warm", "zesty", "breezy",
)
ANIMALS = (
    "otter", "badger", "panda", "tiger", "zebra", "koala", "eagle", "robin", "whale", "dolphin",
    "rabbit", "hedgehog", "squirrel", "fox", "owl", "penguin", "puffin", "seal", "lion", "lemur",
    "llama", "meerkat", "beaver", "bison", "camel", "cheetah", "falcon", "gecko", "giraffe", "hippo",
    "jaguar", "kitten", "lobster", "macaw", "moose", "newt", "octopus", "parrot", "pony", "raven",
    "salmon", "sloth", "swan", "toucan", "turtle", "walrus", "wombat", "yak", "alpaca", "heron",
    "kingfisher", "magpie", "mole", "narwhal", "ostrich", "pelican", "quail", "stoat", "vole", "wren",
)


def new_username(taken: set[str] | frozenset[str] = frozenset(), *, digits: int = 2) -> str:
    """A fresh username not in `taken` (the school's current names)."""
    rng = secrets.SystemRandom()
    for attempt in range(50):
        width = digits + (attempt // 10)  # widen only when a school's names get crowded
        number = rng.randrange(10 ** (width - 1), 10**width)
        name = f"{rng.choice(ADJECTIVES)}{rng.choice(ANIMALS)}{number}"
        if name not in taken:
            return name
    raise RuntimeError("could not find a free username")  # 60x60x9000 names: unreachable in practice
