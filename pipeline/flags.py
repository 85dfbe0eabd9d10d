"""Command-line flags generated from the config dataclasses (:mod:`pipeline.config`): one flag per
field, with the field's default and help, so that no default is written twice."""
from __future__ import annotations

import argparse
import tomllib
import typing
from dataclasses import MISSING, fields
from typing import Any

from pipeline.errors import InputError


def config_arguments(parser: argparse.ArgumentParser, cls: type, exclude: tuple[str, ...] = ()) -> None:
    """One flag per field of ``cls`` (``--min-samples`` for ``min_samples``), with its default and help."""
    hints = typing.get_type_hints(cls)
    group = parser.add_argument_group(f"{cls.__name__} settings")
    for f in fields(cls):
        if f.name in exclude or f.default is MISSING:
            continue
        kind, help_ = hints[f.name], f"{f.metadata.get('help', f.name)} (default: %(default)s)"
        flag, dest, metavar = "--" + f.name.replace("_", "-"), f"{cls.__name__}.{f.name}", f.name.upper()
        if kind is bool:
            group.add_argument(flag, dest=dest, default=f.default, action=argparse.BooleanOptionalAction, help=help_)
        elif typing.get_origin(kind) is tuple:
            item = typing.get_args(kind)[0]
            group.add_argument(flag, dest=dest, default=f.default, nargs="+", type=item, metavar=metavar, help=help_)
        else:
            group.add_argument(flag, dest=dest, default=f.default, type=kind, metavar=metavar, help=help_)


def config_from_args(args: argparse.Namespace, cls: type, **overrides: Any):
    """The ``cls`` the generated flags describe (validated by the dataclass itself)."""
    prefix = f"{cls.__name__}."
    values = {k[len(prefix):]: v for k, v in vars(args).items() if k.startswith(prefix)}
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}, **overrides)


def with_settings(config, settings: list[str]):
    """``--set SECTION.KEY=VALUE`` (TOML values) over a build config, checked like a config file."""
    from pipeline.config import config_from_dict

    data = config.to_dict()
    for item in settings:
        name, sep, text = item.partition("=")
        path = name.strip().split(".")
        if not sep or not all(path):
            raise InputError(f"--set {item!r}: write SECTION.KEY=VALUE, e.g. embedding.epochs=5")
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            value = text
        table = data
        for key in path[:-1]:
            table = table.get(key)
            if not isinstance(table, dict):
                raise InputError(f"--set {item!r}: no settings table {key!r}")
        table[path[-1]] = value
    return config_from_dict(data, "--set")
