"""The base of every tenant-owned strawberry-django type: its rows are the actor's.

`get_queryset` runs for every way a type's rows are reached: a list or connection, `node(id)`,
and (with `DjangoOptimizerExtension(prefetch_custom_queryset=True)`) every nested relation, so
another tenant's rows are never even fetched. The rule itself is the model queryset's
`visible_to(actor)`, the same one the selectors use.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any, Protocol, cast

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from strawberry_django.relay import resolve_model_node, resolve_model_nodes
from strawberry_django.resolvers import django_resolver

from core.actors import Actor
from core.graphql.context import Info


class VisibleToQuerySet(Protocol):
    """A queryset of tenant-owned rows."""

    def visible_to(self, actor: Actor | None) -> QuerySet[Any]: ...


class TenantScoped:
    """Mixin for strawberry-django types of tenant-owned models (the model's QuerySet must have
    `visible_to(actor)`); subclasses that narrow further call `super().get_queryset` first."""

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Info, **kwargs: Any) -> QuerySet[Any]:
        return cast("VisibleToQuerySet", queryset).visible_to(info.context.actor_or_none)


# strawberry-django's own node resolvers (run in a thread when called from async code).
_resolve_node: Any = django_resolver(resolve_model_node)
_resolve_nodes: Any = django_resolver(resolve_model_nodes)


class TenantScopedNode(TenantScoped):
    """Mixin for tenant-owned `relay.Node` types (`class T(TenantScopedNode, relay.Node)`):
    besides the scoping, a node id that cannot be the model's primary key (a UUID model asked
    for "Organization:<uuid>", garbage) is simply not found, like any missing one, instead of
    reaching the database as a type error."""

    @classmethod
    def _model(cls) -> type[Model]:
        return cls.__strawberry_django_definition__.model  # type: ignore[attr-defined,no-any-return]

    @classmethod
    def _not_found(cls) -> ObjectDoesNotExist:
        # What strawberry-django's own resolver raises for a required node that is missing.
        return ObjectDoesNotExist(
            f"{cls._model()._meta.object_name} matching query does not exist."
        )

    @classmethod
    def _node_pk_parses(cls, node_id: object) -> bool:
        pk_field = cls._model()._meta.pk
        if pk_field is None:
            return False
        try:
            pk_field.to_python(str(node_id))
        except ValidationError:
            return False
        return True

    @classmethod
    def resolve_node(cls, node_id: str, *, info: Info | None = None, required: bool = False) -> Any:
        if not cls._node_pk_parses(node_id):
            if required:
                raise cls._not_found()
            return None
        return _resolve_node(cls, node_id, info=info, required=required)

    @classmethod
    def resolve_nodes(
        cls,
        *,
        info: Info | None = None,
        node_ids: Iterable[str] | None = None,
        required: bool = False,
    ) -> Any:
        if node_ids is None:
            return _resolve_nodes(cls, info=info, required=required)
        node_ids = list(node_ids)
        parses = [cls._node_pk_parses(node_id) for node_id in node_ids]
        if required and not all(parses):
            raise cls._not_found()
        valid = [node_id for node_id, ok in zip(node_ids, parses, strict=True) if ok]
        if not valid:
            return [None] * len(node_ids)
        found = _resolve_nodes(cls, info=info, node_ids=valid, required=required)

        def aligned(results: Iterable[Any]) -> list[Any]:
            matches = iter(results)
            return [next(matches) if ok else None for ok in parses]

        if inspect.isawaitable(found):

            async def later() -> list[Any]:
                return aligned(await found)

            return later()
        return aligned(found)


__all__ = ["TenantScoped", "TenantScopedNode", "VisibleToQuerySet"]
