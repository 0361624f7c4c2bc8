"""The app's route table, flattened: what the authorisation matrix and docs enumerate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    rules: tuple  # access rules declared by the route's dependencies


def _rules(dependencies) -> tuple:
    found = (getattr(d.dependency, "access_rule", None) for d in dependencies or ())
    return tuple(r for r in found if r is not None)


def iter_routes(app: FastAPI) -> Iterator[RouteInfo]:
    """Every endpoint with its methods and access rules, routers included."""
    for route in app.routes:
        if isinstance(route, APIRoute):
            yield RouteInfo(route.path, frozenset(route.methods), _rules(route.dependencies))
        elif hasattr(route, "effective_route_contexts"):  # an included router (FastAPI ≥ 0.16x)
            for ctx in route.effective_route_contexts():
                yield RouteInfo(ctx.path, frozenset(ctx.methods), _rules(ctx.dependencies))
