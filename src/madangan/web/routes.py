"""The app's route table, flattened: what the authorisation matrix and docs enumerate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute

#: Query parameters that name a region: a route taking one is tested inside and outside the caller's scope.
REGION_QUERY_PARAMS = frozenset({"region", "desa", "wilayah", "kode_wilayah"})
#: Path parameters that name a region.
REGION_PATH_PARAMS = frozenset({"code"})


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    rules: tuple  # access rules declared by the route's dependencies
    query_params: frozenset[str] = frozenset()
    path_params: frozenset[str] = frozenset()

    @property
    def region_params(self) -> frozenset[str]:
        """The parameters through which a caller names a region."""
        return (self.query_params & REGION_QUERY_PARAMS) | (self.path_params & REGION_PATH_PARAMS)


def _rules(dependencies) -> tuple:
    found = (getattr(d.dependency, "access_rule", None) for d in dependencies or ())
    return tuple(r for r in found if r is not None)


def _params(dependant) -> tuple[frozenset[str], frozenset[str]]:
    """Names of the query and path parameters of an endpoint and of its dependencies."""
    query: set[str] = set()
    path: set[str] = set()
    todo = [dependant] if dependant is not None else []
    while todo:
        d = todo.pop()
        query.update(p.alias or p.name for p in d.query_params)
        path.update(p.alias or p.name for p in d.path_params)
        todo.extend(d.dependencies)
    return frozenset(query), frozenset(path)


def iter_routes(app: FastAPI) -> Iterator[RouteInfo]:
    """Every endpoint with its methods, access rules and parameters, routers included."""
    for route in app.routes:
        if isinstance(route, APIRoute):
            yield RouteInfo(route.path, frozenset(route.methods), _rules(route.dependencies), *_params(route.dependant))
        elif hasattr(route, "effective_route_contexts"):  # an included router (FastAPI ≥ 0.16x)
            for ctx in route.effective_route_contexts():
                yield RouteInfo(ctx.path, frozenset(ctx.methods), _rules(ctx.dependencies),
                                *_params(getattr(ctx, "dependant", None)))
