"""What an import error says about characters a spreadsheet does not show."""

from stakeholders.imports.invisible import invisible_hint

KNOWN = {"Acme Trust", "P1"}.__contains__


def test_a_name_of_visible_characters_gets_no_hint():
    assert invisible_hint("Acme Trusts", KNOWN) == ""
    assert invisible_hint("Acme Trust", KNOWN) == ""


def test_a_no_break_space_is_named_with_where_it_is_and_what_it_would_match():
    assert invisible_hint("Acme\u00a0Trust", KNOWN) == (
        " It contains a no-break space (U+00A0) after 'Acme' (character 5): it looks like a "
        "space. With a normal space there, it would match 'Acme Trust'."
    )


def test_a_name_that_would_match_nothing_without_them_says_only_what_they_are():
    assert invisible_hint("Acme\u200bTrust", KNOWN) == (
        " It contains a zero-width space (U+200B) after 'Acme' (character 5): it cannot be seen."
    )


def test_spaces_and_zero_width_characters_together():
    assert invisible_hint("Acme\u2007Trust\u200d", KNOWN) == (
        " It contains a figure space (U+2007) after 'Acme' (character 5) and a zero-width "
        "joiner (U+200D) after 'Acme\u2007Trust' (character 11): they look like spaces or "
        "nothing. With normal spaces for the spaces and without the others, it would match "
        "'Acme Trust'."
    )


def test_a_long_name_is_quoted_by_its_end_and_many_characters_are_counted():
    name = "North Fenwick Integrated Care Board" + "\u2060" * 5
    assert invisible_hint(name, KNOWN) == (
        " It contains a word joiner (U+2060) after '… Fenwick Integrated Care Board' "
        "(character 36), "
        "a word joiner (U+2060) after '…Fenwick Integrated Care Board\u2060' (character 37), "
        "a word joiner (U+2060) after '…enwick Integrated Care Board\u2060\u2060' (character 38) "
        "and 2 more: they cannot be seen."
    )


def test_a_character_without_a_friendly_name_is_named_by_unicode():
    assert invisible_hint("\u2066P1", KNOWN) == (
        " It contains a left-to-right isolate (U+2066) at the start: it cannot be seen. "
        "Without it, it would match 'P1'."
    )
