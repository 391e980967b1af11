"""Errors a user caused: printed as one line, exit code 2, nothing written.

`describe` turns every class of error that bad input or configuration raises (invalid settings, a
database URL that cannot be parsed, driven or reached, an InvalidInput) into that one line, wherever
below the command it surfaces. Other errors are ours and keep their traceback."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, get_origin


class UserError(Exception):
    """Bad input or a missing prerequisite, explained in one line."""


# C0 and C1 control characters (ESC starts terminal escape sequences) and DEL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text from a user, a repo or a page made safe for a terminal: control characters shown escaped."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def one_line(text: str) -> str:
    return printable(" ".join(text.split()))


def describe(exc: BaseException) -> str | None:
    """The one line for an error the user can fix, or None for an error of ours."""
    from db.validation import InvalidInput

    if isinstance(exc, UserError | InvalidInput):
        return str(exc)
    from pydantic import ValidationError
    from pydantic_settings import SettingsError
    from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

    if isinstance(exc, ValidationError) and exc.title == "Settings":
        return "; ".join(_setting_error(error) for error in exc.errors())
    if isinstance(exc, SettingsError):
        return "; ".join(_unparseable_settings()) or str(exc)
    if isinstance(exc, ArgumentError | OperationalError | InterfaceError):
        # Raised on connect (closed port, unknown database, bad credentials) or on a URL SQLAlchemy rejects.
        cause = exc.orig if isinstance(exc, OperationalError | InterfaceError) else exc
        return f"database {_database_shown()}: {one_line(str(cause))}"
    return None


def check_configuration() -> None:
    """Refuse settings no command can work with, before any command writes anything."""
    from db.session import checked_url
    from settings import get_settings

    settings = get_settings()
    _must_be_a_folder("VARIANTLAB_DATA_DIR", settings.resolved_data_dir)
    # As pipelines/instances.py dagster_home() finds it (not imported here: Dagster is slow to import).
    if os.environ.get("DAGSTER_HOME"):
        _must_be_a_folder("DAGSTER_HOME", Path(os.environ["DAGSTER_HOME"]).resolve())
    else:
        _must_be_a_folder("VARIANTLAB_DAGSTER_HOME", settings.resolved_dagster_home)
    if settings.database_url:
        checked_url(settings.database_url)


def _must_be_a_folder(variable: str, path: Path) -> None:
    for folder in (path, *path.parents):
        if folder.exists():
            if not folder.is_dir():
                where = "is a file" if folder == path else f"is inside {folder}, a file"
                raise UserError(f"{variable}: {path} {where}; name a folder (created if missing)")
            return


def _env_name(loc: tuple[int | str, ...]) -> str:
    from settings import Settings

    names = [str(part) for part in loc if isinstance(part, str)]
    name = Settings.model_config["env_prefix"] + Settings.model_config["env_nested_delimiter"].join(names)
    items = "".join(f"[{part}]" for part in loc if isinstance(part, int))
    return name.upper() + items


def _setting_error(error: Any) -> str:
    value = error.get("input")
    if error["type"] == "extra_forbidden":
        return f"{_env_name(error['loc'])}: no such setting; {_section_fields(error['loc'][:-1])}"
    got = f" (got {str(value)[:60]!r})" if isinstance(value, str | int | float) else ""
    if error["type"] in ("string_too_long", "string_too_short"):
        got = f" (got {len(value)} characters)"  # the value itself may be a page long
    elif error["type"] in ("too_long", "too_short"):
        got = ""  # pydantic's message already counts the items
    return f"{_env_name(error['loc'])}: {error['msg']}{got}"


def _section_fields(loc: tuple[int | str, ...]) -> str:
    """What a section of the settings does hold, for a variable that is not one of them."""
    from pydantic import BaseModel

    from settings import Settings

    model: Any = Settings
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        model = field.annotation if field is not None else None
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return "see settings/model.py for the settings there are"
    return f"the settings here are {', '.join(_env_name((*loc, name)) for name in model.model_fields)}"


def _unparseable_settings() -> list[str]:
    """Which VARIANTLAB_ variables hold JSON that does not parse (pydantic-settings names only the
    section): every list, dict or section setting is read as JSON."""
    from pydantic import BaseModel

    from settings import Settings

    prefix = Settings.model_config["env_prefix"]
    delimiter = Settings.model_config["env_nested_delimiter"]
    found = []
    for name, value in sorted(os.environ.items()):
        if not name.upper().startswith(prefix):
            continue
        field, model = None, Settings
        for part in name[len(prefix):].lower().split(delimiter):
            field = model.model_fields.get(part) if model else None
            if field is None:
                break
            model = field.annotation if isinstance(field.annotation, type) and issubclass(
                field.annotation, BaseModel) else None
        if field is None or not (model or get_origin(field.annotation) in (list, dict, set, tuple)):
            continue
        try:
            json.loads(value)
        except ValueError as exc:
            example = json.dumps(field.get_default(call_default_factory=True), default=_jsonable)
            found.append(f"{name}: not valid JSON ({getattr(exc, 'msg', exc)}); give JSON like {example}")
    return found


def _jsonable(value: Any) -> Any:
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else str(value)


def _database_shown() -> str:
    """The database URL as the user set it, without its password."""
    from sqlalchemy.engine import make_url

    from settings import get_settings

    try:
        return make_url(get_settings().resolved_database_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparseable URL is shown as its variable's name
        return "VARIANTLAB_DATABASE_URL"

