"""Inter-coder agreement between coders' databases, character by character.

The unit is the character, as QualCoder reports it: every character of every document of the
corpus is, for each theme, coded or not coded by each coder. A theme's coverage by a coder is
the union of that coder's passages with the theme (overlapping passages count once).

Nothing here loops over characters. Per theme and document, the boundaries where any coder's
coverage starts or ends cut the text into segments in which every coder's answer is constant;
each segment adds its length to the count of its *pattern* (which coders rated the document,
which of them coded the segment). A theme's whole comparison is then a handful of
``pattern → characters`` counts, and every coefficient comes from those counts:

- **percent agreement**: the share of characters (rated by two coders or more) on which every
  coder gives the same answer;
- **Cohen's kappa** (two coders) and **Fleiss' kappa** (three or more), over the characters
  every coder rated;
- **Krippendorff's alpha** (nominal; any number of coders, missing answers allowed) from the
  coincidence matrix, each pattern weighted by its characters. The ``krippendorff`` package
  takes one row per unit and no weights, so a matrix of millions of characters would be
  needed; the tests check this computation against ``krippendorff.alpha`` on per-character
  matrices instead;
- **Gwet's AC1** (any number of coders, missing answers allowed).

A coefficient that is undefined (every character coded alike by everyone, so chance agreement
is total) is None. By default every coder rates every document of the corpus (a document no
coder's database knows is not part of it); ``rated`` can restrict a coder to some documents,
and the others then count as missing answers (what blind coding of assigned documents needs).

``passages`` lists, per theme and document, the runs of text any coder coded (passages that
overlap are matched into one run) with what each coder coded inside, and whether they all
agree; ``disagreements`` keeps those they do not. A compare screen can walk them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .codebook import folded
from .intervals import no_collection

Span = tuple[int, int]
Pattern = tuple[int, int]  # (bit mask of coders who rated, bit mask of those who coded)


@dataclass
class TeamDocument:
    """A document of the corpus the coders share. ``length`` is its text's; when the file is
    missing, the largest ``end`` over the coders' passages stands in (``estimated``)."""

    key: str  # the absolute path of its file
    title: str
    length: int
    text: str | None = None
    estimated: bool = False


@dataclass
class Coding:
    """What several coders coded, ready for comparison: per theme (by normalised name) and
    document key, each coder's coverage as sorted, disjoint, non-adjacent spans."""

    coders: list[str]
    documents: dict[str, TeamDocument]
    themes: dict[str, str]  # normalised name → name as shown
    coverage: dict[str, dict[str, list[list[Span]]]]  # theme → document → per coder
    rated: list[set[str] | None] = field(default_factory=list)  # per coder: documents rated (None: all)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.rated:
            self.rated = [None] * len(self.coders)

    def rated_mask(self, document: str) -> int:
        mask = 0
        for index, rated in enumerate(self.rated):
            if rated is None or document in rated:
                mask |= 1 << index
        return mask

    def used(self, theme: str) -> list[bool]:
        """Per coder: whether the coder coded anything with the theme."""
        documents = self.coverage.get(theme, {})
        return [any(spans[index] for spans in documents.values()) for index in range(len(self.coders))]


def union(spans: Iterable[Span], length: int | None = None) -> list[Span]:
    """Sorted, disjoint spans covering what ``spans`` cover (touching spans are joined),
    clipped to ``[0, length)``."""
    ordered = sorted(spans)
    merged: list[Span] = []
    if not ordered:
        return merged
    start, end = ordered[0]
    for next_start, next_end in ordered:
        if next_start <= end:
            if next_end > end:
                end = next_end
        else:
            merged.append((start, end))
            start, end = next_start, next_end
    merged.append((start, end))
    if length is not None and (merged[0][0] < 0 or merged[-1][1] > length or merged[0][0] >= merged[0][1]):
        merged = [(max(0, s), min(e, length)) for s, e in merged if min(e, length) > max(0, s)]
    return merged


def build_coding(coders: list[str], documents: dict[str, TeamDocument],
                 spans: list[dict[str, dict[str, list[Span]]]], names: dict[str, str] | None = None,
                 rated: list[set[str] | None] | None = None) -> Coding:
    """A ``Coding`` from plain data: per coder, theme name → document key → passages (spans
    may overlap). Names are matched ignoring case and runs of spaces."""
    shown: dict[str, str] = dict(names or {})
    coverage: dict[str, dict[str, list[list[Span]]]] = {}
    for index, by_theme in enumerate(spans):
        for theme, by_document in by_theme.items():
            key = folded(theme)
            shown.setdefault(key, theme)
            for document, passages in by_document.items():
                per_coder = coverage.setdefault(key, {}).setdefault(document, [[] for _ in coders])
                per_coder[index] = union([*per_coder[index], *passages], documents[document].length)
    return Coding(coders, documents, shown, coverage, list(rated) if rated else [])


# -- counting ---------------------------------------------------------------------------------

def pattern_counts(coding: Coding, theme: str) -> dict[Pattern, int]:
    """Characters per pattern for one theme (normalised name), over the whole corpus."""
    counts: dict[Pattern, int] = defaultdict(int)
    by_document = coding.coverage.get(theme, {})
    for key, document in coding.documents.items():
        rated = coding.rated_mask(key)
        if not rated:
            continue
        per_coder = by_document.get(key)
        covered = 0
        if per_coder:
            for (start, end), mask in segments(per_coder):
                coded = mask & rated
                counts[rated, coded] += end - start
                covered += end - start
        counts[rated, 0] += document.length - covered
    return {pattern: chars for pattern, chars in counts.items() if chars}


def segments(per_coder: list[list[Span]]) -> list[tuple[Span, int]]:
    """The stretches where at least one coder's coverage holds, cut wherever any coder's
    starts or ends, each with the mask of coders covering it. Each coder's spans are
    disjoint, so a boundary toggles that coder's bit."""
    toggles: dict[int, int] = defaultdict(int)
    for index, spans in enumerate(per_coder):
        bit = 1 << index
        for start, end in spans:
            toggles[start] ^= bit
            toggles[end] ^= bit
    result = []
    mask = 0
    previous = 0
    for position in sorted(toggles):
        if mask and position > previous:
            result.append(((previous, position), mask))
        mask ^= toggles[position]
        previous = position
    return result


# -- coefficients -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Agreement:
    """The coefficients for one theme (or all pooled), over ``characters`` characters."""

    coders: int
    characters: int
    coded: list[int]  # characters each coder coded
    percent_agreement: float | None
    cohen_kappa: float | None
    fleiss_kappa: float | None
    krippendorff_alpha: float | None
    gwet_ac1: float | None


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _chance_corrected(observed: float, chance: float) -> float | None:
    if chance >= 1 - 1e-12:
        return None
    return (observed - chance) / (1 - chance)


def coefficients(counts: dict[Pattern, int], coders: int) -> Agreement:
    """Every coefficient from the ``(rated, coded) → characters`` counts of ``coders`` coders."""
    everyone = (1 << coders) - 1
    characters = sum(counts.values())
    coded = [sum(chars for (_, mask), chars in counts.items() if mask >> index & 1)
             for index in range(coders)]
    # Answers per character: m raters, k of them "coded", m - k "not coded".
    units = [(bin(rated).count("1"), bin(mask).count("1"), chars) for (rated, mask), chars in counts.items()]
    pairable = [(m, k, chars) for m, k, chars in units if m >= 2]

    agreed = sum(chars for m, k, chars in pairable if k in (0, m))
    percent = _ratio(100 * agreed, sum(chars for _, _, chars in pairable))

    cohen = fleiss = None
    complete = {mask: chars for (rated, mask), chars in counts.items() if rated == everyone}
    total = sum(complete.values())
    if coders == 2 and total:
        both, first, second = complete.get(3, 0), complete.get(1, 0), complete.get(2, 0)
        observed = (total - first - second) / total
        p_first, p_second = (both + first) / total, (both + second) / total
        cohen = _chance_corrected(observed, p_first * p_second + (1 - p_first) * (1 - p_second))
    if coders >= 3 and total:
        m = coders
        observed = chance_one = 0.0
        for mask, chars in complete.items():
            k = bin(mask).count("1")
            observed += chars * (k * (k - 1) + (m - k) * (m - k - 1)) / (m * (m - 1))
            chance_one += chars * k / m
        p = chance_one / total
        fleiss = _chance_corrected(observed / total, p * p + (1 - p) * (1 - p))

    # Krippendorff's alpha, nominal: coincidences o[c][k] = sum over units of
    # n_uc * (n_uk - [c == k]) / (m_u - 1), each unit weighted by its characters.
    alpha = None
    o_00 = o_01 = o_11 = 0.0
    for m, k, chars in pairable:
        o_00 += chars * (m - k) * (m - k - 1) / (m - 1)
        o_11 += chars * k * (k - 1) / (m - 1)
        o_01 += chars * k * (m - k) / (m - 1)
    n_0, n_1 = o_00 + o_01, o_11 + o_01
    n = n_0 + n_1
    if n_0 > 0 and n_1 > 0:
        alpha = 1 - (n - 1) * o_01 / (n_0 * n_1)

    # Gwet's AC1 (two categories): agreement over units with two answers or more, chance
    # from the mean share of "coded" answers over every unit with an answer.
    ac1 = None
    if pairable:
        answered = sum(chars for m, _, chars in units if m >= 1)
        pi = sum(chars * k / m for m, k, chars in units if m >= 1) / answered
        observed = sum(chars * (k * (k - 1) + (m - k) * (m - k - 1)) / (m * (m - 1))
                       for m, k, chars in pairable)
        observed /= sum(chars for _, _, chars in pairable)
        ac1 = _chance_corrected(observed, 2 * pi * (1 - pi))
    return Agreement(coders, characters, coded, percent, cohen, fleiss, alpha, ac1)


@dataclass(frozen=True)
class ThemeAgreement:
    theme: str
    coders: list[str]  # coders who used the theme at all
    agreement: Agreement


@dataclass(frozen=True)
class Report:
    coders: list[str]
    themes: list[ThemeAgreement]
    overall: Agreement | None
    unused: list[str]  # themes of the codebooks that no coder used
    warnings: list[str]


def compare(coding: Coding, theme: str | None = None) -> Report:
    """Agreement per theme (those some coder used) and pooled over them (the overall figure
    counts each character once per theme). ``theme`` keeps one theme (by name)."""
    keys = list(coding.themes)
    if theme is not None:
        keys = [key for key in keys if key == folded(theme)]
        if not keys:
            raise KeyError(theme)
    results, unused = [], []
    pooled: dict[Pattern, int] = defaultdict(int)
    for key in keys:
        used = coding.used(key)
        if not any(used):
            unused.append(coding.themes[key])
            continue
        with no_collection():
            counts = pattern_counts(coding, key)
        for pattern, chars in counts.items():
            pooled[pattern] += chars
        names = [name for name, uses in zip(coding.coders, used, strict=True) if uses]
        results.append(ThemeAgreement(coding.themes[key], names, coefficients(counts, len(coding.coders))))
    overall = coefficients(pooled, len(coding.coders)) if results else None
    return Report(list(coding.coders), results, overall, unused, list(coding.warnings))


# -- passages ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Passage:
    """A run of text that at least one coder coded with ``theme`` (overlapping passages
    matched into one run), with each rating coder's coverage inside it; ``agreed`` when every
    coder who rated the document coded all of it."""

    document: str  # key: the file's absolute path
    theme: str
    start: int
    end: int
    coverage: dict[str, tuple[Span, ...]]  # coder → spans inside [start, end); () for none
    agreed: bool


def passages(coding: Coding, theme: str | None = None, document: str | None = None) -> list[Passage]:
    """Every coded run, document by document (corpus order), then by position and theme."""
    wanted = None if theme is None else folded(theme)
    found: list[Passage] = []
    order = {key: position for position, key in enumerate(coding.documents)}
    for key, by_document in coding.coverage.items():
        if wanted is not None and key != wanted:
            continue
        for document_key, per_coder in by_document.items():
            if document is not None and document_key != document:
                continue
            rated = coding.rated_mask(document_key)
            raters = [index for index in range(len(coding.coders)) if rated >> index & 1]
            every = union(span for index in raters for span in per_coder[index])
            for start, end in every:
                inside = {
                    coding.coders[index]: tuple(
                        (max(s, start), min(e, end)) for s, e in per_coder[index] if s < end and e > start
                    )
                    for index in raters
                }
                agreed = all(spans == ((start, end),) for spans in inside.values())
                found.append(Passage(document_key, coding.themes[key], start, end, inside, agreed))
    found.sort(key=lambda p: (order.get(p.document, len(order)), p.start, p.end, p.theme))
    return found


def disagreements(coding: Coding, theme: str | None = None, document: str | None = None) -> list[Passage]:
    """The coded runs on which the coders do not all agree."""
    return [passage for passage in passages(coding, theme, document) if not passage.agreed]


# -- reading coders' databases ----------------------------------------------------------------

def coder_names(databases: list[Path]) -> list[str]:
    """A name per database: the coder's (``coders/NAME.json``) or the file's stem; two alike
    get their folder too, and a number if that is not enough."""
    from .sharing import coder_of

    names = [coder_of(path) or path.stem for path in databases]
    names = [f"{path.parent.name}/{path.name}" if names.count(name) > 1 else name
             for name, path in zip(names, databases, strict=True)]
    return [f"{name} ({names[:index].count(name) + 1})" if names.count(name) > 1 else name
            for index, name in enumerate(names)]


def load(databases: list[Path], names: list[str] | None = None, only_coded: bool = False) -> Coding:
    """Open each database read-only (a running Margin may be writing it) with its documents,
    re-anchoring passages of changed documents in memory as an export does; one at a time,
    keeping only its passages. Raises ``StoreError`` for a database that cannot be opened.

    ``only_coded``: a coder rated only the documents their database records (those they
    coded something in); elsewhere their answers are missing, not "not coded"."""
    from .workspace import Workspace

    names = names or coder_names(databases)
    documents: dict[str, TeamDocument] = {}
    missing: dict[str, TeamDocument] = {}  # files not found: the furthest end coded stands in
    warnings: list[str] = []
    spans: list[dict[str, dict[str, list[Span]]]] = []
    shown: dict[str, str] = {}
    rated: list[set[str] | None] = []
    for path in databases:
        workspace = Workspace.open_database(path)
        workspace.reanchor_changed_documents()
        store = workspace.store
        warnings += [warning for warning in workspace.corpus.skipped if warning not in warnings]
        for document in workspace.documents:
            if document.key not in documents and not document.problem:
                documents[document.key] = TeamDocument(document.key, document.title, len(document.text),
                                                       document.text)
        keys = {document_id: str(store.file_of(document_id)) for document_id in store.documents}
        rated.append(set(keys.values()) if only_coded else None)
        theme_names = {theme.id: theme.name for theme in store.themes}
        for theme in store.themes:
            shown.setdefault(folded(theme.name), theme.name)
        grouped: dict[tuple[int, int], list[Span]] = defaultdict(list)  # (theme, document) → passages
        with no_collection():
            for annotation in store.annotations.values():
                if not annotation.orphaned:
                    span = (annotation.start, annotation.end)
                    for theme_id in annotation.themes:
                        grouped[theme_id, annotation.document].append(span)
        mine: dict[str, dict[str, list[Span]]] = {}
        for (theme_id, document_id), found in grouped.items():
            if theme_id not in theme_names or document_id not in keys:
                continue
            key = keys[document_id]
            if key not in documents:
                stored = store.documents[document_id]
                entry = missing.setdefault(key, TeamDocument(key, stored.title or stored.path, 0,
                                                             estimated=True))
                entry.length = max(entry.length, max(end for _, end in found))
            mine.setdefault(theme_names[theme_id], {})[key] = found
        spans.append(mine)
        del workspace, store
    for key, entry in missing.items():
        if key in documents:  # read from a later database after all
            continue
        warnings.append(f"{key}: file not found; its length is taken as the furthest coded character "
                        f"({entry.length})")
        documents[key] = entry
    with no_collection():
        coding = build_coding(names, documents, spans, shown, rated)
    coding.warnings = warnings
    return coding


# -- reports ----------------------------------------------------------------------------------

def _figure(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def to_markdown(report: Report, found: list[Passage] | None = None, coding: Coding | None = None) -> str:
    """Tables for the terminal or a paper; with ``found``, the disagreeing passages after them."""
    from .stats import table

    kappa_name = "Cohen's κ" if len(report.coders) == 2 else "Fleiss' κ"
    lines = [f"# Agreement between {len(report.coders)} coders: {', '.join(report.coders)}", "",
             "Unit: the character (each character of each document, coded or not with the theme).", ""]
    rows = []
    overall = [ThemeAgreement("Overall", report.coders, report.overall)] if report.overall else []
    for item in [*report.themes, *overall]:
        a = item.agreement
        kappa = a.cohen_kappa if len(report.coders) == 2 else a.fleiss_kappa
        rows.append([item.theme, ", ".join(item.coders), " / ".join(f"{c:,}" for c in a.coded),
                     _figure(a.percent_agreement, 1), _figure(kappa), _figure(a.krippendorff_alpha),
                     _figure(a.gwet_ac1)])
    lines += table(["Theme", "Used by", "Characters coded (per coder)", "Agreement %", kappa_name,
                    "Krippendorff's α", "Gwet's AC1"], rows)
    if report.unused:
        lines += ["", "Not used by any coder: " + ", ".join(report.unused)]
    if found is not None and coding is not None:
        lines += ["", f"## Disagreements ({len(found)})", ""]
        for passage in found:
            lines.append(describe(passage, coding))
    return "\n".join(lines) + "\n"


def describe(passage: Passage, coding: Coding, width: int = 70) -> str:
    """One line: where, which theme, what each coder coded, and the start of the text."""
    document = coding.documents.get(passage.document)
    title = document.title if document else passage.document
    who = "; ".join(
        f"{coder} " + (", ".join(f"{s}–{e}" for s, e in spans) if spans else "none")
        for coder, spans in passage.coverage.items()
    )
    quote = ""
    if document is not None and document.text is not None:
        excerpt = " ".join(document.text[passage.start:passage.end].split())
        quote = f" “{excerpt[:width]}{'…' if len(excerpt) > width else ''}”"
    return f"- {title}, characters {passage.start}–{passage.end}, {passage.theme}: {who}.{quote}"


def _agreement_json(agreement: Agreement) -> dict:
    return {
        "characters": agreement.characters,
        "coded_characters": agreement.coded,
        "percent_agreement": agreement.percent_agreement,
        "cohen_kappa": agreement.cohen_kappa,
        "fleiss_kappa": agreement.fleiss_kappa,
        "krippendorff_alpha": agreement.krippendorff_alpha,
        "gwet_ac1": agreement.gwet_ac1,
    }


def to_json(report: Report, found: list[Passage] | None = None, coding: Coding | None = None) -> str:
    import json

    payload: dict = {
        "unit": "character",
        "coders": report.coders,
        "themes": [{"theme": item.theme, "coders": item.coders, **_agreement_json(item.agreement)}
                   for item in report.themes],
        "overall": _agreement_json(report.overall) if report.overall else None,
        "unused_themes": report.unused,
        "warnings": report.warnings,
    }
    if found is not None and coding is not None:
        payload["disagreements"] = [
            {"document": passage.document,
             "title": coding.documents[passage.document].title,
             "theme": passage.theme, "start": passage.start, "end": passage.end,
             "coders": {coder: [list(span) for span in spans] for coder, spans in passage.coverage.items()}}
            for passage in found
        ]
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
