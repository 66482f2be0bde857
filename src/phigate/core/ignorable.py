"""Characters drawn as nothing wherever they stand: Unicode's Default_Ignorable_Code_Point.

Reviewer surfaces escape them and subjects refuse them: a variation selector or a
combining grapheme joiner after `dana` is a second, invisible spelling of her name.
Their general categories differ (format, nonspacing mark, letter), so a test by
category alone misses some; this is the property itself.
"""

from __future__ import annotations

# DerivedCoreProperties.txt, Default_Ignorable_Code_Point: variation selectors, the
# combining grapheme joiner, Hangul fillers, Khmer inherent vowels, tag characters.
_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)  # fmt: skip


def is_ignorable(char: str) -> bool:
    """Whether `char` is a default-ignorable code point (drawn as nothing)."""
    code = ord(char)
    return any(low <= code <= high for low, high in _IGNORABLE)
