"""Characters a spreadsheet does not show, named when a reference fails to match.

A name pasted from a web page or Word may hold a no-break space where a space should
be, or a zero-width space nobody typed: "Acme Trust" then fails to match an
organisation that looks exactly the same. The error names each such character and
where it is, and says when the name would match without them.
"""

import unicodedata
from collections.abc import Callable

# Friendlier than the Unicode names for the ones people meet.
_NAMES = {
    "\t": "tab",
    "\n": "line break",
    "\r": "carriage return",
    "\u00a0": "no-break space",
    "\u00ad": "soft hyphen",
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\u202f": "narrow no-break space",
    "\ufeff": "zero-width no-break space (byte-order mark)",
}
_SHOWN_BEFORE = 30  # characters of the text before one, quoted to say where it is
_LISTED = 3  # characters named one by one; any more are counted


def _is_space(character: str) -> bool:
    """Whitespace other than the plain space: it stands for a space."""
    return character != " " and character.isspace()


def _is_invisible(character: str) -> bool:
    """Whitespace other than the plain space, or a format character (zero-width and
    joiners, soft hyphen, direction marks): nothing or a mere space on screen."""
    return _is_space(character) or unicodedata.category(character) == "Cf"


def _described(character: str) -> str:
    name = _NAMES.get(character) or unicodedata.name(character, "invisible character").lower()
    article = "an" if name[0] in "aeiou" else "a"
    return f"{article} {name} (U+{ord(character):04X})"


def _where(value: str, index: int) -> str:
    if index == 0:
        return "at the start"
    before = value[:index]
    if len(before) > _SHOWN_BEFORE:
        before = "…" + before[-_SHOWN_BEFORE:]
    return f"after '{before}' (character {index + 1})"


def invisible_hint(value: str, matches: Callable[[str], bool]) -> str:
    """For a reference that matched nothing: each invisible character in it and where,
    and the name it would match with normal spaces for them (or without them), to add
    to the message; else nothing."""
    found = [(index, c) for index, c in enumerate(value) if _is_invisible(c)]
    if not found:
        return ""
    spaces = sum(_is_space(c) for _, c in found)
    others = len(found) - spaces
    listed = [f"{_described(c)} {_where(value, index)}" for index, c in found[:_LISTED]]
    if len(found) > _LISTED:
        listed.append(f"{len(found) - _LISTED} more")
    looks = _looks(one=len(found) == 1, spaces=spaces, others=others)
    hint = f" It contains {_listing(listed)}: {looks}."
    plain = "".join(" " if _is_space(c) else "" if _is_invisible(c) else c for c in value)
    if matches(plain):
        if not others:
            fix = "With a normal space there" if spaces == 1 else "With normal spaces there"
        elif not spaces:
            fix = "Without it" if others == 1 else "Without them"
        else:
            fix = "With normal spaces for the spaces and without the others"
        hint += f" {fix}, it would match '{plain}'."
    return hint


def _looks(*, one: bool, spaces: int, others: int) -> str:
    if not others:
        return "it looks like a space" if one else "they look like spaces"
    if not spaces:
        return "it cannot be seen" if one else "they cannot be seen"
    return "they look like spaces or nothing"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
