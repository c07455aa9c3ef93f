"""The bot on a Redis Cluster (REDIS_URL=redis+cluster://...): a 3-node cluster of the test
run's own, no replicas. Every script and transaction must find its keys in one hash slot there
(bot/storage/keys.py), or Redis refuses it with CROSSSLOT: a whole conversation, the bid's
creation, saved details, the outbox, the check schedule, the send gate and the locks all run."""

from __future__ import annotations

from bot.sandbox import RunningSandbox
from bot.storage.redis import create_redis
from tests.e2e.harness import (
    DATA_KEY,
    bot_settings,
    run_bot_command,
    running_bot,
    subprocess_env,
    wired_settings,
)
from tests.e2e.steps import create_sber_to_usdt_bid, give_rub, greet, open_sber_to_usdt
from tests.fake_telegram import FakeTelegram
from tests.redis_server import free_port


async def test_a_customer_exchanges_and_hears_of_the_payment_on_a_redis_cluster(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    redis_cluster_url: str,
    redis_prefix: str,
) -> None:
    port = free_port()
    operators = fake_telegram.group("Operators")
    settings = bot_settings(
        **wired_settings(fake_telegram, sandbox, redis_cluster_url),
        REDIS_PREFIX=redis_prefix,
        WEB_HOST="127.0.0.1",
        WEB_PORT=port,
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        OPERATOR_CHAT_ID=operators.id,
        DATA_KEY=DATA_KEY,
    )
    alice = fake_telegram.user("Alice")
    async with running_bot(settings):
        await greet(alice)
        bid_id = await create_sber_to_usdt_bid(alice)
        await operators.wait_for_message(f"New exchange #{bid_id}", timeout=10)
        await alice.wait_for_message("Remember your details for next time?")
        await alice.click("Yes, remember")
        await alice.wait_for_message("Saved. Next time these details are one tap away.")

        sandbox.state.set_bid_status(int(bid_id), "payed")  # the exchanger calls back
        paid = await alice.wait_for_message("Order is paid", timeout=10)
        await operators.wait_for_message("(payed)", timeout=10)
        assert f"#{bid_id}" in paid.body

        await alice.press("📋 My exchanges")
        mine = await alice.wait_for_message(f"#{bid_id}")
        assert "5000" in mine.body.replace(" ", "")

    cluster = create_redis(redis_cluster_url)
    try:
        assert await cluster.exists(f"{redis_prefix}:{{bids}}:bid:{bid_id}")
    finally:
        await cluster.aclose()

    # A second process (a restart) finds the conversation and the saved details where the
    # first left them, in the same slots.
    async with running_bot(settings):
        await open_sber_to_usdt(alice)
        await give_rub(alice, "4000")
        email = await alice.wait_for_message("E-mail")
        assert "Use saved: a•••@example.com" in email.button_labels()


async def test_the_preflight_checks_a_cluster(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, redis_cluster_url: str
) -> None:
    env = subprocess_env(**wired_settings(fake_telegram, sandbox, redis_cluster_url))
    code, out, _ = await run_bot_command("check", env=env)

    assert code == 0, out
    assert out.strip().splitlines()[2] == f"[ ok ] Redis: {redis_cluster_url} answers PING"


async def test_a_sentinel_that_does_not_answer_is_one_line_without_the_password(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox
) -> None:
    url = f"redis+sentinel://:s3cretpass@127.0.0.1:{free_port()}/mymaster/0"
    env = subprocess_env(**wired_settings(fake_telegram, sandbox, url))
    code, out, err = await run_bot_command("check", env=env)

    assert code == 1
    assert out.splitlines()[2].startswith("[FAIL] Redis: ") and "does not answer" in out
    assert "s3cretpass" not in out + err and "Traceback" not in out + err
