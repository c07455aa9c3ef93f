"""Uploaded files: multipart parts, ``attach://`` references, file_ids and image sniffing."""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass

from tests.fake_telegram import errors
from tests.fake_telegram.errors import JsonDict
from tests.fake_telegram.state import BotState

_counter = itertools.count(1)
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


def _looks_like_image(data: bytes) -> bool:
    """Telegram decodes photos and answers IMAGE_PROCESS_FAILED for bytes that are no image."""
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return True
    return data.startswith(_IMAGE_MAGIC)


def _png_size(data: bytes) -> tuple[int, int]:
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 512, 512


def _store(bot: BotState, upload: Upload, folder: str) -> tuple[str, str]:
    number = next(_counter)
    file_id = f"fake-{folder}-{number}"
    unique_id = f"u{number}"
    path = f"{folder}/file_{number}_{upload.filename}"
    bot.file_contents[file_id] = upload.data
    bot.files[file_id] = {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "file_size": len(upload.data),
        "file_path": path,
    }
    return file_id, unique_id


def _existing(bot: BotState, value: str) -> JsonDict | None:
    if value.startswith(("http://", "https://")):
        return {"file_id": value, "file_unique_id": f"url{abs(hash(value)) % 10**8}"}
    return bot.files.get(value)


def photo_sizes(bot: BotState, source: Upload | str | None) -> list[JsonDict]:
    """``photo`` as a list of PhotoSize, from an upload, a known file_id or an HTTP URL."""
    if source is None:
        raise errors.bad_request("Bad Request: there is no photo in the request")
    if isinstance(source, str):
        known = _existing(bot, source)
        if known is None:
            raise errors.bad_request(errors.WRONG_FILE_ID)
        return [{**_public(known), "width": 512, "height": 512}]
    if not source.data:
        raise errors.bad_request(errors.FILE_EMPTY)
    if not _looks_like_image(source.data):
        raise errors.bad_request(errors.IMAGE_PROCESS_FAILED)
    file_id, unique_id = _store(bot, source, "photos")
    width, height = _png_size(source.data)
    return [
        {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_size": len(source.data),
            "width": width,
            "height": height,
        }
    ]


def document(bot: BotState, source: Upload | str | None) -> JsonDict:
    if source is None:
        raise errors.bad_request("Bad Request: there is no document in the request")
    if isinstance(source, str):
        known = _existing(bot, source)
        if known is None:
            raise errors.bad_request(errors.WRONG_FILE_ID)
        return _public(known)
    if not source.data:
        raise errors.bad_request(errors.FILE_EMPTY)
    file_id, unique_id = _store(bot, source, "documents")
    return {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "file_name": source.filename,
        "mime_type": source.content_type,
        "file_size": len(source.data),
    }


def _public(info: JsonDict) -> JsonDict:
    return {key: value for key, value in info.items() if key != "file_path"}
