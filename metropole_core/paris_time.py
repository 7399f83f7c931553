"""The metropoles' local time: cron schedules, daily aggregates and the
times shown to users are all in Europe/Paris."""

from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
