"""``metropole_security``: collects the security parts into one CKAN plugin.

Why parts instead of one big class: each defence (outbound requests, harvest
secrets, headers and CSRF, accounts, input limits) lives in a module of its
own that can be read and tested alone. A part is a module that may define any
of these functions, each optional:

- ``actions() -> dict``           chained or new actions
- ``auth_functions() -> dict``    chained or new auth functions
- ``validators() -> dict``        validators for scheming presets
- ``helpers() -> dict``           template helpers
- ``blueprints() -> list``        Flask blueprints
- ``wrap_app(app, config)``       WSGI/Flask middleware (IMiddleware)
- ``update_config(config)``       IConfigurer
- ``before_dataset_index(pkg_dict) -> pkg_dict``   IPackageController
- ``login() -> Response | None``  IAuthenticator.login: a response refuses the
                                  login form's request before CKAN reads it
- ``notify_about_topic(sent, topic, details) -> bool``  INotifier
- ``before_dataset_search(params) -> params``  IPackageController

Two parts must not define the same action or auth function: the plugin
refuses to start rather than let one silently replace the other.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
import yaml

# The outbound policy is the core's: the harvesters use it too.
from metropole_core import outbound

from . import (
    csrf,
    field_limits,
    harvest_auth,
    harvest_config,
    harvest_urls,
    headers,
    input_errors,
    login_throttle,
    malformed_requests,
    password_reset,
    passwords,
    request_limits,
    urls,
    visibility,
)

# The parts, in the order their middleware wraps the app (first = innermost).
# headers last: its headers also go on the 413 answers of request_limits.
PARTS: tuple[ModuleType, ...] = (
    outbound, harvest_urls, harvest_config, harvest_auth,
    login_throttle, passwords, password_reset, input_errors, field_limits,
    urls, visibility, csrf, malformed_requests, request_limits, headers,
)

_CONFIG_DIR = Path(__file__).parent / "config"


def _merged(hook: str) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in PARTS:
        provider = getattr(part, hook, None)
        if provider is None:
            continue
        for name, value in provider().items():
            if name in merged:
                raise RuntimeError(f"metropole_security: {name!r} is defined by two parts")
            merged[name] = value
    return merged


def _through(hook: str, value: Any, *args: Any) -> Any:
    """Passes ``value`` through every part's ``hook`` in PARTS order (each
    part gets what the previous one returned)."""
    for part in PARTS:
        function = getattr(part, hook, None)
        if function is not None:
            value = function(value, *args)
    return value


class MetropoleSecurityPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigDeclaration)
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IValidators)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IMiddleware, inherit=True)
    plugins.implements(plugins.IAuthenticator, inherit=True)
    plugins.implements(plugins.INotifier, inherit=True)
    plugins.implements(plugins.IPackageController, inherit=True)

    # IConfigDeclaration: one YAML file per part under config/.
    def declare_config_options(self, declaration, key) -> None:
        for path in sorted(_CONFIG_DIR.glob("*.yaml")):
            declaration.load_dict(yaml.safe_load(path.read_text(encoding="utf-8")))

    # IConfigurer
    def update_config(self, config: toolkit.CKANConfig) -> None:
        for part in PARTS:
            if hasattr(part, "update_config"):
                part.update_config(config)

    # IActions
    def get_actions(self) -> dict[str, Any]:
        return malformed_requests.with_safety_net(_merged("actions"))

    # IAuthFunctions
    def get_auth_functions(self) -> dict[str, Any]:
        return _merged("auth_functions")

    # IValidators
    def get_validators(self) -> dict[str, Any]:
        return _merged("validators")

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return _merged("helpers")

    # IBlueprint
    def get_blueprint(self) -> list:
        return [bp for part in PARTS if hasattr(part, "blueprints") for bp in part.blueprints()]

    # IMiddleware
    def make_middleware(self, app, config):
        return _through("wrap_app", app, config)

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return _through("before_dataset_index", pkg_dict)

    # IAuthenticator: the first part that answers wins.
    def login(self):
        for part in PARTS:
            response = part.login() if hasattr(part, "login") else None
            if response is not None:
                return response
        return None

    # INotifier. CKAN's default notify_recipient answers False, which would
    # undo a notification another plugin already sent: pass it through.
    def notify_recipient(self, already_notified: bool, *args, **kwargs) -> bool:
        return already_notified

    def notify_about_topic(self, notification_sent: bool, topic: str,
                           details: dict[str, Any]) -> bool:
        return _through("notify_about_topic", notification_sent, topic, details)

    # IPackageController
    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return _through("before_dataset_search", search_params)
