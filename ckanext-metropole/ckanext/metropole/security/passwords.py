"""Passwords: a length and strength policy, and the old password to change one.

Policy: CKAN only asks for 8 characters, so ``12345678`` and ``password``
were accepted. This part replaces CKAN's own ``user_password_validator``
(IValidators overrides a core validator of the same name), which every user
schema uses — ``user_create``, ``user_update``, the registration, edit and
password reset forms — so there is one rule for every way a password is set.
Strength is zxcvbn's score (dictionary words, keyboard runs, repetitions,
dates, and the user's own name and email).

Old password: CKAN's edit form asks for it, but ``user_update`` through the
API (an API token) changed a password without it, so a stolen token became a
stolen account. The chained ``user_update`` asks for ``old_password`` whenever
someone changes their own password, sysadmins included. A sysadmin may set
another account's password (account recovery; CKAN's form also asks for the
sysadmin's own password). The reset form is exempt: the emailed key proves it.
"""

from __future__ import annotations

from typing import Any

from ckan import model
from ckan.common import config
from ckan.lib.navl.dictization_functions import Missing
from ckan.plugins import toolkit
from zxcvbn import zxcvbn

_MIN_LENGTH = "ckanext.metropole.security.password.min_length"
_MIN_STRENGTH = "ckanext.metropole.security.password.min_strength"
# zxcvbn refuses longer input (its matching is quadratic); the first 72
# characters of a password that long decide its strength anyway.
_ZXCVBN_MAX = 72


def password_problems(password: str, user_inputs: list[str]) -> list[str]:
    """What is wrong with a password, as messages for the password field."""
    min_length = int(config.get(_MIN_LENGTH))
    if len(password) < min_length:
        return [toolkit._("Your password must be at least {length} characters long.")
                .format(length=min_length)]
    score = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=[i for i in user_inputs if i])["score"]
    if score < int(config.get(_MIN_STRENGTH)):
        return [toolkit._(
            "This password is too easy to guess (common words, sequences, repetitions, "
            "dates or your own name). Use several uncommon words, or mix words, "
            "digits and symbols.")]
    return []


def user_password_validator(key, data, errors, context) -> None:
    """Replaces CKAN's validator of the same name (same keys, same error field)."""
    value = data[key]
    if isinstance(value, Missing) or value == "":
        return
    if not isinstance(value, str):
        errors[("password",)].append(toolkit._("Passwords must be strings"))
        return
    inputs = [data.get((field,)) for field in ("name", "email", "fullname")]
    errors[("password",)].extend(
        password_problems(value, [str(i) for i in inputs if isinstance(i, str)]))


def validators() -> dict[str, Any]:
    return {"user_password_validator": user_password_validator}


_NEW_PASSWORD_FIELDS = ("password", "password1", "password_hash")


@toolkit.chained_action
def user_update(up_func, context, data_dict):
    if (not context.get("reset_password")
            and any(data_dict.get(field) for field in _NEW_PASSWORD_FIELDS)):
        _require_old_password(context, data_dict)
    return up_func(context, data_dict)


def _require_old_password(context, data_dict) -> None:
    target = model.User.get(str(data_dict.get("id") or data_dict.get("name") or ""))
    actor = model.User.get(context.get("user") or "")
    if target is None or actor is None or actor.id != target.id:
        # Another account: user_update's auth lets only sysadmins through.
        return
    old = data_dict.get("old_password")
    if not isinstance(old, str) or not old:
        raise toolkit.ValidationError({"old_password": [toolkit._(
            "Enter your current password to change it.")]})
    if not target.validate_password(old):
        raise toolkit.ValidationError({"old_password": [toolkit._(
            "Your current password is incorrect.")]})


def actions() -> dict[str, Any]:
    return {"user_update": user_update}
