# The devhost fixtures (settings file, environment) are shared by every e2e module.
from tests.e2e.test_devhost import host_env, marker, settings_file  # noqa: F401
