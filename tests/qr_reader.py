"""Reads back the text of a QR code PNG the bot sent, as a phone's scanner would, so a story
can check what a wallet gets. No QR decoder installs offline here, so this is a small one for
clean, upright images (what the bot makes): it reads the pixels, finds the module grid from the
finder pattern, and decodes the format, the codewords and the segments (ISO/IEC 18004). Error
correction is not needed (the image is exact) and not done; only the standard's tables (block
sizes, alignment positions) come from segno.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from typing import Any

from segno import consts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FORMAT_MASK = 0x5412
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

_MASKS: dict[int, Callable[[int, int], bool]] = {
    0: lambda x, y: (x + y) % 2 == 0,
    1: lambda x, y: y % 2 == 0,
    2: lambda x, y: x % 3 == 0,
    3: lambda x, y: (x + y) % 3 == 0,
    4: lambda x, y: (x // 3 + y // 2) % 2 == 0,
    5: lambda x, y: x * y % 2 + x * y % 3 == 0,
    6: lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    7: lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
}


def read_qr(png: bytes) -> str:
    """The text held by the QR code in `png`."""
    dark = _modules(_pixels(png))
    size = len(dark)
    version = (size - 17) // 4
    assert 1 <= version <= 40 and size == 17 + 4 * version, f"not a QR grid: {size}"
    ecl, mask = _format(dark)
    reserved = _function_modules(version, size)
    bits = _data_bits(dark, reserved, _MASKS[mask])
    codewords = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits) - 7, 8)]
    return _segments(_data_codewords(codewords, version, ecl), version)


def _pixels(png: bytes) -> list[list[bool]]:
    """Dark (True) or light per pixel: 1- or 8-bit greyscale, as segno writes it."""
    assert png.startswith(PNG_SIGNATURE)
    pos, idat, header = 8, b"", b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert colour == 0 and depth in (1, 8), f"greyscale expected, got {colour}/{depth}"
    stride = (width * depth + 7) // 8
    raw = zlib.decompress(idat)
    rows: list[bytes] = []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        row = _unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous)
        rows.append(row)
        previous = row
    if depth == 8:
        return [[value < 128 for value in row[:width]] for row in rows]
    return [[not (row[x // 8] >> (7 - x % 8)) & 1 for x in range(width)] for row in rows]


def _unfilter(kind: int, row: bytearray, previous: bytes) -> bytes:
    for i in range(len(row)):
        left = row[i - 1] if i else 0
        up = previous[i]
        corner = previous[i - 1] if i else 0
        if kind == 1:
            row[i] = (row[i] + left) & 0xFF
        elif kind == 2:
            row[i] = (row[i] + up) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            guess = left + up - corner
            near = [(abs(guess - value), n, value) for n, value in enumerate((left, up, corner))]
            nearest = min(near)[2]
            row[i] = (row[i] + nearest) & 0xFF
    return bytes(row)


def _modules(pixels: list[list[bool]]) -> list[list[bool]]:
    """The module grid, from the top-left finder pattern (7 modules wide) and the quiet zone."""
    top = next(y for y, row in enumerate(pixels) if any(row))
    left = pixels[top].index(True)
    run = 0
    while pixels[top][left + run]:
        run += 1
    scale = run // 7
    size = (len(pixels[0]) - 2 * left) // scale
    half = scale // 2
    return [
        [pixels[top + r * scale + half][left + c * scale + half] for c in range(size)]
        for r in range(size)
    ]


def _format(dark: list[list[bool]]) -> tuple[int, int]:
    """(error level as segno numbers it, mask) from the copy around the top-left finder."""
    places = [(i, 8) for i in range(6)] + [(7, 8), (8, 8), (8, 7)]
    places += [(8, 14 - i) for i in range(9, 15)]
    bits = sum(dark[row][col] << i for i, (row, col) in enumerate(places)) ^ _FORMAT_MASK
    data = bits >> 10
    assert _bch_format(data) == bits, "format information does not check"
    return data >> 3, data & 7


def _bch_format(data: int) -> int:
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return data << 10 | (rem & 0x3FF)


def _function_modules(version: int, size: int) -> list[list[bool]]:
    taken = [[False] * size for _ in range(size)]

    def block(row: int, col: int, height: int, width: int) -> None:
        for r in range(max(row, 0), min(row + height, size)):
            for c in range(max(col, 0), min(col + width, size)):
                taken[r][c] = True

    block(0, 0, 9, 9)  # finder, separator, format
    block(0, size - 8, 9, 8)
    block(size - 8, 0, 8, 9)
    block(6, 0, 1, size)  # timing
    block(0, 6, size, 1)
    centres: tuple[int, ...] = consts.ALIGNMENT_POS[version - 2] if version > 1 else ()
    # The three centres that would overlap the finders get no pattern.
    corners = {(a, b) for a in centres[:1] + centres[-1:] for b in centres[:1]}
    corners |= {(a, b) for a in centres[:1] for b in centres[-1:]}
    for row in centres:
        for col in centres:
            if (row, col) not in corners:
                block(row - 2, col - 2, 5, 5)
    if version >= 7:
        block(0, size - 11, 6, 3)
        block(size - 11, 0, 3, 6)
    return taken


def _data_bits(
    dark: list[list[bool]], taken: list[list[bool]], mask: Callable[[int, int], bool]
) -> list[int]:
    size = len(dark)
    bits: list[int] = []
    col, upward = size - 1, True
    while col > 0:
        if col == 6:
            col -= 1
        rows = range(size - 1, -1, -1) if upward else range(size)
        for row in rows:
            for c in (col, col - 1):
                if not taken[row][c]:
                    bits.append(int(dark[row][c] ^ mask(c, row)))
        upward = not upward
        col -= 2
    return bits


def _data_codewords(codewords: list[int], version: int, ecl: int) -> list[int]:
    """The data codewords, the blocks de-interleaved (the error correction ones follow)."""
    groups: tuple[Any, ...] = consts.ECC[version][ecl]  # type: ignore[index]
    sizes = [group.num_data for group in groups for _ in range(group.num_blocks)]
    blocks: list[list[int]] = [[] for _ in sizes]
    stream = iter(codewords)
    for i in range(max(sizes)):
        for block, length in zip(blocks, sizes, strict=True):
            if i < length:
                block.append(next(stream))
    return [value for block in blocks for value in block]


def _segments(data: list[int], version: int) -> str:
    bits = "".join(f"{value:08b}" for value in data)
    pos = 0

    def take(count: int) -> int:
        nonlocal pos
        value = int(bits[pos : pos + count], 2)
        pos += count
        return value

    size_class = 0 if version <= 9 else 1 if version <= 26 else 2
    out = bytearray()
    while pos + 4 <= len(bits):
        mode = take(4)
        if mode == 0:
            break
        if mode == 0b0111:  # ECI: only its designator is skipped
            take(8)
        elif mode == 0b0100:
            count = take((8, 16, 16)[size_class])
            out += bytes(take(8) for _ in range(count))
        elif mode == 0b0010:
            count = take((9, 11, 13)[size_class])
            for _ in range(count // 2):
                pair = take(11)
                out += (_ALNUM[pair // 45] + _ALNUM[pair % 45]).encode()
            if count % 2:
                out += _ALNUM[take(6)].encode()
        elif mode == 0b0001:
            count = take((10, 12, 14)[size_class])
            digits = ""
            while len(digits) + 3 <= count:
                digits += f"{take(10):03d}"
            rest = count - len(digits)
            if rest:
                digits += f"{take(4 if rest == 1 else 7):0{rest}d}"
            out += digits.encode()
        else:
            raise AssertionError(f"unsupported QR mode {mode:04b}")
    return out.decode("utf-8")
