"""What every handler may ask for by parameter name (the dispatcher's workflow data)."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher
from redis.asyncio import Redis

from bot.config import SUPPORTED_LOCALES, Settings
from bot.content import Content
from bot.exchanger import ExchangerClient
from bot.i18n import api_lang
from bot.middlewares.requests import AnsweredQueries
from bot.observability.metrics import BotMetrics
from bot.services.background import BackgroundTasks
from bot.services.catalog import Catalog
from bot.services.conversation import Conversations
from bot.services.health import ExchangerHealth
from bot.services.partner import PartnerAccount
from bot.services.quotes import Quotes
from bot.services.referrals import Referrals
from bot.services.saved_details import SavedDetails
from bot.storage.cache import JsonCache
from bot.storage.cipher import DataCipher
from bot.storage.keys import RedisKeys
from bot.storage.maintenance import ExchangePause
from bot.storage.profiles import UserProfiles
from bot.storage.referrals import ReferralStore
from bot.storage.requisites import SavedRequisites
from bot.wiring.notifications import Pipeline
from handlers.exchange.creation import BidCreations


def handler_data(
    dispatcher: Dispatcher,
    bot: Bot,
    *,
    settings: Settings,
    content: Content,
    redis: Redis,
    keys: RedisKeys,
    exchanger: ExchangerClient,
    profiles: UserProfiles,
    answered: AnsweredQueries,
    pipeline: Pipeline,
    data_cipher: DataCipher | None,
    background: BackgroundTasks,
    metrics: BotMetrics,
) -> dict[str, Any]:
    catalog = Catalog(exchanger, JsonCache(redis, keys, on_lookup=metrics.cache_lookup))
    conversations = Conversations(catalog, Quotes(exchanger))
    saved_details = SavedDetails(
        SavedRequisites(redis, keys, data_cipher),
        catalog,
        langs=[api_lang(locale) for locale in SUPPORTED_LOCALES],
    )
    creations = BidCreations(
        bot=bot,
        bids=pipeline.bids,
        bid_service=pipeline.bid_service,
        conversations=conversations,
        saved_details=saved_details,
        isolation=dispatcher.fsm.events_isolation,
        background=background,
    )
    return {
        "settings": settings,
        "content": content,
        "profiles": profiles,
        "redis_keys": keys,
        "answered": answered,
        "catalog": catalog,
        "conversations": conversations,
        "creations": creations,
        "bids": pipeline.bids,
        "bid_service": pipeline.bid_service,
        "partner_account": PartnerAccount(exchanger),
        "referrals": Referrals(
            ReferralStore(redis, keys), pipeline.bids, default_partner_id=exchanger.partner_id
        ),
        "exchanger_health": ExchangerHealth(exchanger),
        "exchange_pause": ExchangePause(redis, keys),
        "saved_details": saved_details,
        "redis": redis,
    }
