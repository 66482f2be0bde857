"""The one normal form of a subject (phigate.identity.subjects)."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from confusable_homoglyphs import confusables
from hypothesis import given, settings
from hypothesis import strategies as st

from phigate.identity.look_alikes import ANY_SCRIPT, HAN_KANA_LOOK_ALIKES, script_of
from phigate.identity.name_letters import ALLOWED_BLOCKS, Block, is_name_character
from phigate.identity.subjects import SubjectError, lookup_form, normal_subject, same_subject


@pytest.mark.parametrize(
    "spelling",
    ["dana", "Dana", "DANA", " dana ", "ｄａｎａ", "Ｄａｎａ", "dana\u00a0", "\u3000dana"],
)
def test_spellings_of_one_name_are_one_subject(spelling: str) -> None:
    assert normal_subject(spelling) == "dana"


@pytest.mark.parametrize(
    "text",
    [
        "dana\n",
        "da\u200bna",  # zero-width space
        "da\u200dna",  # zero-width joiner
        "dana\u202e",  # right-to-left override
        "da\u2066na",  # isolate
        "dana\u2028",  # line separator
        "da\x00na",
        "\tdana",
        "da\ue000na",  # private use
        "da\ufeffna",  # byte-order mark
        "",
        "   ",
        "x" * 201,
    ],
)
def test_subjects_that_cannot_name_anyone_are_refused(text: str) -> None:
    with pytest.raises(SubjectError) as caught:
        normal_subject(text)
    assert text.strip() == "" or text not in str(caught.value)  # never echoed
    assert lookup_form(text) == text  # looked up as given: matches no normal subject


@pytest.mark.parametrize(
    "text", ["Straße", "ﬁ", "ǅ", "İstanbul", "Ⅻ", "ＡＢＣ１２３@Example.ORG", "a  b\u2003c"]
)
def test_the_normal_form_is_idempotent(text: str) -> None:
    once = normal_subject(text)
    assert normal_subject(once) == once
    assert same_subject(text, once)


def test_same_subject() -> None:
    assert same_subject("Dana@Example.org", "dana@example.org")
    assert not same_subject("dana", None)
    assert not same_subject("dana", "dana2")


@pytest.mark.parametrize(
    "look_alike",
    [
        "d\u0430na",  # Cyrillic а among Latin letters
        "d\u03bfna",  # Greek omicron
        "\u0430pe",  # wholly Cyrillic, every letter a Latin look-alike
        "\u0440\u0430\u0443",  # р а у: reads as `pay`
        "dana@ex\u0430mple.org",
    ],
)
def test_look_alikes_of_a_name_are_refused(look_alike: str) -> None:
    """Round 3, finding 2: a look-alike is not a second person; it is no one."""
    with pytest.raises(SubjectError):
        normal_subject(look_alike)


@pytest.mark.parametrize(
    "name",
    ["дана", "ελένη", "山田たろう", "김철수", "张伟", "josé.garcía-1", "müller", "o\u0301scar"],
)
def test_names_in_one_writing_system_are_kept(name: str) -> None:
    assert normal_subject(name)


# Real names written wholly in one script, with letters that carry marks (NFD: a base
# letter and its marks), or mixing kanji and kana as Japanese does, where no letter
# swapped for its look-alike gives a reading in fewer scripts or wholly in another.
REAL_NAMES = [
    "\u041f\u0451\u0442\u0440",  # Пётр: ё is е + diaeresis, but п and т read as no Latin
    "\u0407\u0436\u0430\u043a",  # Їжак (Ukrainian): ж has no Latin look-alike
    "\u0401\u043b\u043a\u0430",  # Ёлка
    "\u042e\u043b\u0456\u044f",  # Юлія
    "\u0421\u0435\u0440\u0433\u0435\u0439",  # Сергей: й is no Latin letter with a breve
    "\u0413\u0440\u0438\u0433\u043e\u0440\u0456\u0439",  # Григорій
    "\u0393\u03b9\u03ce\u03c1\u03b3\u03bf\u03c2",  # Γιώργος
    "\u529b\u4e5f",  # 力也 (Rikiya): 也 has no kana look-alike, so 力 stays Han
    "\u7530\u4e2d\u30a2\u30ad",  # 田中アキ
    "\u7530\u4e2d\u30ab\u30ca",  # 田中カナ: カ reads as 力, but ナ keeps the kana
    "\u5c71\u7530\u305f\u308d\u3046",  # 山田たろう
    "\u9234\u6728\u3072\u308d\u3057",  # 鈴木ひろし
    "\u30c8\u30cb\u30fc",  # トニー: read as Han 卜二一 it is the kana name that is kept
    "\u30ac\u30c3\u30b3\u30a6",  # ガッコウ
]


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_names_with_marks_or_kanji_and_kana_are_kept(name: str) -> None:
    """Round 17a, findings 1 and 3: judging letters after NFD and readings across
    scripts keeps the names people write."""
    once = normal_subject(name)
    assert normal_subject(once) == once


@pytest.mark.parametrize(
    ("look_alike", "reads_in"),
    [
        ("\u0458\u043e\u0451\u04cf", "Latin"),  # јоёӏ: ё is е + diaeresis, read as ë
        ("\u04cf\u043e\u0457\u0441", "Latin"),  # ӏоїс for loïc
        ("\u5915\u30ca\u529b", "Katakana"),  # 夕ナ力 for タナカ
        ("\u30e1\u30a2\u30ea\u4e00", "Katakana"),  # メアリ一: 一 for the ー of メアリー
        ("\u3079\u30f3\u30ea\u30fc", "Katakana"),  # hiragana べ (へ + dakuten) for ベ
        ("\u5de5\u516b", "Katakana"),  # 工八 wholly Han, drawn as エハ
        ("\u5915\u306a\u529b", "Hiragana and Katakana"),  # 夕な力 reads タなカ
    ],
)
def test_a_reading_in_fewer_or_other_scripts_is_refused(look_alike: str, reads_in: str) -> None:
    """A subject with a reading (each letter as itself or its look-alike) in fewer
    scripts than it is written in, or wholly in a script whose name is kept, is
    refused, naming the scripts of that reading (never the subject)."""
    with pytest.raises(SubjectError, match=f"look-alike of a name written in {reads_in}$"):
        normal_subject(look_alike)


def _accepted(text: str) -> bool:
    try:
        return normal_subject(text) == text
    except SubjectError:
        return False


def test_of_two_letters_of_two_scripts_drawn_alike_at_most_one_is_a_subject() -> None:
    """Every pair of one-letter look-alikes in two scripts in Unicode's confusables
    data (Cyrillic `а`/Latin `a`, Han `力`/katakana `カ`, hiragana `へ`/katakana `ヘ`):
    never both are subjects, so neither names a second person drawn as the first."""
    pairs = [
        (char, str(alike["c"]))
        for char, alikes in confusables.confusables_data.items()
        for alike in alikes
        if len(char) == 1 and len(str(alike["c"])) == 1
    ]
    twins = [
        (char, alike)
        for char, alike in pairs
        if script_of(char) not in ANY_SCRIPT
        and script_of(alike) not in ANY_SCRIPT | {script_of(char)}
        and _accepted(char)
    ]
    assert len(twins) > 50  # the data is there: Latin, Cyrillic, Greek, Han, kana
    assert [(c, a) for c, a in twins if _accepted(a)] == []


def test_of_a_han_ideograph_and_the_katakana_drawn_alike_at_most_one_is_a_subject() -> None:
    """Round 19a, finding 1: the Han/katakana table beyond the confusables data (`千`
    for `チ`, `彐` for `ヨ`) holds the same promise as the data's pairs, both ways, and
    the katakana letter is the one kept."""
    assert len(HAN_KANA_LOOK_ALIKES) > 30
    for char, alike in HAN_KANA_LOOK_ALIKES.items():
        assert {script_of(char), script_of(alike)} == {"HAN", "KATAKANA"}
        assert HAN_KANA_LOOK_ALIKES[alike] == char
        kana = char if script_of(char) == "KATAKANA" else alike
        assert _accepted(kana) and not _accepted(HAN_KANA_LOOK_ALIKES[kana])


def test_the_table_holds_the_kangxi_radicals_drawn_as_katakana() -> None:
    """The table's source: each Kangxi radical (U+2F00-2FD5) whose unified form (NFKC)
    is in the table is drawn as that katakana letter; nine of them are."""
    radicals = [unicodedata.normalize("NFKC", chr(code)) for code in range(0x2F00, 0x2FD6)]
    assert len([han for han in radicals if han in HAN_KANA_LOOK_ALIKES]) == 9


@pytest.mark.parametrize(
    "name",
    [
        "\u7530\u4e2d\u30d2\u30ed",  # 田中ヒロ reads 田中匕口 (Han alone)
        "\u9234\u6728\u30e1\u30a4",  # 鈴木メイ reads 鈴木乂亻
        "\u4f50\u85e4\u30c1\u30e8",  # 佐藤チヨ reads 佐藤千彐
        "\u9ad8\u6a4b\u30aa\u30b5\u30e0",  # 高橋オサム reads 高橋才艹厶
        "\u4e00\u30ce\u702c",  # 一ノ瀬: ノ reads 丿, 一 only as the sign ー
    ],
)
def test_a_kanji_surname_with_a_katakana_given_name_is_kept(name: str) -> None:
    """A reading in Han alone moves the katakana down (`_KEPT_FIRST`) and every letter
    is in its highest-ranked script: the name is kept; the Han spelling drawn the same
    (`田中匕口`) is told from it by skeleton when it votes (tests/identity/test_skeleton.py)."""
    assert normal_subject(name) == name


@pytest.mark.parametrize(
    "spelling",
    [
        "\u5343\u5f50",  # 千彐 for チヨ
        "\u5f50\u30b7",  # 彐シ for ヨシ
        "\u624d\u30b5\u53b6",  # 才サ厶 for オサム
        "\u7530\u4e2d\u4e42\u30a4",  # 田中乂イ for 田中メイ
        "\u5315\u53e3",  # 匕口 for ヒロ
        "\u7530\u4e2d\u30d2\u53e3",  # 田中ヒ口 for 田中ヒロ
        "\u7530\u4e2d\u5315\u30ed",  # 田中匕ロ for 田中ヒロ
    ],
)
def test_han_ideographs_in_the_table_are_refused_as_katakana_names(spelling: str) -> None:
    """`千彐` for `チヨ`, `彐シ` for `ヨシ`, `才サ厶` for `オサム`, `田中乂イ` for `田中メイ`."""
    with pytest.raises(SubjectError):
        normal_subject(spelling)


# ── the allowlist (identity/name_letters.py) ────────────────────────────────
# Blocks no subject character may come from, whatever its category: IPA Extensions
# (U+0250–02AF), Phonetic Extensions and their Supplement (U+1D00–1DBF, Latin small
# capitals `ᴅᴀɴᴀ`), Cherokee (U+13A0–13FF, capitals drawn as Latin `ᎠᎪᏁᎪ`).
FORBIDDEN_BLOCKS = ((0x0250, 0x02AF), (0x1D00, 0x1DBF), (0x13A0, 0x13FF))
REFUSED_CATEGORIES = ("Sm", "Sc", "Sk", "So", "Cf", "Cc", "Co", "Cn", "Cs")


def _in_forbidden_block(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in FORBIDDEN_BLOCKS)


def _allowed_independently(char: str) -> bool:
    """The allowlist restated without its table: printable ASCII, or a letter or mark
    (never a symbol, digit, separator or control) outside the forbidden blocks."""
    if " " <= char <= "~":
        return True
    category = unicodedata.category(char)
    return category in ("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc") and not _in_forbidden_block(char)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("\u1d05\u1d00\u0274\u1d00", "U+1D05 LATIN LETTER SMALL CAPITAL D"),
        ("\u13a0\u13aa\u13c1\u13aa", "U+13A0 CHEROKEE LETTER A"),
        ("dana\U0001d159", "U+1D159 MUSICAL SYMBOL NULL NOTEHEAD: symbols"),
        ("d\u0251na", "U+0251 LATIN SMALL LETTER ALPHA"),  # IPA Extensions
        ("dana\u2605", "U+2605 BLACK STAR: symbols"),
        ("dana\u0663", "U+0663 ARABIC-INDIC DIGIT THREE: only the digits 0-9"),
        ("dana\u00b7x", "U+00B7 MIDDLE DOT"),
        ("\u0301dana", "U+0301 COMBINING ACUTE ACCENT: a combining mark must follow"),
        ("dana-\u0301", "U+0301 COMBINING ACUTE ACCENT: a combining mark must follow"),
        ("q\u0301\u0302\u0303", "U+0303 COMBINING TILDE: too many combining marks"),
        ("\u0434\u0951", "U+0951 DEVANAGARI STRESS SIGN UDATTA: a combining mark must follow"),
        ("\u1f00\u03b1", "U+1F00 GREEK SMALL LETTER ALPHA WITH PSILI"),  # Greek Extended
        ("\u0645\u0640\u062d\u0645\u062f", "U+0640 ARABIC TATWEEL: it draws nothing"),
    ],
)
def test_characters_outside_the_allowlist_are_refused_by_name(text: str, named: str) -> None:
    """The refusal says which character (code point and name) and why, never the subject."""
    with pytest.raises(SubjectError) as caught:
        normal_subject(text)
    assert named in str(caught.value)
    assert text not in str(caught.value)


@pytest.mark.parametrize(
    "name",
    [
        "佐々木",  # 々 ideographic iteration mark
        "ゆーき",  # ー prolonged sound mark
        "देवनागरी",
        "ที่นี่",  # Thai: a vowel and a tone mark on one letter
        "བསྒྲུབ",  # Tibetan: two subjoined letters and a vowel sign on one
        "مُحَمَّد",
        "שָׁלוֹם",
        "auth0|5f1c2a",  # identity providers' ids: printable ASCII
        "system:serviceaccount:ci:bot",
        "o'brien+ops@example.org",
    ],
)
def test_names_of_recommended_scripts_and_ascii_ids_are_kept(name: str) -> None:
    once = normal_subject(name)
    assert normal_subject(once) == once


def test_no_symbol_control_or_forbidden_block_character_is_allowed() -> None:
    """Every code point (all of U+0000–U+10FFFF) that is a symbol, format, control,
    private-use, surrogate or unassigned character, or lies in a forbidden block, is
    outside the allowlist, except printable ASCII (`+`, `|`, `<` are Sm)."""
    allowed = [
        f"U+{code:04X}"
        for code in range(0x7F, sys.maxunicode + 1)
        if (unicodedata.category(chr(code)) in REFUSED_CATEGORIES or _in_forbidden_block(chr(code)))
        and is_name_character(chr(code))
    ]
    assert allowed == []


@pytest.mark.parametrize(
    "code", [c for low, high in FORBIDDEN_BLOCKS for c in range(low, high + 1)]
)
def test_a_forbidden_block_never_reaches_a_normal_subject(code: int) -> None:
    """Each code point of the forbidden blocks, alone or after `dana`, is refused, or
    is a compatibility character NFKC turns into allowed letters (superscript `ᵃ`
    is `a`): it never survives into a normal subject."""
    for text in (chr(code), "dana" + chr(code)):
        try:
            subject = normal_subject(text)
        except SubjectError:
            continue
        assert unicodedata.normalize("NFKC", chr(code)) != chr(code)
        assert not any(_in_forbidden_block(char) for char in subject), f"U+{code:04X}"


def _block_text(block: Block) -> st.SearchStrategy[str]:
    return st.text(st.characters(min_codepoint=block.first, max_codepoint=block.last), max_size=8)


# Candidate subjects: ASCII, the text of one allowed block with ASCII around it
# (most accepted), any Unicode text (mostly refused), and both mixed.
_CANDIDATES = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=12),
    st.builds(
        "{}{}{}".format,
        st.text("abc.@-_ 09", max_size=4),
        st.sampled_from(ALLOWED_BLOCKS).flatmap(_block_text),
        st.text("abc.@-_ 09", max_size=4),
    ),
    st.text(max_size=12),
    st.builds("{}{}".format, st.sampled_from(["dana", "дана", "山田"]), st.text(max_size=3)),
)
_PROPERTY = settings(derandomize=True, database=None, max_examples=1500, deadline=None)


@_PROPERTY
@given(_CANDIDATES)
def test_an_accepted_subject_is_normal_and_allowed(text: str) -> None:
    """For every accepted subject s: normal_subject(normal_subject(s)) ==
    normal_subject(s), and every character of it is in the allowlist."""
    try:
        once = normal_subject(text)
    except SubjectError:
        return
    assert normal_subject(once) == once
    assert all(is_name_character(char) for char in once), ascii(once)
    assert all(_allowed_independently(char) for char in once), ascii(once)


@_PROPERTY
@given(st.characters(categories=REFUSED_CATEGORIES, min_codepoint=0x7F))
def test_a_symbol_or_invisible_character_never_reaches_a_normal_subject(char: str) -> None:
    """A non-ASCII symbol, format, control, private-use or unassigned character after
    `dana` is refused, unless NFKC turns it into allowed characters (`™` is `tm`)."""
    try:
        subject = normal_subject("dana" + char)
    except SubjectError:
        return
    assert char not in subject
    assert all(_allowed_independently(c) for c in subject), ascii(subject)


def test_a_latin_look_alike_inside_the_allowlist_is_refused() -> None:
    """Latin Extended-B is an allowed block, but its click letter `ǀ` reads as `l`: it
    is no ASCII letter with marks nor a distinct letter of names, so it is refused."""
    with pytest.raises(SubjectError, match=r"U\+01C0 .*others may read as ASCII"):
        normal_subject("da\u01c0e")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("\u0237ane", "U+0237 LATIN SMALL LETTER DOTLESS J"),  # no confusables prototype
        ("\u0138ate", "U+0138 LATIN SMALL LETTER KRA"),  # drawn as a small capital K
        ("al\u0131ce", "U+0131 LATIN SMALL LETTER DOTLESS I"),
        ("\u0185ob", "U+0185 LATIN SMALL LETTER TONE SIX"),  # drawn as `b`
    ],
)
def test_a_latin_letter_of_its_own_must_be_one_names_use(text: str, named: str) -> None:
    """Round 16a, finding 2: a Latin letter beyond ASCII is an ASCII letter with marks
    (NFD) or one of the distinct letters real names use; the rest are refused whether
    or not Unicode's confusables data knows the ASCII letter they pass for."""
    with pytest.raises(SubjectError, match="others may read as ASCII") as caught:
        normal_subject(text)
    assert named in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "ali\u0307ce",  # i + COMBINING DOT ABOVE, drawn as `alice`
        "\u0130".casefold() + "stanbul",  # what full case folding makes of `İstanbul`
        "\u0456\u0307\u0440",  # Cyrillic і with a dot above: still і
        "\u1eb9\u0301",  # ẹ with an acute: no precomposed letter (as Yoruba writes it)
    ],
)
def test_a_mark_that_composes_into_no_letter_is_refused(text: str) -> None:
    """Round 16a, finding 1: a combining diacritical mark stays only where NFC makes it
    one precomposed letter with its base (`o` + U+0301 is `ó`)."""
    with pytest.raises(SubjectError, match="compose with its letter into one letter"):
        normal_subject(text)


@pytest.mark.parametrize(
    ("spelling", "normal"),
    [
        ("AL\u0130CE", "alice"),  # Turkish capital İ: the `i` it is drawn as
        ("\u0130stanbul", "istanbul"),
        ("I\u0307stanbul", "istanbul"),  # İ written decomposed
        ("\u0141ukasz", "\u0142ukasz"),
        ("\u00deórunn", "\u00fe\u00f3runn"),
        ("S\u00f8ren", "s\u00f8ren"),
        ("\u0110or\u0111e", "\u0111or\u0111e"),
        ("Nguy\u00ea\u0303n", "nguy\u1ec5n"),  # two marks, one precomposed letter
    ],
)
def test_names_with_precomposed_and_distinct_latin_letters_are_kept(
    spelling: str, normal: str
) -> None:
    assert normal_subject(spelling) == normal
