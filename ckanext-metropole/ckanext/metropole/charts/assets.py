"""Plotly's JavaScript, served by CKAN's asset pipeline from the installed
``plotly`` package (``plotly/package_data/plotly.min.js``).

The file is registered as a webassets bundle under the absolute path where
pip installed it: CKAN builds it into its webassets folder and serves it
under ``/webassets`` like its own assets. Nothing is copied into the
repository and nothing comes from a CDN. The Python package is located
without being imported (its import pulls in pandas/narwhals machinery the
web process does not need).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

PLOTLY_BUNDLE = "metropole_charts_vendor/plotly"


def plotly_path() -> Path:
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the plotly package is not installed (requirements.txt)")
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise RuntimeError(f"plotly.min.js is missing from the plotly package: {path}")
    return path


def register_plotly() -> None:
    """Register the bundle once (update_config runs at every app start)."""
    from ckan.lib import webassets_tools
    from webassets import Bundle

    if webassets_tools.is_registered(PLOTLY_BUNDLE):
        return
    # Already minified: no filter (rjsmin on 4.8 MB would only cost time).
    bundle = Bundle(str(plotly_path()),
                    output="metropole_charts_vendor/%(version)s_plotly.min.js")
    webassets_tools.env.register(PLOTLY_BUNDLE, bundle)
