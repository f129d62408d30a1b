"""One rule for text: characters XML cannot hold are refused coming in, dropped going out.

Word pastes some of them (Shift+Enter is U+000B, a vertical tab). XML 1.0 cannot hold
them even escaped, so one in a name broke map.svg, map.png, the board pack and the
graph exports. The models (so the admin and every model form) and the importer refuse
them; everything that writes XML drops them, so rows stored before this rule cannot
break a download. Tab, newline and carriage return stay allowed. NUL, which PostgreSQL
cannot hold at all, is also refused in any address or form (http.refuse_null_characters).
"""

import re

from django.core.exceptions import ValidationError

# C0 controls but tab, newline and carriage return; lone surrogates; U+FFFE and U+FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_WHAT = {
    0x00: "a null character",
    0x0B: "a line break of the kind Word makes with Shift+Enter",
    0x0C: "a page break",
    0x1B: "an escape character",
}


def text_problem(value: str, *, subject: str = "This text") -> str | None:
    """Why `value` cannot be stored, naming its first character that is not allowed."""
    match = NOT_XML.search(value)
    if match is None:
        return None
    code = ord(match[0])
    what = _WHAT.get(code, "a control character")
    return (
        f"{subject} contains {what} (U+{code:04X}), which cannot be saved. "
        "Retype the text, or paste it as plain text."
    )


def validate_text(value: object) -> None:
    """A validator: ValidationError when a text holds a character XML cannot."""
    if isinstance(value, str) and (problem := text_problem(value)) is not None:
        raise ValidationError(problem, code="control_character")


def strip_refused(value: str) -> str:
    """The text without the characters XML 1.0 cannot hold (old rows may have them)."""
    return NOT_XML.sub("", value)
