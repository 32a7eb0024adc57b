"""The root GraphQL schema: the apps' Query, Mutation and Subscription types merged, hardened."""

from __future__ import annotations

import functools

from django.conf import settings
from graphql import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry_django.optimizer import DjangoOptimizerExtension

from core.graphql.cost import CostCheckedValidation
from core.graphql.ratelimit import OperationRateLimit
from core.graphql.security import HardenedSchema, alias_limit_rule, should_mask_error
from core.graphql.text import InputTextCleaning
from hotline.schema.mutations import Mutation as HotlineMutation
from hotline.schema.queries import Query as HotlineChatQuery
from hotline.schema.subscriptions import Subscription as HotlineSubscription
from liaison.schema.mutations import Mutation as LiaisonMutation
from liaison.schema.queries import Query as LiaisonQuery
from liaison.schema.subscriptions import Subscription as LiaisonSubscription
from switchboard.schema.queries import Query as HotlineQuery
from transparency.schema.queries import Query as TransparencyQuery

Query = merge_types("Query", (LiaisonQuery, HotlineQuery, HotlineChatQuery, TransparencyQuery))
Mutation = merge_types("Mutation", (LiaisonMutation, HotlineMutation))
Subscription = merge_types("Subscription", (LiaisonSubscription, HotlineSubscription))

# Per-process LRU caches: a repeated operation text is parsed and validated once. Bounded, so
# that unique texts only evict; the token limit still runs first (a refused parse is not cached).
DOCUMENT_CACHE_SIZE = 256


@functools.cache
def validation_rules(max_depth: int, max_aliases: int) -> tuple[type[ASTValidationRule], ...]:
    """The depth and alias rules for these limits, built once per pair of values: the
    validation cache is keyed by the rule classes, so classes made per request would never hit."""
    depth_rules = QueryDepthLimiter(max_depth=max_depth).validation_rules
    return (*depth_rules, alias_limit_rule(max_aliases))


schema = HardenedSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(relay_max_results=settings.GRAPHQL_PAGE_SIZE_MAX),
    extensions=[
        # Every operation (HTTP, WebSocket, subscription starts) charged to its caller, first.
        OperationRateLimit,
        lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS),
        lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: AddValidationRules(
            list(validation_rules(settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_ALIASES))
        ),
        # Replaces ValidationCache: the cost check first, then cached validation.
        lambda: CostCheckedValidation(
            max_cost=settings.GRAPHQL_MAX_COST,
            page_size=settings.GRAPHQL_PAGE_SIZE_MAX,
            list_weight=settings.GRAPHQL_LIST_WEIGHT,
            cache_size=DOCUMENT_CACHE_SIZE,
        ),
        lambda: MaskErrors(should_mask_error=should_mask_error),
        # Every text argument of every field cleaned (or refused) before its resolver runs.
        InputTextCleaning,
        lambda: DjangoOptimizerExtension(prefetch_custom_queryset=True),
    ],
)
