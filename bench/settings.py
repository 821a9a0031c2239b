"""The portal's settings plus one trivial view, the yardstick `make bench` measures against."""

from __future__ import annotations

from csp_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
