"""Tests of the Bot API emulator, driven through the real aiogram client."""

from __future__ import annotations

import asyncio
import html
import io

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.sandbox.emulator import BotAPIEmulator, parse_html

USER = 1001


def make_bot(emu: BotAPIEmulator, token: str | None = None) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))
    return Bot(token or emu.token, session=session)


async def close_bot(bot: Bot) -> None:
    # AiohttpSession.close() sleeps 250 ms for SSL shutdown; there is no SSL here.
    raw = getattr(bot.session, "_session", None)
    if raw is not None:
        await raw.close()
    else:
        await bot.session.close()


@pytest_asyncio.fixture
async def emu():
    emulator = BotAPIEmulator()
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest_asyncio.fixture
async def bot(emu):
    client = make_bot(emu)
    try:
        yield client
    finally:
        await close_bot(client)


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data)] for text, data in pairs]
    )


@pytest.mark.asyncio
async def test_get_me_and_wrong_token(emu, bot):
    me = await bot.get_me()
    assert me.id == 123456 and me.is_bot and me.username == "jamaat_test_bot" and me.first_name == "Jamaat"
    stranger = make_bot(emu, token="999:WRONG")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    finally:
        await close_bot(stranger)
    assert emu.requests[0][0] == "getMe"


@pytest.mark.asyncio
async def test_user_text_reaches_get_updates_and_offset_confirms(emu, bot):
    emu.add_user(USER, "Aibek", username="aibek", language_code="ky")
    sent = emu.send_text(USER, "/start hello")
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [sent["update_id"]]
    msg = updates[0].message
    assert msg.text == "/start hello" and msg.from_user.username == "aibek" and msg.chat.type == "private"
    assert msg.entities[0].type == "bot_command" and msg.entities[0].length == len("/start")
    # Unconfirmed updates are re-delivered; offset confirms them.
    assert len(await bot.get_updates(timeout=0)) == 1
    assert emu.updates_pending() == 1
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == []
    assert emu.updates_pending() == 0
    assert [m["text"] for m in emu.messages(USER)] == ["/start hello"]


@pytest.mark.asyncio
async def test_long_poll_returns_when_update_arrives(emu, bot):
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    emu.send_text(USER, "salam")
    updates = await asyncio.wait_for(poll, 2)
    assert updates[0].message.text == "salam"
    assert loop.time() - started < 2


@pytest.mark.asyncio
async def test_inline_button_callback_roundtrip(emu, bot):
    emu.send_text(USER, "/start")
    sent = await bot.send_message(USER, "Choose", reply_markup=keyboard(("Yes", "vote:yes"), ("No", "vote:no")))
    assert sent.message_id == 2  # ids are shared with the user's message in the chat
    stored = emu.last_bot_message(USER)
    assert [[b["text"] for b in row] for row in emu.buttons(stored)] == [["Yes"], ["No"]]

    first = emu.press_button(USER, sent.message_id, button_text="No")
    second = emu.press_button(USER, sent.message_id, "vote:yes")
    updates = await bot.get_updates(offset=first["update_id"], timeout=0)
    queries = [u.callback_query for u in updates if u.callback_query]
    assert [q.data for q in queries] == ["vote:no", "vote:yes"]
    query = queries[0]
    assert query.message.message_id == sent.message_id and query.message.chat.id == USER
    assert query.message.reply_markup.inline_keyboard[0][0].callback_data == "vote:yes"
    assert query.chat_instance and query.chat_instance == queries[1].chat_instance
    assert query.from_user.id == USER

    assert await bot.answer_callback_query(query.id, text="Thanks", show_alert=True)
    assert emu.callback_answers == [{"callback_query_id": query.id, "text": "Thanks", "show_alert": True}]
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
    assert second["callback_query"]["id"] != query.id
    with pytest.raises(ValueError):
        emu.press_button(USER, sent.message_id, button_text="Maybe")
    with pytest.raises(KeyError):
        emu.press_button(USER, 999, "x")


@pytest.mark.asyncio
async def test_edit_message_text_and_not_modified(emu, bot):
    emu.send_text(USER, "hi")
    sent = await bot.send_message(USER, "<b>Step 1</b>", parse_mode="HTML", reply_markup=keyboard(("Go", "go")))
    assert sent.text == "Step 1" and sent.entities[0].type == "bold"
    edited = await bot.edit_message_text(
        "<b>Step 1</b>", chat_id=USER, message_id=sent.message_id, parse_mode="HTML", reply_markup=keyboard(("Go", "go2"))
    )
    assert edited.edit_date is not None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<b>Step 1</b>",
            chat_id=USER,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard(("Go", "go2")),
        )
    # Editing text without reply_markup removes the inline keyboard, as on Telegram.
    await bot.edit_message_text("Done", chat_id=USER, message_id=sent.message_id)
    assert emu.last_bot_message(USER)["text"] == "Done" and "reply_markup" not in emu.last_bot_message(USER)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=77)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=USER, message_id=1)
    assert await bot.delete_message(USER, sent.message_id)
    assert [m["message_id"] for m in emu.messages(USER)] == [1]


@pytest.mark.asyncio
async def test_html_validation_catches_unescaped_text(emu, bot):
    emu.send_text(USER, "hi")
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Unsupported start tag \"3\""):
        await bot.send_message(USER, "I <3 Bishkek", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER, "Tom & Jerry", parse_mode="HTML")
    ok = await bot.send_message(USER, "<i>" + html.escape('I <3 "Tom & Jerry"') + "</i>", parse_mode="HTML")
    assert ok.text == 'I <3 "Tom & Jerry"' and ok.entities[0].type == "italic"
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode="HTML")


def test_parse_html_details():
    text, entities = parse_html('  <a href="https://x.kg">ссылка</a> 🙂<b>ok</b>&#33;  ')
    assert text == "ссылка 🙂ok!"
    assert entities == [
        {"offset": 0, "length": 6, "type": "text_link", "url": "https://x.kg"},
        {"offset": 9, "length": 2, "type": "bold"},  # the emoji is 2 UTF-16 code units
    ]
    _, pre = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert pre == [{"offset": 0, "length": 5, "type": "pre", "language": "python"}]
    assert parse_html("<blockquote expandable>q</blockquote>")[1][0]["type"] == "expandable_blockquote"
    for bad, fragment in [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("ы <foo>", 'Unsupported start tag "foo" at byte offset 3'),
        ("a <", "Unclosed start tag at byte offset 2"),
    ]:
        with pytest.raises(ValueError, match=fragment.replace("(", r"\(")):
            parse_html(bad)
    assert parse_html("a & b", strict_ampersand=False)[0] == "a & b"


@pytest.mark.asyncio
async def test_length_limits_and_button_data(emu, bot):
    emu.send_text(USER, "hi")
    await bot.send_message(USER, "я" * 4096)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "я" * 4097)
    # Counted after entity parsing: tags do not count.
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "😀" * 2049)  # 4098 UTF-16 code units
    await bot.send_message(USER, "ok", reply_markup=keyboard(("b", "x" * 64)))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "ok", reply_markup=keyboard(("b", "x" * 65)))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "ok", reply_markup=keyboard(("b", "ы" * 33)))  # 66 bytes
    photo = BufferedInputFile(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "p.png")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER, photo, caption="c" * 1025)


@pytest.mark.asyncio
async def test_forbidden_and_unknown_chats(emu, bot):
    emu.send_text(USER, "hi")
    emu.block_bot(USER)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "are you there?")
    emu.unblock_bot(USER)
    await bot.send_message(USER, "welcome back")
    kinds = [u.event_type for u in await bot.get_updates(timeout=0)]
    assert kinds == ["message", "my_chat_member", "my_chat_member"]

    emu.add_user(2002, "Silent")
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(2002, "hello")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hello")


@pytest.mark.asyncio
async def test_injected_errors(emu, bot):
    emu.send_text(USER, "hi")
    emu.inject_error("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(USER, "x")
    assert info.value.retry_after == 7
    await bot.send_message(USER, "x")  # count=1: consumed

    emu.inject_error("sendMessage", 400, "Bad Request: chat not found", chat_id=555, count=2)
    await bot.send_message(USER, "other chat unaffected")
    assert len(emu.bot_messages(USER)) == 2


@pytest.mark.asyncio
async def test_rate_limit_per_chat():
    emulator = BotAPIEmulator(rate_limits_enabled=True, per_chat_rate=1.0)
    await emulator.start()
    client = make_bot(emulator)
    try:
        emulator.send_text(USER, "hi")
        await client.send_message(USER, "1")
        with pytest.raises(TelegramRetryAfter) as info:
            await client.send_message(USER, "2")
        assert info.value.retry_after == 1
        assert "Too Many Requests: retry after 1" in info.value.message
        with pytest.raises(TelegramRetryAfter):
            await client.send_message(USER, "3")
        await client.send_chat_action(USER, "typing")  # not a message: not limited
        assert len(emulator.bot_messages(USER)) == 1
    finally:
        await close_bot(client)
        await emulator.stop()


@pytest.mark.asyncio
async def test_photo_upload_get_file_download_and_reuse(emu, bot):
    emu.send_text(USER, "hi")
    payload = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x00\x80" + b"rest-of-png" * 10
    sent = await bot.send_photo(USER, BufferedInputFile(payload, "map.png"), caption="<b>Map</b>", parse_mode="HTML")
    size = sent.photo[-1]
    assert (size.width, size.height, size.file_size) == (256, 128, len(payload))
    assert sent.caption == "Map" and sent.caption_entities[0].type == "bold"
    file = await bot.get_file(size.file_id)
    assert file.file_path.startswith("photos/")
    buffer = io.BytesIO()
    await bot.download_file(file.file_path, buffer)
    assert buffer.getvalue() == payload
    again = await bot.send_photo(USER, size.file_id)
    assert again.photo[-1].file_id == size.file_id
    doc = await bot.send_document(USER, BufferedInputFile(b"a,b\n1,2\n", "report.csv"))
    assert doc.document.file_name == "report.csv" and doc.document.mime_type == "text/csv"
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(USER, "no-such-file-id")
    assert [r[0] for r in emu.requests].count("sendPhoto") == 3


@pytest.mark.asyncio
async def test_user_photo_and_voice_files_download(emu, bot):
    update = emu.send_photo(USER, caption="pothole on Chui ave")
    emu.send_voice(USER, duration=4, data=b"OggS-voice-bytes")
    updates = await bot.get_updates(timeout=0)
    message = updates[0].message
    assert message.caption == "pothole on Chui ave" and message.photo[-1].width == 320
    assert update["message"]["photo"][-1]["file_id"] == message.photo[-1].file_id
    buffer = io.BytesIO()
    await bot.download(message.photo[-1].file_id, destination=buffer)
    assert buffer.getvalue().startswith(b"\x89PNG")
    voice = updates[1].message.voice
    assert voice.duration == 4
    buffer = io.BytesIO()
    await bot.download(voice, destination=buffer)
    assert buffer.getvalue() == b"OggS-voice-bytes"


@pytest.mark.asyncio
async def test_concurrent_get_updates_conflict(emu, bot):
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 2)
    emu.send_text(USER, "after conflict")
    updates = await asyncio.wait_for(second, 2)
    assert updates[0].message.text == "after conflict"


@pytest.mark.asyncio
async def test_http_control_api(emu, bot):
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emu.base_url}/_emulator/send_text", json={"user_id": USER, "text": "via http"}) as r:
            body = await r.json()
        assert r.status == 200 and body["ok"] and body["result"]["message"]["text"] == "via http"
        updates = await bot.get_updates(timeout=0)
        assert updates[0].message.text == "via http"
        sent = await bot.send_message(USER, "pick", reply_markup=keyboard(("A", "a")))
        async with http.post(
            f"{emu.base_url}/_emulator/press_button",
            json={"user_id": USER, "message_id": sent.message_id, "button_text": "A"},
        ) as r:
            assert (await r.json())["result"]["callback_query"]["data"] == "a"
        async with http.post(f"{emu.base_url}/_emulator/block_bot", json={"user_id": USER}) as r:
            assert r.status == 200
        async with http.post(
            f"{emu.base_url}/_emulator/inject_error",
            json={"method": "getMe", "error_code": 500, "description": "Internal Server Error"},
        ) as r:
            assert r.status == 200
        async with http.get(f"{emu.base_url}/_emulator/messages", params={"chat_id": str(USER)}) as r:
            texts = [m["text"] for m in (await r.json())["result"]]
        assert texts == ["via http", "pick"]
        async with http.post(f"{emu.base_url}/_emulator/press_button", json={"user_id": USER, "message_id": 99}) as r:
            assert r.status == 404
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(USER, "blocked")


@pytest.mark.asyncio
async def test_dispatcher_polling_end_to_end(emu):
    client = make_bot(emu)
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("hi")

    polling = asyncio.create_task(dp.start_polling(client, handle_signals=False, polling_timeout=1, close_bot_session=False))
    try:
        update = emu.send_text(USER, "/start")
        reply = await emu.wait_for_bot_message(USER, after=update["message"]["message_id"], timeout=5)
        assert reply["text"] == "hi" and reply["from"]["id"] == emu.bot_user["id"]
        await emu.wait_idle(timeout=5)
        assert emu.updates_pending() <= 1  # the last batch is confirmed by the next poll
        with pytest.raises(TimeoutError, match="#2 bot: 'hi'"):
            await emu.wait_for_bot_message(USER, after=2, timeout=0.2)
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)
        await close_bot(client)


@pytest.mark.asyncio
async def test_group_chat_media_group_copy_forward_and_commands(emu, bot):
    from aiogram.types import BotCommand, InputMediaPhoto, ReplyKeyboardMarkup, KeyboardButton, ReplyParameters

    GROUP = -100777
    update = emu.send_text(USER, "/report@jamaat_test_bot pothole", chat_id=GROUP, chat_type="supergroup")
    assert update["message"]["chat"] == {"id": GROUP, "type": "supergroup", "title": "Test group"}
    assert update["message"]["entities"][0]["length"] == len("/report@jamaat_test_bot")
    emu.send_text(USER, "hi")

    album = await bot.send_media_group(
        GROUP,
        [
            InputMediaPhoto(media=BufferedInputFile(b"one", "1.jpg"), caption="<b>1</b>", parse_mode="HTML"),
            InputMediaPhoto(media=BufferedInputFile(b"two", "2.jpg")),
        ],
        reply_parameters=ReplyParameters(message_id=1),
    )
    assert len({m.media_group_id for m in album}) == 1 and album[0].caption == "1"
    assert album[0].reply_to_message.text.startswith("/report")
    copied = await bot.copy_message(USER, from_chat_id=GROUP, message_id=1)
    assert emu.messages(USER)[-1]["message_id"] == copied.message_id
    forwarded = await bot.forward_message(USER, from_chat_id=GROUP, message_id=1)
    assert forwarded.forward_origin.sender_user.id == USER
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(USER, from_chat_id=GROUP, message_id=99)

    await bot.send_message(
        USER,
        "Share your number",
        reply_markup=ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Phone", request_contact=True)]]),
    )
    assert emu.reply_keyboard(USER)["keyboard"][0][0]["request_contact"] is True
    contact = emu.send_contact(USER, "+996555000111", contact_user_id=USER)
    assert contact["message"]["contact"]["user_id"] == USER

    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start", description="Start")])
    assert (await bot.get_chat(GROUP)).title == "Test group"
