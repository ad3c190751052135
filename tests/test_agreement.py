"""Inter-coder agreement by the character: hand-computed cases and the krippendorff package."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core import Workspace
from tui.core.agreement import (
    TeamDocument,
    build_coding,
    coefficients,
    compare,
    disagreements,
    load,
    passages,
    pattern_counts,
    to_json,
    to_markdown,
)


def coding_of(lengths: dict[str, int], *coders: dict[str, dict[str, list[tuple[int, int]]]], rated=None):
    documents = {key: TeamDocument(key, key.upper(), length) for key, length in lengths.items()}
    names = [f"c{index}" for index in range(len(coders))]
    return build_coding(names, documents, list(coders), rated=rated)


def per_character(coding, theme: str) -> np.ndarray:
    """The reliability matrix QualCoder's method implies: coders × every character, 1 coded,
    0 not coded, nan not rated. Only for small cases: the point of the module is not to."""
    rows = []
    key = " ".join(theme.split()).casefold()
    for index in range(len(coding.coders)):
        row = []
        for document_key, document in coding.documents.items():
            values = np.zeros(document.length)
            coverage = coding.coverage.get(key, {}).get(document_key, [[]] * len(coding.coders))
            for start, end in coverage[index]:
                values[start:end] = 1
            if not coding.rated_mask(document_key) >> index & 1:
                values[:] = np.nan
            row.append(values)
        rows.append(np.concatenate(row))
    return np.array(rows)


def test_two_coders_half_overlapping_passages():
    # A codes 0–50, B 25–75 of 100 characters: 25 both, 25 A only, 25 B only, 25 neither.
    coding = coding_of({"d": 100}, {"T": {"d": [(0, 50)]}}, {"T": {"d": [(25, 75)]}})
    result = compare(coding).themes[0].agreement
    assert result.percent_agreement == pytest.approx(50)
    assert result.cohen_kappa == pytest.approx(0)  # agreement exactly at chance
    assert result.gwet_ac1 == pytest.approx(0)
    # coincidences: o00 = 25·2 = 50, o11 = 50, o01 = 50; n0 = n1 = 100, n = 200
    assert result.krippendorff_alpha == pytest.approx(1 - 199 * 50 / (100 * 100))
    assert result.fleiss_kappa is None
    assert result.coded == [50, 50]


def test_two_coders_partial_overlap_hand_computed():
    # 10 characters: A codes 0–4, B codes 2–4 (two passages 2–3 and 3–4, joined).
    coding = coding_of({"d": 10}, {"T": {"d": [(0, 4)]}}, {"T": {"d": [(2, 3), (3, 4)]}})
    result = compare(coding).themes[0].agreement
    observed, p_a, p_b = Fraction(8, 10), Fraction(4, 10), Fraction(2, 10)
    chance = p_a * p_b + (1 - p_a) * (1 - p_b)
    assert result.percent_agreement == pytest.approx(80)
    assert result.cohen_kappa == pytest.approx(float((observed - chance) / (1 - chance)))  # 0.5454…
    pi = (p_a + p_b) / 2
    assert result.gwet_ac1 == pytest.approx(float((observed - 2 * pi * (1 - pi)) / (1 - 2 * pi * (1 - pi))))
    assert result.krippendorff_alpha == pytest.approx(
        krippendorff.alpha(reliability_data=per_character(coding, "T"), level_of_measurement="nominal"))


def test_overlapping_passages_of_one_coder_count_once():
    once = coding_of({"d": 50}, {"T": {"d": [(0, 20)]}}, {"T": {"d": [(10, 30)]}})
    twice = coding_of({"d": 50}, {"T": {"d": [(0, 15), (5, 20), (0, 20)]}}, {"T": {"d": [(10, 30)]}})
    assert compare(once).themes[0].agreement == compare(twice).themes[0].agreement


def test_a_theme_one_coder_never_used():
    coding = coding_of({"d": 100, "e": 100},
                       {"Used": {"d": [(0, 10)]}, "Shared": {"e": [(0, 50)]}},
                       {"Shared": {"e": [(0, 50)]}})
    report = compare(coding)
    used = next(item for item in report.themes if item.theme == "Used")
    assert used.coders == ["c0"]
    # 200 characters, A coded 10 of them, B none: 95% agree, and kappa is exactly chance (0).
    assert used.agreement.percent_agreement == pytest.approx(95)
    assert used.agreement.cohen_kappa == pytest.approx(0)
    shared = next(item for item in report.themes if item.theme == "Shared")
    assert shared.agreement.percent_agreement == pytest.approx(100)
    assert shared.agreement.cohen_kappa == pytest.approx(1)
    assert shared.agreement.krippendorff_alpha == pytest.approx(1)
    # Overall pools both themes: 400 characters, 10 in disagreement.
    assert report.overall.percent_agreement == pytest.approx(100 * 390 / 400)


def test_three_coders_fleiss_hand_computed():
    # 10 characters: A and B code 0–5, C codes 0–3.
    coding = coding_of({"d": 10}, {"T": {"d": [(0, 5)]}}, {"T": {"d": [(0, 5)]}}, {"T": {"d": [(0, 3)]}})
    result = compare(coding).themes[0].agreement
    # Per character: 3 all coded (P = 1), 2 with two of three (P = 1/3), 5 none coded (P = 1).
    observed = (3 + 5 + 2 * Fraction(1, 3)) / 10
    p = Fraction(3 * 3 + 2 * 2, 30)
    chance = p * p + (1 - p) * (1 - p)
    assert result.fleiss_kappa == pytest.approx(float((observed - chance) / (1 - chance)))  # 0.7285…
    assert result.cohen_kappa is None
    assert result.percent_agreement == pytest.approx(80)
    assert result.gwet_ac1 == pytest.approx(float((observed - 2 * p * (1 - p)) / (1 - 2 * p * (1 - p))))
    assert result.krippendorff_alpha == pytest.approx(
        krippendorff.alpha(reliability_data=per_character(coding, "T"), level_of_measurement="nominal"))


def test_nobody_coding_anything_leaves_chance_coefficients_undefined():
    counts = {(3, 0): 100}
    result = coefficients(counts, 2)
    assert result.percent_agreement == 100
    assert result.cohen_kappa is None and result.krippendorff_alpha is None
    assert result.gwet_ac1 == pytest.approx(1)


spans = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 20)).map(lambda t: (t[0], t[0] + t[1])),
                 max_size=4)


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # the package's 0/0 for no disagreement
@settings(max_examples=60, deadline=None)
@given(coders=st.integers(2, 4), data=st.data())
def test_alpha_matches_the_krippendorff_package_character_by_character(coders, data):
    lengths = {"a": 45, "b": 30}
    coded = [{"T": {"a": data.draw(spans), "b": data.draw(spans)}} for _ in range(coders)]
    choices = st.sampled_from([None, {"a"}, {"b"}, {"a", "b"}])
    rated = data.draw(st.lists(choices, min_size=coders, max_size=coders))
    coding = coding_of(lengths, *coded, rated=rated)
    matrix = per_character(coding, "T")
    result = coefficients(pattern_counts(coding, "t"), coders)
    values = matrix[~np.isnan(matrix)]
    pairable_units = (np.sum(~np.isnan(matrix), axis=0) >= 2).any()
    if not pairable_units or len(np.unique(values)) < 2:
        return  # the package refuses: one value, or no unit with two answers
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    if np.isnan(expected):
        assert result.krippendorff_alpha is None
    else:
        assert result.krippendorff_alpha == pytest.approx(expected)
    if all(r is None for r in rated):  # every character rated by everyone: the kappas by hand
        agree = np.all(matrix == matrix[0], axis=0).mean()
        assert result.percent_agreement == pytest.approx(100 * agree)
        if coders == 2:
            p_a, p_b = matrix[0].mean(), matrix[1].mean()
            chance = p_a * p_b + (1 - p_a) * (1 - p_b)
            if chance < 1:
                assert result.cohen_kappa == pytest.approx((agree - chance) / (1 - chance))


def test_passages_match_overlaps_and_list_disagreements():
    coding = coding_of({"d": 100},
                       {"T": {"d": [(0, 10), (40, 60)]}, "U": {"d": [(80, 90)]}},
                       {"T": {"d": [(0, 10), (50, 70)]}, "U": {"d": [(80, 90)]}})
    found = passages(coding)
    assert [(p.theme, p.start, p.end, p.agreed) for p in found] == [
        ("T", 0, 10, True), ("T", 40, 70, False), ("U", 80, 90, True)]
    [disagreement] = disagreements(coding)
    assert disagreement.coverage == {"c0": ((40, 60),), "c1": ((50, 70),)}
    assert disagreements(coding, theme="u") == []


def test_a_coder_who_did_not_rate_a_document_is_missing_there():
    coding = coding_of({"a": 10, "b": 10}, {"T": {"a": [(0, 5)]}}, {"T": {"a": [(0, 5)], "b": [(0, 10)]}},
                       rated=[{"a"}, None])
    result = compare(coding).themes[0].agreement
    assert result.percent_agreement == 100  # only document a has two answers
    assert result.cohen_kappa == pytest.approx(1)


# -- from databases ---------------------------------------------------------------------------


def coder_database(corpus_dir: Path, tmp_path: Path, name: str, passages: list[tuple[int, int, int]]) -> Path:
    """A coder database: (document index, start, end) passages tagged with theme 1."""
    database = tmp_path / "annotations" / "coders" / f"{name}.json"
    workspace = Workspace.open([corpus_dir], database=database, author=name)
    theme = workspace.themes[0]
    for index, start, end in passages:
        workspace.toggle_theme(workspace.documents[index], start, end, theme)
    workspace.close()
    return database


def test_load_reads_databases_and_document_lengths(corpus_dir, tmp_path):
    ana = coder_database(corpus_dir, tmp_path, "ana", [(0, 0, 100), (1, 10, 20)])
    ben = coder_database(corpus_dir, tmp_path, "ben", [(0, 50, 150)])
    coding = load([ana, ben])
    assert coding.coders == ["ana", "ben"]
    workspace = Workspace.open([corpus_dir])
    lengths = {d.key: len(d.text) for d in workspace.documents[:2]}
    assert {key: doc.length for key, doc in coding.documents.items()} == lengths
    report = compare(coding)
    total = sum(lengths.values())
    assert report.themes[0].agreement.percent_agreement == pytest.approx(100 * (total - 100 - 10) / total)
    payload = json.loads(to_json(report, disagreements(coding), coding))
    assert payload["themes"][0]["theme"] == workspace.themes[0].name
    assert 0 <= payload["themes"][0]["percent_agreement"] <= 100
    assert {"cohen_kappa", "krippendorff_alpha", "gwet_ac1"} <= payload["overall"].keys()
    assert len(payload["disagreements"]) == 2
    text = to_markdown(report, disagreements(coding), coding)
    assert "Krippendorff" in text and "ana 0–100; ben 50–150" in text


def test_a_missing_document_falls_back_to_the_furthest_end(corpus_dir, tmp_path):
    ana = coder_database(corpus_dir, tmp_path, "ana", [(0, 0, 100)])
    ben = coder_database(corpus_dir, tmp_path, "ben", [(0, 50, 300)])
    document = Workspace.open([corpus_dir]).documents[0]
    document.path.unlink()
    coding = load([ana, ben])
    assert [doc.length for doc in coding.documents.values()] == [300]
    assert any("file not found" in warning for warning in coding.warnings)


def test_coder_names_are_unique():
    from tui.core.agreement import coder_names

    assert coder_names([Path("/p/annotations/coders/ana.json"), Path("/q/ben.json")]) == ["ana", "ben"]
    assert coder_names([Path("/a/coders/ana.json"), Path("/b/coders/ana.json"), Path("/x/ben.json"),
                        Path("/y/ben.json")]) == ["coders/ana.json (1)", "coders/ana.json (2)", "x/ben.json",
                                              "y/ben.json"]


def test_only_coded_documents_makes_the_others_missing(corpus_dir, tmp_path):
    ana = coder_database(corpus_dir, tmp_path, "ana", [(0, 0, 100), (1, 0, 50)])
    ben = coder_database(corpus_dir, tmp_path, "ben", [(0, 0, 100), (2, 0, 80)])
    everyone = compare(load([ana, ben])).themes[0].agreement
    assert everyone.percent_agreement < 100  # documents 1 and 2: one coder coded, the other did not
    shared = load([ana, ben], only_coded=True)
    assert [len(rated) for rated in shared.rated] == [2, 2]
    result = compare(shared).themes[0].agreement
    assert result.percent_agreement == 100 and result.cohen_kappa == pytest.approx(1)
    assert result.krippendorff_alpha == pytest.approx(1)
