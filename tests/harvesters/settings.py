"""Fixed clock and fast HTTP settings shared by the harvester tests.

History starts at local midnight on Friday 27 March 2026 and "now" is Monday
30 March 10:07 (Paris), so every run crosses the spring DST day (29 March,
23 hours).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from metropole_harvesters.pipeline.http import HttpSettings

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2026, 3, 27, tzinfo=PARIS)
NOW = datetime(2026, 3, 30, 10, 7, tzinfo=PARIS)
# Fast and bounded: short back-off and Retry-After caps keep fault tests quick.
FAST = HttpSettings(connect_timeout=2, read_timeout=2, retries=2, backoff_factor=0.05,
                    max_retry_after=1.0)
