"""WCAG 2.x relative luminance and contrast ratio, for checking colours a page drew."""

from __future__ import annotations

import re


def parse_rgb(css: str) -> tuple[int, int, int]:
    """``rgb(1, 2, 3)`` or ``rgb(1 2 3)`` as computed styles give it."""
    numbers = [int(float(n)) for n in re.findall(r"[\d.]+", css)[:3]]
    return numbers[0], numbers[1], numbers[2]


def luminance(rgb: tuple[int, int, int]) -> float:
    """https://www.w3.org/TR/WCAG21/#dfn-relative-luminance"""

    def linear(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio"""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def is_shade_of(colour: tuple[int, int, int], sent: tuple[int, int, int]) -> bool:
    """``colour`` is ``sent`` mixed with black or with white (static/streams/colours.js
    darkens or lightens a kit that way, so that its hue stays), give or take rounding."""
    for towards in (0, 255):
        spans = [towards - s for s in sent]
        widest = max(range(3), key=lambda i: abs(spans[i]))
        if spans[widest] == 0:
            continue
        t = (colour[widest] - sent[widest]) / spans[widest]
        mixed = [s + span * t for s, span in zip(sent, spans, strict=True)]
        if 0 <= t <= 1 and all(abs(m - c) <= 1 for m, c in zip(mixed, colour, strict=True)):
            return True
    return colour == sent
