"""Keep a name's writing direction to itself where markup cannot (<title>, SVG text).

A name may hold right-to-left text or a stray override character (U+202E); without
isolation it reverses the text that follows it. In HTML body text <bdi> does this;
in a page title, an SVG label or an aria-label only Unicode isolates can.
"""

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def isolate(text: str) -> str:
    """The text wrapped in FSI ... PDI (empty text stays empty)."""
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}" if text else text
