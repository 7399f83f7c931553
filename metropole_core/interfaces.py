"""Plugin interfaces between the two halves of the portal.

The web extension's runtime (background worker, ``ckan metropole demo``)
drives harvests it does not implement: the harvesters contribute that work
through :class:`IHarvestRuntime`, so the web never imports them and a portal
without the metropole harvesters simply has nothing to schedule.
"""

from __future__ import annotations

from typing import Any

from ckan.plugins.interfaces import Interface


class IHarvestRuntime(Interface):
    """Harvest work the portal's background worker and demo loader start."""

    def run_due_sources(self, context: dict[str, Any]) -> list[str]:
        """Start a job for each source whose schedule is due (and fail the
        jobs that ran past their timeout); the ids of the sources started."""
        return []

    def ensure_demo_sources(self, context: dict[str, Any], samples_url: str,
                            owner_org: str) -> list[str]:
        """Create the demo's harvest sources on the sample servers at
        ``samples_url`` (idempotent); the ids of the sources created."""
        return []


class IScheduledWork(Interface):
    """Periodic work of a plugin, run by the portal's scheduler loop (``ckan
    metropole worker``) at each pass (``ckanext.metropole.scheduler.interval``)."""

    def run_scheduled(self, context: dict[str, Any]) -> None:
        """Do what is due now; keep it short (it shares the loop)."""
