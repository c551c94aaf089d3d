"""Settings for `make run`: a person trying the portal on their own machine."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
