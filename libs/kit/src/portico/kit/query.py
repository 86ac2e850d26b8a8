"""Query parameters an operation does not declare are refused, not ignored.

A misspelt filter (``?stauts=invited``) would otherwise answer the whole unfiltered list as if
it had been applied. Every service's app declares this dependency once; the answer is the
usual 422 problem naming the parameter.
"""

from __future__ import annotations

from fastapi import Request, params
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute

from portico.kit.problems import FieldError, ValidationProblem

# Computed once per route and kept on the route itself (flattening its dependencies walks
# them all): the names live and die with their app, and routes are not hashable.
_ATTRIBUTE = "_portico_query_names"


def _declared(route: APIRoute) -> frozenset[str]:
    names: frozenset[str] | None = getattr(route, _ATTRIBUTE, None)
    if names is None:
        # The same flattening the OpenAPI document is made from: what it declares is known.
        names = frozenset(
            field.alias
            for field in get_flat_params(route.dependant)
            if isinstance(field.field_info, params.Query)
        )
        setattr(route, _ATTRIBUTE, names)
    return names


async def refuse_unknown_query_parameters(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - _declared(route))
    if unknown:
        raise ValidationProblem(
            "; ".join(f"{name}: is not a parameter of this operation" for name in unknown),
            errors=[
                FieldError(
                    field=name,
                    location="query",
                    message="is not a parameter of this operation",
                    code="unknown_parameter",
                )
                for name in unknown
            ],
        )
