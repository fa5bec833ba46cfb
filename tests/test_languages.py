"""French and Spanish sources end to end: a French and a Spanish article of our own (shell
output), coded from the docs alone in tests/fixtures/fr_es, validate, build and are fully
coded; add-source tells their language; each mistake is one exact line, as for English.
"""

import shutil

import pytest

from prodstats.addsource import add_source
from prodstats.build import build
from prodstats.figures import read_figures
from prodstats.languages import decimal_mark, word_number
from prodstats.uncoded import uncoded
from tests.conftest import ROOT, problems, set_cell

FR_ES = ROOT / "tests" / "fixtures" / "fr_es"


@pytest.fixture
def raw(tmp_path):
    dest = tmp_path / "raw"
    shutil.copytree(FR_ES, dest)
    return dest


def test_the_articles_validate_build_and_are_fully_coded(raw, tmp_path):
    assert problems(raw) == []
    assert uncoded(raw) == []
    result = build(raw, tmp_path / "out", draw=False)
    claims = result.tables["claims"].set_index("claim_id")
    assert claims.loc["fr25-04", "value_canonical"] == 40000  # "quarante mille … par an"
    assert claims.loc["es25-05", "value_canonical"] == 2e9    # "2.000 millones de euros"


def test_add_source_tells_french_and_spanish(raw, tmp_path):
    for sid, language in (("exempleinfo-2025-03-11-obus", "fr"),
                          ("ejemplonoticias-2025-02-14-proyectiles", "es")):
        text = (raw / "texts" / f"{sid}.txt").read_text(encoding="utf-8")
        new = tmp_path / f"{language}.txt"
        new.write_text(text + "\n", encoding="utf-8")  # another text: new bytes
        added = add_source(new, f"{sid}-bis", "Test", "2025-03", "A test", raw=raw)
        assert (added.language, added.language_guessed) == (language, True)


@pytest.mark.parametrize(("text", "language", "read"), [
    ("environ 3\u202f000 obus par mois", "fr", [("3\u202f000", (3000.0,), "month")]),
    ("quarante mille obus par an", "fr", [("quarante mille", (40000.0,), "year")]),
    ("trois cent cinquante obus et un millier de drones", "fr", [
        ("trois cent cinquante", (350.0,), None), ("un millier", (1000.0,), None)]),
    ("vingt et un obus", "fr", [("vingt et un", (21.0,), None)]),
    ("1,2 million de cartouches", "fr", [("1,2 million", (1.2e6,), None)]),
    ("3,000 obus", "fr", [("3,000", (3.0,), None)]),          # a French decimal comma
    ("un tiers des obus, 40 pour cent", "fr", [("un tiers", (1 / 3, 100 / 3), None),
                                               ("40 pour cent", (40.0, 0.4), None)]),
    ("la production a triplé", "fr", [("triplé", (3.0,), None)]),
    ("15.000 proyectiles al mes", "es", [("15.000", (15000.0,), "month")]),
    ("200.000 unidades anuales", "es", [("200.000", (200000.0,), "year")]),
    ("2.000 millones de euros y dos mil millones", "es", [
        ("2.000 millones", (2e9,), None), ("dos mil millones", (2e9,), None)]),
    ("veintiuno drones, la mitad, 40 por ciento", "es", [
        ("veintiuno", (21.0,), None), ("mitad", (0.5, 50.0), None),
        ("40 por ciento", (40.0, 0.4), None)]),
    ("el doble que en 2023", "es", [("doble", (2.0,), None)]),
    ("3.000 missili", "it", [("3.000", (3000.0,), None)]),     # Italian: Babel's separators
])
def test_what_the_reader_reads_in_french_spanish_and_others(text, language, read):
    assert [(f.text, f.candidates, f.rate) for f in read_figures(text, language)
            if f.kind != "date"] == [(t, pytest.approx(c), r) for t, c, r in read]


def test_dates_in_french_and_spanish_are_dates():
    for text, language in (("le 17 janvier 2025, en novembre 2024, en 2024", "fr"),
                           ("el 17 de enero de 2025, en noviembre de 2024, en 2024", "es")):
        assert [f.kind for f in read_figures(text, language)] == ["date"] * 3


def test_the_libraries_behind_the_tables():
    assert [decimal_mark(x) for x in ("en", "de", "fr", "es", "it", None, "xx")] == [
        ".", ",", ",", ",", ",", None, None]
    assert word_number("trois cent cinquante", "fr") == 350
    assert word_number("doscientos cincuenta", "es") == 250
    assert word_number("obus", "fr") is None


FR, ES = "exempleinfo-2025-03-11-obus", "ejemplonoticias-2025-02-14-proyectiles"


@pytest.mark.parametrize(("key", "column", "value", "message"), [
    ("fr25-02", "unit", "rounds/year",
     "column 'unit' = 'rounds/year': the quote gives '3\u202f000' per month, but the unit is per "
     "year (read so, the figure is 12x too low); write unit 'rounds/month'"),
    ("fr25-02", "value", "30000",
     "column 'value' = '30000': not among the figures of the quote (it says '3\u202f000' = "
     "3000); 30000 is 10x '3\u202f000'; write 3000"),
    ("fr25-04", "period", "2024-12",
     "column 'period' = '2024-12': the quote says 'd'ici fin 2025', but the period 2024-12 "
     "ends 2024-12-31, not 2025-12-31; write period 2025-12"),
    ("fr25-03", "value", "1",
     "column 'value' = '1': not among the figures of the quote (it says 'un millier' = 1000); "
     "1 is 1/1000 of 'un millier'; write 1000"),
    ("es25-03", "value", "15",
     "column 'value' = '15': not among the figures of the quote (it says '15.000' = 15000); "
     "'15.000' is read as the source's language (es) writes numbers (sources.csv, language): "
     "if the text writes them so, write 15000; if it writes them the other way, say so in "
     "notes and set derived to true"),
    ("es25-02", "base_period", "2022",
     "column 'base_period' = '2022': the quote names the base 'que en 2023', but base_period "
     "is 2022; write base_period 2023"),
    ("es25-05", "period", "2024-10",
     "column 'period' = '2024-10': the quote says 'En noviembre de 2024', but the period is "
     "2024-10; write period 2024-11"),
    ("es25-04", "unit", "rounds/month",
     "column 'unit' = 'rounds/month': the quote gives '200.000' per year, but the unit is per "
     "month (read so, the figure is 12x too high); write unit 'rounds/year'"),
    ("es25-01", "unit", "rounds/month",
     "column 'unit' = 'rounds/month': the quote gives '300.000' with no rate word (such as 'a "
     "month'), so it reads as the amount for its period, one year, but the unit is per month; "
     "if it is the amount of that year, write unit 'rounds'; if it is the amount of another "
     "period, write that period"),
])
def test_a_mistake_in_french_or_spanish_is_one_exact_line(raw, key, column, value, message):
    line = set_cell(raw, "claims.csv", key, column, value)
    assert problems(raw) == [f"{raw}/claims.csv:{line}: {message}"]
