"""The root GraphQL schema: the apps' Query and Mutation types merged, with the hardening on."""

from __future__ import annotations

import strawberry
from django.conf import settings
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry_django.optimizer import DjangoOptimizerExtension

from hotline.schema.queries import Query as HotlineQuery
from liaison.schema.mutations import Mutation as LiaisonMutation
from liaison.schema.queries import Query as LiaisonQuery
from portal.graphql.security import alias_limit_rule, should_mask_error

Query = merge_types("Query", (LiaisonQuery, HotlineQuery))
Mutation = merge_types("Mutation", (LiaisonMutation,))

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    config=StrawberryConfig(relay_max_results=settings.GRAPHQL_PAGE_SIZE_MAX),
    extensions=[
        lambda: QueryDepthLimiter(max_depth=settings.GRAPHQL_MAX_DEPTH),
        lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS),
        lambda: AddValidationRules([alias_limit_rule(settings.GRAPHQL_MAX_ALIASES)]),
        lambda: MaskErrors(should_mask_error=should_mask_error),
        lambda: DjangoOptimizerExtension(prefetch_custom_queryset=True),
    ],
)
