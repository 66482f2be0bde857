"""The one escaping rule of reviewer surfaces, character by character (the surfaces
themselves are tested through their front doors: tests/console, tests/channels,
tests/test_reviewer_view.py)."""

from __future__ import annotations

import unicodedata

import pytest

from phigate.reviewing._reveal import reveal
from phigate.reviewing._sent import exec_sent
from phigate.reviewing._sql import pretty, reveal_sql, unbounded_writes


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\u02bc", "\\u02bc"),  # modifier letter apostrophe
        ("\u2019", "\\u2019"),  # right single quotation mark
        ("\uff07", "\\uff07"),  # fullwidth apostrophe
        ("\uff1b", "\\uff1b"),  # fullwidth semicolon
        ("\u037e", "\\u037e"),  # Greek question mark, drawn as a semicolon
        ("\ufe54", "\\ufe54"),  # small semicolon
        ("\u2212", "\\u2212"),  # minus sign: two make a comment that is not one
        ("\u202e", "\\u202e"),  # right-to-left override
        ("\u2066", "\\u2066"),  # left-to-right isolate
        ("\u200b", "\\u200b"),  # zero width space
        ("\u00ad", "\\u00ad"),  # soft hyphen
        ("\ufeff", "\\ufeff"),  # byte order mark
        ("\u2028", "\\u2028"),  # line separator
        ("\u00a0", "\\u00a0"),  # no-break space
        ("\u3164", "\\u3164"),  # Hangul filler: a letter that draws nothing
        ("\x1b", "\\u001b"),  # escape: terminal control sequences
        ("\r", "\\r"),
        ("\t", "\\t"),
        ("\n", "\\n"),
        ("\U000e0041", "\\U000e0041"),  # tag character
    ],
)
def test_hidden_and_look_alike_characters_are_escaped(char: str, shown: str) -> None:
    result = reveal(f"a{char}b")
    assert result.text == f"a{shown}b"
    assert len(result.hidden) == 1
    assert [part for part, escape in result.segments if escape] == [shown]


@pytest.mark.parametrize(
    "text", ["résumé", "日本語のメモ", "नमस्ते", "Ωmega", "plain 'quote'; done", "a - b", "e\u0301"]
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    result = reveal(text)
    assert result.text == text and result.hidden == []


def test_a_combining_mark_on_ascii_is_escaped() -> None:
    assert reveal("'\u0338'").text == "'\\u0338'"


def test_runs_of_spaces_are_counted_not_scrolled() -> None:
    result = reveal("a" + " " * 220 + "b   c")
    assert result.text == "a⟨220 spaces⟩b   c" and result.space_runs == [220]


def test_layout_breaks_stay_and_breaks_inside_literals_are_escaped() -> None:
    text, ok = pretty("UPDATE t SET a = 'x\ny', \"we\nird\" = 1 WHERE id = 2")
    assert ok
    assert reveal_sql(text).text == "UPDATE t\nSET a = 'x\\ny'\n  , \"we\\nird\" = 1\nWHERE id = 2"


def test_escapes_spelled_in_the_text_are_decoded_then_escaped() -> None:
    """E'\\u202e' is ASCII as sent, but the server reads U+202E: the re-print shows it."""
    text, _ = pretty("UPDATE t SET a = E'\\u202e' WHERE id = 1")
    assert "'\\u202e'" in reveal_sql(text).text and len(reveal_sql(text).hidden) == 1


def test_unscannable_text_escapes_every_break() -> None:
    assert reveal_sql("SELECT 'open\nstill open").text == "SELECT 'open\\nstill open"


def test_a_comment_hides_nothing_either() -> None:
    shown = reveal_sql("SELECT 1 /* \u202e" + " " * 40 + "*/")
    assert shown.text == "SELECT 1 /* \\u202e⟨40 spaces⟩*/"


@pytest.mark.parametrize(
    ("sql", "found"),
    [
        ("UPDATE claims SET status = 'x'", ["UPDATE of claims has no WHERE"]),
        ("DELETE FROM claims", ["DELETE from claims has no WHERE"]),
        ("WITH d AS (DELETE FROM notes RETURNING id) SELECT * FROM d", ["DELETE from notes"]),
        ("UPDATE claims SET status = 'x' WHERE id = 1", []),
        ("SELECT 1; DELETE FROM claims WHERE id = 1", []),
        ("not sql at all", []),
        ('DELETE FROM "a\x1b[2K\u202eb\nc"', ["DELETE from a\\u001b[2K\\u202eb\\nc has"]),
        ('COPY "t\x1b" FROM STDIN', ["COPY into t\\u001b loads"]),
    ],
)
def test_updates_and_deletes_without_where_are_called_out(sql: str, found: list[str]) -> None:
    warnings = unbounded_writes(sql)
    assert len(warnings) == len(found)
    assert all(f in w for f, w in zip(found, warnings, strict=True))


def test_exec_arguments_keep_their_boundaries() -> None:
    shown = exec_sent({"argv": ["tool", "a b", "c\nd", "it's"], "stdin": "x\ny\n"})
    assert shown.text == "tool 'a b' 'c\\nd' 'it'\"'\"'s'\n--- stdin ---\nx\ny\n"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("WHERE status <> 'p\u0430id'", "WHERE status <> 'p\\u0430id'"),  # Cyrillic а
        ('"st\u0430tus"', '"st\\u0430tus"'),  # in a quoted identifier
        ("ap\u03bfroved", "ap\\u03bfroved"),  # Greek omicron
        ("app!=p\u0430yments", "app!=p\\u0430yments"),  # an argument, not SQL
        ("\u13aaPPROVED", "\\u13aaPPROVED"),  # Cherokee A
        ("\u041c\u043e\u0441\u043a\u0432\u0430a", "\u041c\u043e\u0441\u043a\u0432\u0430\\u0061"),
        ("'\u0440\u0430\u0443'", "'\\u0440\\u0430\\u0443'"),  # Cyrillic рау reads as pay
    ],
)
def test_a_letter_passing_for_one_of_another_script_is_escaped(text: str, shown: str) -> None:
    result = reveal(text)
    assert result.text == shown
    assert len(result.hidden) == shown.count("\\u") and result.hidden
    assert all("look-alike" in reason for reason in result.hidden), result.hidden


@pytest.mark.parametrize(
    ("text", "scripts"),
    [
        (
            "'\u0418\u0432\u0430\u043d\u043e\u0432 \u0421\u0435\u0440\u0433\u0435\u0439'",
            {"CYRILLIC"},
        ),
        ("\u03a9mega", {"GREEK", "LATIN"}),  # Ω passes for no Latin letter
        ("\u03ba\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1", {"GREEK"}),
        ("plain", {"LATIN"}),
    ],
)
def test_a_word_of_its_own_script_stays_readable(text: str, scripts: set[str]) -> None:
    result = reveal(text)
    assert result.text == text and result.hidden == []
    assert result.scripts == scripts


def test_the_scripts_of_a_statement_gather_across_its_pieces() -> None:
    shown = reveal_sql("SELECT 1 FROM patients WHERE name = '\u0418\u0432\u0430\u043d\u043e\u0432'")
    assert shown.hidden == [] and shown.scripts == {"LATIN", "CYRILLIC"}


def test_a_word_drawn_as_ascii_letters_is_escaped_in_real_text_too() -> None:
    """Round 19a, finding 5: a word wholly drawn as ASCII letters is escaped whatever
    text is around it, so `раіԁ (оплачено)` is not shown as `paid`; the cost is that
    Russian `с` ("with") is shown as `\\u0441` beside `болью`. A word that reads as
    Latin only through small capitals (`болью`, `крови`) stays readable in real text."""
    note = "\u0441 \u0431\u043e\u043b\u044c\u044e"
    assert reveal(note).text == "\\u0441 \u0431\u043e\u043b\u044c\u044e"
    assert reveal("\u0441").text == "\\u0441"
    russian = "\u0430\u043d\u0430\u043b\u0438\u0437\u044b \u043a\u0440\u043e\u0432\u0438"
    assert reveal(russian).hidden == []  # анализы крови: крови reads ĸᴘовᴎ at most
    paid = "\u0440\u0430\u0456\u0501 (\u043e\u043f\u043b\u0430\u0447\u0435\u043d\u043e)"
    assert reveal(paid).text.startswith("\\u0440\\u0430\\u0456\\u0501 (")


@pytest.mark.parametrize(
    ("word", "shown"),
    [
        # Round 19a, finding 3: a mixed word read wholly in one of its scripts (Latin
        # first, drawn as ASCII) has every letter of its other scripts escaped.
        (
            "\u0430\u0441\u0441\u0435\u0440t\u0435\u0501",
            "\\u0430\\u0441\\u0441\\u0435\\u0440t\\u0435\\u0501",
        ),
        ("\u03c1\u03b1\u03b9d", "\\u03c1\\u03b1\\u03b9d"),
        # Round 19a, finding 4: a Japanese word read in fewer or other scripts.
        ("\u5915\u30ca\u529b", "\\u5915\u30ca\\u529b"),  # 夕ナ力 reads タナカ
        ("\u5343\u5f50", "\\u5343\\u5f50"),  # 千彐 reads チヨ (the Han/katakana table)
        ("\u5915\u306a\u529b", "\\u5915\u306a\\u529b"),  # 夕な力 reads タなカ
    ],
)
def test_a_word_read_wholly_in_one_of_its_scripts_escapes_the_others(word: str, shown: str) -> None:
    assert reveal(word).text == shown


@pytest.mark.parametrize(
    "text",
    [
        "\u7530\u4e2d\u30a2\u30ad",
        "\u5c71\u7530\u305f\u308d\u3046",
        "\u529b\u4e5f",
        "\u30c8\u30cb\u30fc",
    ],
)
def test_japanese_words_the_subject_rule_keeps_stay_readable(text: str) -> None:
    """田中アキ, 山田たろう, 力也, トニー: no reading in fewer or other scripts."""
    assert reveal(text).hidden == []


# Russian clinical notes (written for this test) to measure what always escaping words
# drawn as ASCII letters costs readers of real Russian text (docs/security.md).
RUSSIAN_NOTES = (
    "Пациент поступил с болью в груди и одышкой. Назначено обследование у кардиолога. "
    "Анализы крови в норме, давление повышено. Рекомендовано снизить потребление соли "
    "и сахара. Пациентка жалуется на боль в правом ухе, температура тридцать восемь. "
    "Выписан рецепт на антибиотик. Оплата получена, счёт закрыт. Страховая компания "
    "отказала в покрытии, пациент оплатит сам. Повторный приём через две недели. "
    "Сообщить врачу о любых изменениях в состоянии. Иванов Сергей Петрович, год "
    "рождения тысяча девятьсот восемьдесят пятый, адрес: Москва, улица Ленина, дом семь. "
    "Ребёнок о котором говорила мать, у бабушки. Сахар в крови выше нормы, рак исключён. "
    "Она ехала к ней. Ехать сюда, а не туда. Это всё рус."
)


def test_real_russian_text_loses_only_its_words_drawn_as_ascii_letters() -> None:
    """10 of the 103 words are escaped: one-letter words and `сахар`, `ухе`, `рус`."""
    shown = reveal(RUSSIAN_NOTES)
    words = RUSSIAN_NOTES.translate(str.maketrans(".,:", "   ")).split()
    kept = shown.text.translate(str.maketrans(".,:", "   ")).split()
    escaped = [word for word, seen in zip(words, kept, strict=True) if word != seen]
    assert len(words) == 103
    assert escaped == ["с", "у", "сахара", "ухе", "о", "о", "у", "Сахар", "а", "рус"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # Round 20a, finding 3: drawn as ASCII within their own script.
        ("\u217eenie\u217e", "\\u217eenie\\u217e"),  # ⅾ: NFKC folds it to d
        ("O\u212a", "O\\u212a"),  # Kelvin sign
        ("p\U0001d68aid", "p\\U0001d68aid"),  # mathematical monospace a
        ("\U0001d7f7\U0001d7f8", "\\U0001d7f7\\U0001d7f8"),  # monospace digits
        ("\uff44\uff41\uff4e\uff41", "\\uff44\\uff41\\uff4e\\uff41"),  # fullwidth dana
        ("p\u0251id", "p\\u0251id"),  # Latin alpha, by the confusables data
        ("\u0261ood", "\\u0261ood"),  # script g
        ("pai\u0307d", "pai\\u0307d"),  # a dot NFC puts on no letter, drawn into the i's
        # Round 20a, finding 6: a stroke drawn as the long-vowel mark beside kana.
        ("\u30ed\u2015\u30c9", "\u30ed\\u2015\u30c9"),
        ("\u30ed\u2500\u30c9", "\u30ed\\u2500\u30c9"),
        ("\u30b5\u2014\u30d3\u30b9", "\u30b5\\u2014\u30d3\u30b9"),
        ("\u30b5\u2f00\u30d3\u30b9", "\u30b5\\u2f00\u30d3\u30b9"),  # NFKC folds it to 一
    ],
)
def test_a_character_drawn_as_another_of_its_own_script_is_escaped(text: str, shown: str) -> None:
    result = reveal(text)
    assert result.text == shown
    assert len(result.hidden) == shown.count("\\u") + shown.count("\\U")


@pytest.mark.parametrize(
    "text",
    [
        "\u30ed\u30fc\u30c9",  # ロード with its own long-vowel mark
        "word\u2014word",  # an em dash between Latin words is punctuation
        "Gr\u00f6\u00dfe, R\u00fcckfrage",
        "Gro\u0308\u00dfe",  # decomposed: NFC makes one letter of o and its marks
        "B\u1ec7nh nh\u00e2n nh\u1eadp vi\u1ec7n",
        "B\u0065\u0323\u0302nh",  # Vietnamese ệ decomposed, two marks stacked
    ],
)
def test_letters_their_own_normal_form_stay_readable(text: str) -> None:
    assert reveal(text).hidden == []


# Clinical sentences (written for this test) to measure what escaping characters that
# are not their own normal form costs readers of real text (docs/security.md).
REAL_TEXT = {
    "german": "Der Blutdruck ist erhöht. Größe: 1,82 m; Rückfrage — später.",
    "vietnamese": "Bệnh nhân nhập viện vì đau ngực và khó thở.",
    "japanese": "血圧は高め。ロードとサービス。次回は２週間後（月曜日）です！",
}


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_real_text_loses_only_its_compatibility_forms(form: str) -> None:
    """German and Vietnamese, composed or decomposed, keep every letter; Japanese loses
    its fullwidth digit and punctuation (`２`, `（`, `）`, `！`), which NFKC folds to ASCII."""
    shown = {name: reveal(unicodedata.normalize(form, text)) for name, text in REAL_TEXT.items()}
    assert shown["german"].hidden == [] and shown["vietnamese"].hidden == []
    escaped = [part for part, escape in shown["japanese"].segments if escape]
    assert escaped == ["\\uff12", "\\uff08", "\\uff09", "\\uff01"]
