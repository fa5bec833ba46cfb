"""The quote check on a fourth article (English, EU shell output), frozen in
tests/fixtures/eu_quotes: each case of issue 20 is one cell changed and one exact line, and
following the line's advice gives the right figure (the fixture's own claim).
"""

import shutil

import pandas as pd
import pytest

from prodstats.build import build
from prodstats.quotecheck import quote_problems
from prodstats.uncoded import find_uncoded, uncoded
from tests.conftest import ROOT, problems, set_cell

EU = ROOT / "tests" / "fixtures" / "eu_quotes"
SID = "examplenews-2025-03-12-eu-shells"


@pytest.fixture
def eu(tmp_path):
    dest = tmp_path / "raw"
    shutil.copytree(EU, dest)
    return dest


def test_the_article_validates_builds_and_is_fully_coded(eu, tmp_path):
    assert problems(eu) == []
    assert uncoded(eu) == []
    result = build(eu, tmp_path / "out", draw=False)
    claims = result.tables["claims"].set_index("claim_id")
    # the Estonian figure, its rate word quoted as a fragment, is 3.5 million a year
    assert claims.loc["eus25-05", "value_canonical"] == pytest.approx(3.5e6)
    # idle capacity is a rate, not the amount of March 2025
    assert claims.loc["eus25-06", "value_canonical"] == pytest.approx(5e5)


def test_the_million_is_a_figure_to_code(eu):
    """'the million mark' and 'the million shells' are listed until coded or skipped."""
    (eu / "skipped.csv").write_text("source_id,span,reason\n")
    claims = pd.read_csv(eu / "claims.csv", dtype=str)
    sources = pd.read_csv(eu / "sources.csv", dtype=str).to_dict("records")
    text = (eu / "texts" / f"{SID}.txt").read_text()
    listed = find_uncoded(sources, claims[claims["claim_id"] != "eus25-08"].to_dict("records"),
                          {SID: text}, [])
    assert [u.text for u in listed] == ["the million", "the million"]


@pytest.mark.parametrize(("key", "column", "value", "message"), [
    # the rate word is in the clause before: the advice is to quote it, not to drop the rate
    ("eus25-05", "quote", "Estonian military intelligence put the figure at 3.5 million",
     "column 'unit' = 'rounds/year': the quote gives '3.5 million' with no rate word (such as "
     "'a year'), so it reads as the amount for its period, one month, but the unit is per "
     "year; its paragraph says 'a year' outside the quote: if that is the rate of '3.5 "
     "million', quote it too, joining the verbatim fragments with ' … ' (docs/codebook.md §9)"),
    # the rate word quoted as a fragment binds to the figure
    ("eus25-05", "unit", "rounds/month",
     "column 'unit' = 'rounds/month': the quote gives '3.5 million' per year, but the unit is "
     "per month (read so, the figure is 12x too high); write unit 'rounds/year'"),
    # widening a fragment to take in the neighbouring figure is refused
    ("eus25-05", "quote", "three million shells a year … put the figure at 3.5 million",
     "column 'quote' = 'three million shells a year … put the figure at 3.5 mil…': the "
     "fragments joined with ' … ' hold figures in more than one fragment: 'three million "
     "shells a year' has 'three million'; quote from the other fragments only the words the "
     "claim needs (such as its rate word), without their figures"),
    ("eus25-05", "quote",
     "Estonian military intelligence put the figure at 3.5 million … shells a year",
     "column 'quote' = 'Estonian military intelligence put the figure at 3.5 mi…': its "
     "fragments are in the text of examplenews-2025-03-12-eu-shells, but not in this order "
     "within one paragraph; join with ' … ' only fragments of one paragraph, in the order of "
     "the text"),
    ("eus25-05", "quote",
     "shells a year … Estonian military intelligence put the figure at 3.4 million",
     "column 'quote' = 'shells a year … Estonian military intelligence put the …': the "
     "fragment 'Estonian military intelligence put the …' is not found in the text of "
     "examplenews-2025-03-12-eu-shells; the quote must be copied verbatim from the text file "
     "(same language, quotation marks, dashes and spaces)"),
    # a capacity is a rate: coded as an amount of one month it is refused, per year it passes
    ("eus25-06", "unit", "rounds",
     "column 'unit' = 'rounds': the indicator measures a capacity, which is a rate, but unit "
     "'rounds' makes 'half a million' the amount of one month; if the text means a yearly "
     "capacity, write unit 'rounds/year'; if it gives another time, quote its rate word (join "
     "verbatim fragments with ' … ')"),
    # only the wrong bound is refused, with the figure it slipped from
    ("eus25-11", "value_high", "80000",
     "column 'value_high' = '80000': not among the figures of the quote (it says '6,000' = "
     "6000, '8,000' = 8000); 80000 is 10x '8,000'; write 8000"),
    # a slipped zero: no clause about the source's language
    ("eus25-10", "value", "700000",
     "column 'value' = '700000': not among the figures of the quote (it says '70,000' = "
     "70000); 700000 is 10x '70,000'; write 70000"),
    # per cent for a ratio is 1 + p/100
    ("eus25-09", "value", "0.4",
     "column 'value' = '0.4': a ratio is written as the multiple, and '40 percent' more is "
     "1.4; write 1.4"),
    ("eus25-09", "value", "40",
     "column 'value' = '40': a ratio is written as the multiple, and '40 percent' more is "
     "1.4; write 1.4"),
    # 'quarter' is a date, never 1/4
    ("eus25-09", "value", "1.25",
     "column 'value' = '1.25': not among the figures of the quote (it says '40 percent' = "
     "1.4); write 1.4, or quote the words that give 1.25"),
    ("eus25-09", "value", "0.25",
     "column 'value' = '0.25': not among the figures of the quote (it says '40 percent' = "
     "1.4); write 1.4, or quote the words that give 0.25"),
    # the quote's dates against the period
    ("eus25-01", "period", "2024-12",
     "column 'period' = '2024-12': the quote says 'by the end of 2025', but the period "
     "2024-12 ends 2024-12-31, not 2025-12-31; write period 2025-12"),
    ("eus25-07", "period", "2023-03",
     "column 'period' = '2023-03': the quote says 'by the end of March 2024', but the period "
     "2023-03 ends 2023-03-31, not 2024-03-31; write period START/2024-03, START being the "
     "month the amount was promised (codebook §12: an amount due by a date is coded over the "
     "span from its promise; 2024-03 alone would make it the amount of one month)"),
    ("eus25-09", "period", "2024",
     "column 'period' = '2024': the quote says 'in the fourth quarter of 2024', but the "
     "period is 2024; write period 2024-10/2024-12"),
    ("eus25-10", "period", "2024-10",
     "column 'period' = '2024-10': the quote says 'In November 2024', but the period is "
     "2024-10; write period 2024-11"),
    # ... and its bases against base_period
    ("eus25-03", "base_period", "2022",
     "column 'base_period' = '2022': the quote names the base 'before the full-scale "
     "invasion', but base_period is 2022; write base_period 2021"),
    ("eus25-09", "base_period", "2023",
     "column 'base_period' = '2023': the quote names the base 'on the same quarter a year "
     "earlier' (2023-10/2023-12), but base_period is 2023; write base_period 2023-10/2023-12"),
    # 'the million' is the value 1,000,000
    ("eus25-08", "value", "2000000",
     "column 'value' = '2000000': not among the figures of the quote (it says 'the million' = "
     "1000000); write 1000000, or quote the words that give 2000000"),
])
def test_each_mistake_is_one_exact_line(eu, key, column, value, message):
    line = set_cell(eu, "claims.csv", key, column, value)
    assert problems(eu) == [f"{eu}/claims.csv:{line}: {message}"]


@pytest.mark.parametrize(("key", "column", "value"), [
    ("eus25-01", "period", "2025"),          # a 'by' date: any period ending then
    ("eus25-07", "period", "2023-04/2024-03"),
    ("eus25-10", "period", "2024-11-15"),     # 'in November 2024': a day inside it
    ("eus25-03", "base_period", "2021|2022"),  # the named base among the candidates
    ("eus25-02", "period", "2023"),          # the text is silent on this claim's period
    ("eus25-08", "period", "2025-01"),       # 'in December': no year named, nothing refused
])
def test_where_the_text_allows_it_nothing_is_refused(eu, key, column, value):
    set_cell(eu, "claims.csv", key, column, value)
    assert problems(eu) == []


def test_a_date_that_belongs_to_another_figure_is_not_the_claims():
    """'by the end of 2025' belongs to the 80,000 (the nearer figure), not to the 40,000."""
    frame = pd.DataFrame([
        dict(quote="output rose to 40,000 a month and is to reach 80,000 by the end of 2025",
             value=40000.0, value_low=None, value_high=None, unit="rounds/month",
             qualifier="exact", kind="level", period="2025-01", language="en"),
        dict(quote="output rose to 40,000 a month and is to reach 80,000 by the end of 2025",
             value=80000.0, value_low=None, value_high=None, unit="rounds/month",
             qualifier="exact", kind="level", period="2025-01", language="en")])
    assert [p[:3] for p in quote_problems(frame)] == [(1, "period", "2025-01")]


def test_a_ratio_per_cent_reads_its_direction_before_or_after():
    def check(quote, value):
        frame = pd.DataFrame([dict(quote=quote, value=value, value_low=None, value_high=None,
                                   unit="dimensionless", qualifier="exact", kind="ratio")])
        return [p[1] for p in quote_problems(frame)]

    assert check("output was up 40 percent", 1.4) == []
    assert check("output was up 40 percent", 0.4) == ["value"]
    assert check("output fell by 40 percent", 0.6) == []
    assert check("output fell by 40 percent", 1.4) == ["value"]
    assert check("output is 40 percent of its pre-war level", 0.4) == []
    assert check("Die Produktion stieg um 40 Prozent", 1.4) == []
    assert check("a change of 40 percent", 1.4) == []  # no direction: either way
    assert check("a change of 40 percent", 0.6) == []
    [message] = [p[3] for p in quote_problems(pd.DataFrame([dict(
        quote="a change of 40 percent", value=0.4, value_low=None, value_high=None,
        unit="dimensionless", qualifier="exact", kind="ratio")]))]
    assert message == ("a ratio is written as the multiple: '40 percent' more is 1.4, "
                       "'40 percent' less is 0.6; write the one the text says")


def _quotes_of_every_fixture() -> list[str]:
    quotes = []
    for claims in sorted((ROOT / "tests" / "fixtures").glob("*/claims.csv")):
        quotes += pd.read_csv(claims, dtype=str)["quote"].dropna().tolist()
    for text in sorted((ROOT / "tests" / "fixtures").glob("*/texts/*.txt")):
        quotes += [s.strip() for s in text.read_text().replace("\n", " ").split(". ") if s]
    return quotes


def test_plain_quotes_read_as_the_reader_reads_them():
    """The fast path for plain quotes (one vectorised search) gives what the reader gives."""
    import random

    from prodstats.figures import read_figures
    from prodstats.quotecheck import _plain, plain_figures
    from prodstats.quotedates import quote_phrases

    rng = random.Random(20)
    words = ["output", "shells", "rose", "a", "the", "per", "month", "year", "quarter", "half",
             "million", "three", "dozen", "percent", "%", "times", "fold", "in", "by", "end",
             "of", "before", "war", "2024", "1999", "40,000", "3.5", "0.517", "12", "7,5",
             "1.2.3", "6x", "40k", "2025-01", "14:30", "(syn0000003)", "5+3", ".5", "9.",
             "Q4", "November", "versus", "same", "annual", "drei", "Millionen", "elf", "ein",
             "eight", "self", "dreihundert", "zehnmal", "verdoppelt", "doubled", "k", "bn",
             "6.6bn", "3-fach", "1990s", "tenth", "twenty-five", "one-third", "Tsd.", "Mio.",
             "halbe", "Drittel", "sixfold", "pct", "dozens", "Dutzende", "thousand", "2023/24"]
    made = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 9))) for _ in range(4000)]
    quotes = _quotes_of_every_fixture() + made
    for language in ("en", "de", None):
        frame = pd.DataFrame({"quote": quotes, "language": language})
        plain, first, count = _plain(frame)
        assert 0 < sum(plain) < len(quotes)
        for quote, simple, one, many in zip(quotes, plain, first, count, strict=True):
            if not simple:
                continue
            full = [(f.text, f.candidates) for f in read_figures(quote, language)]
            assert [(f.text, f.candidates) for f in plain_figures(quote, language)] == full, quote
            assert quote_phrases(quote, language) == (), quote
            # the first number, read in bulk, is the reader's first figure
            values = [c[0] for _, c in full]
            assert (one in values) if many else not values, quote


def test_the_value_messages_for_several_figures_and_none():
    def message(quote, value):
        frame = pd.DataFrame([dict(quote=quote, value=value, value_low=None, value_high=None,
                                   unit="rounds", qualifier="exact", kind="level")])
        [(_, column, _, text)] = quote_problems(frame)
        return column, text

    # several figures, none a slip of the value: the coder chooses, nothing is proposed
    assert message("output rose from 14,000 to 40,000 shells", 27000) == (
        "value", "not among the figures of the quote (it says '14,000' = 14000, '40,000' = "
        "40000); write the one the claim states, or if the value is derived on purpose set "
        "derived to true and say how in notes")
    assert message("the same amount of shells", 27000) == (
        "value", "the quote has no figure ('the same amount of shells'); quote the words that "
        "carry the figure, or if the value is derived on purpose set derived to true and say "
        "how in notes")


def test_a_base_of_several_years_and_a_date_of_saying_are_read_as_such():
    """Found by a new user: 'deux fois plus qu'en 2019-2021' was read as the base 2019 (and
    the advice published the three years' amount as 2019's); 's'était engagé en janvier 2024 à
    livrer' was read as the claim's period, where it is the day of the promise.
    """
    from prodstats.quotedates import date_problems

    quote = "deux fois plus qu'en 2019-2021"
    assert date_problems(quote, "fr", "2024", "2019", "ratio") == [(
        "base_period", "2019", "the quote names the base 'qu'en 2019-2021', but base_period "
        "is 2019; write base_period 2019/2021")]
    assert date_problems(quote, "fr", "2024", "2019/2021", "ratio") == []
    promised = "KNDS s'était engagé en janvier 2024 à livrer 3 000 obus par mois"
    assert date_problems(promised, "fr", "2024", None, "level") == []
    delivered = "KNDS a livré en janvier 2024 3 000 obus"
    assert date_problems(delivered, "fr", "2024", None, "level")[0][2].endswith(
        "write period 2024-01")


@pytest.mark.parametrize(("quote", "language", "period", "base", "kind", "message"), [
    # "tercer" was read as the figure 3, nearer to the phrase than 450, which then belonged
    # to it: the quarter's 450 coded for the whole year passed (a rate 4x too low)
    ("En el tercer trimestre de 2024, MBDA fabricó 450 misiles", "es", "2024", "", "level",
     "the quote says 'En el tercer trimestre de 2024', but the period is 2024; write period "
     "2024-07/2024-09"),
    # the calibre "155 mm" stood between "triplé" and its base and took the base for itself
    ("a triplé sa production d'obus de 155 mm par rapport à 2021", "fr", "2024", "2022",
     "ratio", "the quote names the base 'par rapport à 2021', but base_period is 2022; write "
     "base_period 2021"),
])
def test_a_quarter_word_and_a_calibre_are_no_figures_that_take_a_date_away(
        quote, language, period, base, kind, message):
    import pandas as pd

    from prodstats.quotecheck import quote_problems

    value, unit = ("450", "missiles") if kind == "level" else ("3", "dimensionless")
    claims = pd.DataFrame([{"quote": quote, "value": value, "value_low": "", "value_high": "",
                            "unit": unit, "qualifier": "exact", "kind": kind,
                            "language": language, "period": period, "base_period": base}])
    assert [m for *_, m in quote_problems(claims)] == [message]


def test_a_rate_word_that_leads_its_sentence_is_the_rate_of_the_figure_after_it():
    """Found by a new user: «Cada mes, según la compañía, salen … unas 40 unidades» coded per
    year passed, and 40 a month was published as 40 a year (12x too low).
    """
    import pandas as pd

    from prodstats.quotecheck import quote_problems

    quote = ("Cada mes, según la compañía, salen ahora de sus plantas en Francia, Italia y el "
             "Reino Unido unas 40 unidades de misiles antiaéreos de corto alcance")
    claims = pd.DataFrame([{"quote": quote, "value": "40", "value_low": "", "value_high": "",
                            "unit": "missiles/year", "qualifier": "about", "kind": "level",
                            "language": "es", "period": "2024-11", "base_period": ""}])
    assert [m for *_, m in quote_problems(claims)] == [
        "the quote gives '40' per month, but the unit is per year (read so, the figure is 12x "
        "too low); write unit 'missiles/month'"]
    assert quote_problems(claims.assign(unit="missiles/month")) == []
