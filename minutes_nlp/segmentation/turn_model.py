"""The trained turn finder: two linear-chain CRFs (python-crfsuite) over the features of features.py.

The unit tagger reads the document as a sequence of units and labels each one B-<kind> or I; the speaker
tagger reads the opening window of each turn and labels the tokens that name the speaker (B-S, I-S).
Both are trained from annotated records (the corpus, re-rendered in many layouts by layouts.py) and saved
as CRFsuite model files, a plain binary format that holds weights only (no pickle), beside a card.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pycrfsuite
from scipy.sparse import csr_matrix

from minutes_nlp.classifiers.model_store import ModelError
from minutes_nlp.errors import NoSpeakers
from minutes_nlp.i18n import _
from minutes_nlp.segmentation import rules
from minutes_nlp.segmentation.features import (
    DocContext,
    TokenNames,
    context,
    name_before_colon,
    speaker_window,
    tail_attribution,
    token_features,
    trim_end,
    unit_features,
)
from minutes_nlp.segmentation.header import office_role, parse_header
from minutes_nlp.segmentation.lexicon import (
    ASKING_WORDS,
    FAMILY_NAMES,
    MIDDLE_NAMES,
    ROLE_HEADS,
    SPEECH_PHRASES,
    title_family,
)
from minutes_nlp.segmentation.sentences import split_sentences
from minutes_nlp.types import Segment, SegmentedDocument

FORMAT_VERSION = 1
FILES = ("units.crfsuite", "speakers.crfsuite", "roles.json")
_CONTENT_LABEL = re.compile(r"\s*(?:nội dung(?: ý kiến| phát biểu)?|ý kiến)\s*:\s*", re.IGNORECASE)
_JOINT_GAP = re.compile(
    r"\s*(?:,|và|;)?\s*(?:(?:các\s+)?(?:đồng chí|đ/c|ông|bà|anh|chị|cô|thầy|chú)\s+)?$", re.IGNORECASE
)
_LETTERS = re.compile(r"[^\W\d_]+")
_JOINT_HEAD = re.compile(
    r"(?:Các|các|CÁC)\s+(?:đồng chí|đ/c|Đ/c|Đ/C|ĐỒNG CHÍ|ông|bà|anh|chị)\s+(" + rules._NAMES + r")\s*,\s*$"
)
_JOINT_OPEN = re.compile(r"(?:Các|các|CÁC)\s+(?:đồng chí|đ/c|Đ/c|Đ/C|ĐỒNG CHÍ)\s+$")
_NEXT_NAME = re.compile(r"\s*(?:,|\s+và)\s+(?:(?:đồng chí|đ/c|Đ/c)\s+)?(" + rules._NAMES + r")")
_SENTENCE_BREAK = re.compile(r"[!?;]\s|[^\W\d_]{3,}\.\s")
_CELL_SEP = re.compile(r"\s*(?:\||\t)\s*")


# ---- gold sequences from annotated records -------------------------------------------------------------


def unit_labels(ctx: DocContext, segments: list[dict]) -> list[str]:
    """B-<kind> where an annotated segment opens at (or within 3 characters of) a unit's start, else I."""
    opens = {s["start"]: s["kind"] for s in segments}
    labels = []
    for u in ctx.units:
        kind = next((opens[p] for p in range(u.start - 1, min(u.end, u.start + 4)) if p in opens), None)
        labels.append(f"B-{kind}" if kind else "I")
    if labels and labels[0] == "I":
        labels[0] = "B-procedural"
    return labels


def speaker_labels(ctx: DocContext, toks: list[tuple[int, int, str]], speaker: str | None) -> list[str]:
    """B-S/I-S on the tokens that spell each of the speaker's names in the window, O elsewhere."""
    tags = ["O"] * len(toks)
    if not speaker or not toks:
        return tags
    text = ctx.text
    lo, hi = toks[0][0], toks[-1][1]
    window = text[lo:hi].casefold()
    starts = {t[0] for t in toks}
    ends = {t[1] for t in toks}
    for name in speaker.split(", "):
        # the name as the window's tokens spell it (the window skips the middle of a long remark), written
        # with a capital where it can be: "lợi ích" is not đ/c Lợi
        found = []
        at = window.find(name.casefold())
        while at >= 0:
            a, b = lo + at, lo + at + len(name)
            if a in starts and b in ends:
                found.append(a)
            at = window.find(name.casefold(), at + 1)
        if not found:
            continue
        a = next((x for x in found if text[x].isupper()), found[0])
        b = a + len(name)
        first = True
        for i, (s, e, _word) in enumerate(toks):
            if s >= a and e <= b:
                tags[i] = "B-S" if first else "I-S"
                first = False
    return tags


_VERB = re.compile(
    r"\s(?:" + "|".join(re.escape(v) for v in sorted(SPEECH_PHRASES, key=len, reverse=True)) + r")\b", re.IGNORECASE
)


def marker_region(text: str, start: int, content: int, name_end: int, end: int) -> str:
    """The words around the speaker's name that may state a role: up to the speech verb or the remark
    ("Đồng chí Đông, chi ủy viên, Phó Trưởng phòng cho biết …"); words after the verb name someone else;
    for a speaker named after the remark, the attribution ("… (ý kiến đ/c Tâm, chi ủy viên)")."""
    if name_end > start:  # a speaker named at the end: "… (ý kiến đ/c Tâm, chi ủy viên)", "… – Đ/c Hạnh, tổ 3"
        line_start = max(start, text.rfind("\n", 0, name_end) + 1)
        line_end = text.find("\n", name_end, end)
        line_end = end if line_end < 0 else line_end
        kind, _family, _caps, at, _name_at, _name_end = tail_attribution(text[line_start:line_end])
        if kind != "none" and start + 10 < line_start + at < name_end:
            return text[line_start + at : line_end][:200]
    stop = max(content, start)
    if name_end > start and content > name_end:  # "A, Phó Bí thư hỏi quần chúng Mến:": the rest names whom A asks
        verb = _VERB.search(text, name_end, content)
        stop = verb.start() if verb else stop
    elif content <= max(name_end, start):
        tail_end = min(end, max(name_end, start) + 90)
        verb = _VERB.search(text, max(name_end, start), tail_end)
        colon = text.find(":", max(name_end, start), tail_end)
        cuts = [x for x in (verb.start() if verb else -1, colon) if x >= 0]
        stop = min(cuts) if cuts else tail_end
    return text[start:stop][:200]


def _blank(region: str, name: str) -> str:
    """Region with every occurrence of name, in any case, replaced by a space.

    A literal search: a pattern compiled per name would also push the constant patterns out of re's cache.
    """
    low, key = region.lower(), name.lower()
    if not key or len(low) != len(region) or len(key) != len(name):  # lower() changed lengths: let re decide
        return re.sub(re.escape(name), " ", region, flags=re.IGNORECASE)
    parts, i = [], 0
    while (j := low.find(key, i)) >= 0:
        parts.append(region[i:j])
        i = j + len(key)
    parts.append(region[i:])
    return " ".join(parts)


def role_features(ctx: DocContext, kind: str, start: int, region: str, speaker: str | None, rule_role: str) -> dict:
    """What decides a speaker's role: the words of the marker around the name, the header, the rules."""
    if speaker:
        for name in speaker.split(", "):
            region = _blank(region, name)
    words = [w.lower() for w in _LETTERS.findall(region)]
    header_role = _header_role(ctx.header_people, speaker)
    office = office_role(" ".join(region.split()).strip(" :-–,()")) if region.strip() else None
    f = {
        "bias": 1.0,
        f"rule={rule_role}": 1.0,
        f"kind={kind}": 1.0,
        f"header={header_role}": 1.0,
        f"office={office}": 1.0,
    }
    if ctx.rule is not None:
        seg = ctx.rule_segment(start)
        f[f"rule_segment={seg.role if seg else None}"] = 1.0
    for i, w in enumerate(words):
        f[f"w={w}"] = 1.0
        if i + 1 < len(words):
            f[f"b={w} {words[i + 1]}"] = 1.0
    return f


def _header_role(header_people: dict[str, str], speaker: str | None) -> str | None:
    if not speaker:
        return None
    low = speaker.lower()
    for name, role in header_people.items():
        if low == name or (len(low.split()) == 1 and name.split()[-1] == low):
            return role
    return None


def sequences(records: list[dict]):
    """(unit features, unit labels, [(token features, token labels)], [(role features, role)]) of each record."""
    for rec in records:
        ctx = context(rec["text"])
        X = unit_features(ctx)
        y = unit_labels(ctx, rec["segments"])
        by_start = {s["start"]: s for s in rec["segments"]}
        spk, roles = [], []
        people = rules._People(ctx.header)
        for k, lab in enumerate(y):
            if lab == "I" or lab == "B-procedural":
                continue
            u = ctx.units[k]
            seg = next((by_start[p] for p in range(u.start - 1, u.start + 4) if p in by_start), None)
            if seg is None:
                continue
            toks = speaker_window(ctx, k, seg["end"])
            if not toks:
                continue
            tags = speaker_labels(ctx, toks, seg.get("speaker"))
            spk.append((token_features(ctx, toks)[0], tags))
            if seg.get("role") and seg.get("speaker") and ", " not in seg["speaker"]:
                _names_found, last = _names(ctx.text, toks, tags)
                content = _content_start(ctx.text, ctx, k, seg["end"], last)
                region = marker_region(ctx.text, seg["start"], content, last, seg["end"])
                rule_role = people.role(seg["speaker"], region.lower())
                features = role_features(ctx, seg["kind"], seg["start"], region, seg["speaker"], rule_role)
                roles.append((features, seg["role"]))
        yield X, y, spk, roles


# ---- training, saving, loading -------------------------------------------------------------------------


def _sha256(directory: Path) -> str:
    h = hashlib.sha256()
    for name in FILES:
        h.update((directory / name).read_bytes())
    return h.hexdigest()


def train(
    records: list[dict],
    out: str | Path,
    *,
    c1: float = 0.05,
    c2: float = 0.01,
    iterations: int = 150,
    card: dict | None = None,
) -> dict:
    """Train both taggers on annotated records and write them with a card to the directory out."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    units_trainer = pycrfsuite.Trainer(verbose=False)
    speakers_trainer = pycrfsuite.Trainer(verbose=False)
    n_units = n_windows = 0
    role_X, role_y = [], []
    for X, y, spk, roles in sequences(records):
        units_trainer.append(X, y)
        n_units += len(y)
        for tx, ty in spk:
            speakers_trainer.append(tx, ty)
            n_windows += 1
        for rx, ry in roles:
            role_X.append(rx)
            role_y.append(ry)
    params = {"c1": c1, "c2": c2, "max_iterations": iterations, "feature.possible_transitions": True}
    for trainer in (units_trainer, speakers_trainer):
        trainer.set_params(params)
    units_trainer.train(str(out / "units.crfsuite"))
    speakers_trainer.train(str(out / "speakers.crfsuite"))
    _train_roles(role_X, role_y, out / "roles.json")
    info = {
        "name": out.name,
        "kind": "turn-finder",
        "format_version": FORMAT_VERSION,
        "libraries": _libraries(),
        "params": {"c1": c1, "c2": c2, "max_iterations": iterations},
        "records": len(records),
        "units": n_units,
        "speaker_windows": n_windows,
        "train_seconds": round(time.perf_counter() - t0, 1),
        **(card or {}),
    }
    info["model_sha256"] = _sha256(out)
    (out / "card.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return info


def _libraries() -> dict[str, str]:
    import platform
    from importlib.metadata import version

    return {
        "python": platform.python_version(),
        "minutes-nlp": version("minutes-nlp"),
        "python-crfsuite": version("python-crfsuite"),
        "scikit-learn": version("scikit-learn"),
    }


def _train_roles(X: list[dict], y: list[str], path: Path) -> None:
    """A multinomial logistic regression of the role, saved as plain JSON weights."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    clf = LogisticRegression(C=2.0, max_iter=2000).fit(vec.fit_transform(X), y)
    names = vec.get_feature_names_out()
    weights = {}
    for j, name in enumerate(names):
        col = clf.coef_[:, j]
        if abs(col).max() > 1e-4:
            weights[name] = [round(float(v), 5) for v in col]
    model = {
        "classes": list(clf.classes_),
        "intercept": [round(float(v), 5) for v in clf.intercept_],
        "weights": weights,
    }
    path.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True), encoding="utf-8")


class _RoleModel:
    def __init__(self, path: Path):
        data = json.loads(path.read_text(encoding="utf-8"))
        self.classes = data["classes"]
        self.intercept = data["intercept"]
        self.weights = data["weights"]

    def __call__(self, features: dict) -> str:
        scores = list(self.intercept)
        weights = self.weights
        for name, value in features.items():
            w = weights.get(name)
            if w:
                scores = [s + x * value for s, x in zip(scores, w)]
        return self.classes[max(range(len(scores)), key=scores.__getitem__)]


def training_records(records: list[dict], templates: tuple[str, ...], per_record: int, seed: int) -> list[dict]:
    """The records as written, each re-rendered in per_record templates drawn at random (layouts.py), and short
    excerpts of some re-renderings."""
    import random

    from minutes_nlp.segmentation.layouts import excerpt, render

    rng = random.Random(seed)
    out = list(records)
    for r in records:
        for t in rng.sample(list(templates), min(per_record, len(templates))):
            rendered = render(r, t, seed)
            out.append(rendered)
            if rng.random() < 0.3:
                out.append(excerpt(rendered, seed))
    return out


def train_from_corpus(
    corpus: str | Path,
    out: str | Path,
    *,
    split: str = "train+dev",
    held_out: bool = False,
    per_record: int = 7,
    seed: int = 13,
    iterations: int = 150,
    extra: Sequence[str | Path] = (),
) -> dict:
    """Train the turn finder on the corpus' split(s) and its re-renderings; score the test split; write a card.

    held_out=True trains without the held-out layout templates (for the generalisation benchmark). extra: more
    corpus files trained on whole (every split), re-rendered like the corpus: minutes by other hands (scored
    challenge sets) and people's corrections from the service, whose layouts the generator does not know.
    """
    from minutes_nlp.corpus.dataset import load
    from minutes_nlp.segmentation.evaluate import score
    from minutes_nlp.segmentation.layouts import HELD_OUT, TEMPLATES, TRAINING

    corpus = Path(corpus)
    records = load(corpus)
    splits = split.split("+")
    chosen = [r for r in records if r["meta"].get("split") in splits]
    if not chosen:
        raise ModelError(str(corpus), f"no meeting in split {split}")
    extra_records = []
    for path in extra:
        extra_records += [r for r in load(Path(path)) if _segments_reviewed(r)]
    templates = TRAINING if held_out else tuple(TEMPLATES)
    data = training_records(chosen + extra_records, templates, per_record, seed)
    card = {
        "corpus": corpus.name,
        "corpus_sha256": hashlib.sha256(corpus.read_bytes()).hexdigest(),
        "train_split": split,
        "train_meetings": len(chosen),
        "extra": [
            {"file": Path(p).as_posix(), "sha256": hashlib.sha256(Path(p).read_bytes()).hexdigest()} for p in extra
        ],
        "extra_meetings": len(extra_records),
        "train_records": len(data),
        "templates": list(templates),
        "held_out_templates": list(HELD_OUT) if held_out else [],
        "per_record": per_record,
        "seed": seed,
    }
    info = train(data, out, iterations=iterations, card=card)
    test = [r for r in records if r["meta"].get("split") == "test" and "test" not in splits]
    if test:
        finder = TurnFinder(out)
        info["test"], _errors = score(test, lambda text, rid: finder(text, rid, sentences=False))
        card_path = Path(out) / "card.json"
        card_path.write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (Path(out) / "card.md").write_text(render_card(info), encoding="utf-8")
    return info


def _segments_reviewed(record: dict) -> bool:
    """False for a record whose contributions nobody checked: 'corrections export' writes meetings with only
    sentence labels from the annotation queue, their segments as the automatic analysis cut them."""
    meta = record.get("meta", {})
    return "corrections" in meta or "queue_labels" not in meta


def render_card(info: dict) -> str:
    """The turn finder's card as Markdown."""
    lines = [
        f"# Model card: {info.get('name')} (turn finder)",
        "",
        "Two linear-chain CRFs (python-crfsuite): a unit tagger (B-<segment kind> / I over lines and",
        "sentence pieces) and a speaker tagger (B-S / I-S over the tokens opening a turn), plus a logistic",
        "regression of the speaker's role stored as plain JSON weights. No pickle anywhere.",
        'Speakers named after their remarks ("… (ý kiến của đ/c Tâm)", "… – Hạnh, tổ 3") are read from',
        "the attribution closing the turn's last line (features.tail_attribution).",
        "",
        f"- training data: `{info.get('corpus')}` sha256 `{info.get('corpus_sha256')}`, "
        f"split `{info.get('train_split')}` ({info.get('train_meetings')} meetings, "
        f"{info.get('train_records')} records with re-renderings)",
        *[f"- also trained on: `{e['file']}` sha256 `{e['sha256']}`" for e in info.get("extra", [])],
        f"- layout templates: {', '.join(info.get('templates', []))}",
        f"- held out from training: {', '.join(info.get('held_out_templates', [])) or 'none'}",
        f"- parameters: {json.dumps(info.get('params'))}; seed {info.get('seed')}; "
        f"trained in {info.get('train_seconds')} s",
        f"- libraries: {', '.join(f'{k} {v}' for k, v in info.get('libraries', {}).items())}",
        f"- model files sha256: `{info.get('model_sha256')}`",
        "",
    ]
    if info.get("test"):
        t = info["test"]
        lines += [
            "## Corpus test split",
            "",
            f"contribution F1 {t['contribution_f1']:.3f} (P {t['contribution_precision']:.3f}, "
            f"R {t['contribution_recall']:.3f}), speaker accuracy {t['speaker_accuracy']:.3f}, "
            f"role accuracy {t['role_accuracy']:.3f}, attendance fields {t['attendance_field_accuracy']:.3f}",
            "",
            "Rebuild: `minutes-nlp train-segmenter --out models/segmenter"
            + "".join(f" --extra {e['file']}" for e in info.get("extra", []))
            + "`; per-layout numbers: `python benchmarks/layouts.py`.",
        ]
    return "\n".join(lines) + "\n"


class _Decoder:
    """Viterbi over the unit tagger's own weights, with some labels ruled out where an exact rule decides.

    CRFsuite's tagger cannot be told that a vote or a photo caption is procedural; fixing such a label
    after decoding would leave its neighbours decided for the wrong context, so the constraint goes into
    the search instead.
    """

    def __init__(self, tagger: pycrfsuite.Tagger):
        info = tagger.info()
        self.labels = list(tagger.labels())
        index = {label: i for i, label in enumerate(self.labels)}
        self.attrs: dict[str, int] = {}
        rows, cols, weights = [], [], []
        for (attr, label), w in info.state_features.items():
            rows.append(self.attrs.setdefault(attr, len(self.attrs)))
            cols.append(index[label])
            weights.append(w)
        self.state = np.zeros((len(self.attrs), len(self.labels)))
        np.add.at(self.state, (rows, cols), weights)
        self.transition = np.zeros((len(self.labels), len(self.labels)))
        for (a, b), w in info.transitions.items():
            self.transition[index[a], index[b]] = w
        self.index = index
        # the transition scores into each label, from each label
        self.into = [[float(self.transition[i, j]) for i in range(len(self.labels))] for j in range(len(self.labels))]
        # the column of "key:value" by key, then value, without building the string (a key may hold ":" too)
        self.by_value: dict[str, dict[str, int]] = {}
        for attr, j in self.attrs.items():
            at = attr.find(":")
            while at >= 0:
                self.by_value.setdefault(attr[:at], {})[attr[at + 1 :]] = j
                at = attr.find(":", at + 1)

    def __call__(self, features: list[dict], only: dict[int, str]) -> list[str]:
        """The best label sequence; only maps a unit to the one label it may take."""
        data, cols, indptr = [], [], [0]
        by_value, attrs, none = self.by_value, self.attrs, {}
        for f in features:
            for key, value in f.items():
                if isinstance(value, str):  # the attribute "key:value"
                    j = by_value.get(key, none).get(value)
                    if j is not None:
                        cols.append(j)
                        data.append(1.0)
                elif value is not False:  # as features._crf: a flag weighs 1.0, a False one is left out
                    j = attrs.get(key)
                    if j is not None:
                        cols.append(j)
                        data.append(1.0 if value is True else value)
            indptr.append(len(cols))
        x = csr_matrix((data, cols, indptr), shape=(len(features), len(self.attrs)))
        emission = np.asarray(x @ self.state)
        for k, label in only.items():
            keep = emission[k, self.index[label]]
            emission[k] = -1e9
            emission[k, self.index[label]] = keep
        # Viterbi in plain floats (five labels: numpy's per-call cost is most of the work there), adding and
        # comparing as numpy would: (delta[i] + transition[i][j]) + emission[j], the first of equal scores
        rows = emission.tolist()
        labels = range(len(self.labels))
        into = self.into
        delta = rows[0]
        backs = []
        for e in rows[1:]:
            new, back = [], []
            for j in labels:
                tj, ej = into[j], e[j]
                best, arg = delta[0] + tj[0] + ej, 0
                for i in labels[1:]:
                    v = delta[i] + tj[i] + ej
                    if v > best:
                        best, arg = v, i
                new.append(best)
                back.append(arg)
            delta = new
            backs.append(back)
        path = [max(labels, key=delta.__getitem__)]
        for back in reversed(backs):
            path.append(back[path[-1]])
        return [self.labels[i] for i in reversed(path)]


class TurnFinder:
    """The two taggers of a model directory, opened once; call it on normalised text."""

    def __init__(self, directory: str | Path):
        directory = Path(directory)
        card_path = directory / "card.json"
        if not card_path.is_file() or not all((directory / f).is_file() for f in FILES):
            raise ModelError(
                str(directory), "not a turn-finder model directory", "rebuild it with 'minutes-nlp train-segmenter'"
            )
        self.card = json.loads(card_path.read_text(encoding="utf-8"))
        if self.card.get("format_version") != FORMAT_VERSION:
            raise ModelError(
                str(directory),
                f"turn-finder format {self.card.get('format_version')} is not {FORMAT_VERSION}",
                "rebuild it with 'minutes-nlp train-segmenter'",
            )
        if _sha256(directory) != self.card.get("model_sha256"):
            raise ModelError(
                str(directory),
                "model files do not match the SHA-256 in card.json",
                "rebuild it with 'minutes-nlp train-segmenter' or restore the original files",
            )
        units = pycrfsuite.Tagger()  # read once for its weights: decoding is _Decoder's
        units.open(str(directory / "units.crfsuite"))
        self.decode = _Decoder(units)
        self.speakers = pycrfsuite.Tagger()
        self.speakers.open(str(directory / "speakers.crfsuite"))
        # the word names this model weighs; the others are left out before tagging (TokenNames)
        self.token_names = TokenNames(frozenset(attr for attr, _label in self.speakers.info().state_features))
        self.roles = _RoleModel(directory / "roles.json")

    def __call__(self, text: str, source: str = "<text>", sentences: bool = True) -> SegmentedDocument:
        """Return the segments, header facts and stated remark count of normalised minutes text.

        Raises NoSpeakers when no turn is found.
        """
        ctx = context(text)
        if not ctx.units:
            raise NoSpeakers(source, _("no speaker turn found"), _("check that the file is meeting minutes"))
        features = unit_features(ctx, crf=False, names=self.token_names)  # booleans as they are: the decoder reads them
        # exact rules stay exact: votes, closing lines, signatures, photo captions and the header's
        # "Chủ trì: …" / "Thư ký: …" lines are procedural
        only = {
            k: "B-procedural"
            for k, f in enumerate(features)
            if f.get("closing") or f.get("line_photo") or f.get("role_label")
        }
        for k, u in enumerate(ctx.units):  # a line of stars or dashes opens nothing: it goes with what it follows
            if k and k not in only and not any(c.isalnum() for c in text[u.start : u.end]):
                only[k] = "I"
        labels = self.decode(features, only)
        current = None
        for k, f in enumerate(features):
            # inside the discussion, a new speaker the rules name opens a turn; under the discussion's heading
            # after procedural text only one they name in the line ("Theo đồng chí H'Nga Byă, …"), not
            # "Đồng chí chủ trì đề nghị các đồng chí phát biểu ngắn"; but where speakers are named after their
            # remarks, a name closing a line closes the turn begun lines before (unless the line before closed
            # one too: then this line is a one-line remark)
            closes = f.get("line_attr", "none") != "none" or f.get("unit_is_attr")
            trailing = ctx.names_at_end and closes and f.get("prev_line_attr") != "named"
            if (
                labels[k] in ("I", "B-procedural")
                and f.get("rule_kind") == "discussion"
                and k not in only
                and not trailing
                and (
                    (labels[k] == "I" and current == "discussion")
                    or (
                        (current == "procedural" or labels[k] == "B-procedural")
                        and f.get("state") == "disc"
                        and _names_in_line(ctx, k)
                    )
                )
            ):
                labels[k] = "B-discussion"
            if labels[k] != "I":
                current = labels[k][2:]
        opens = [(k, lab[2:]) for k, lab in enumerate(labels) if lab != "I"]
        if not opens or opens[0][0] != 0:
            opens.insert(0, (0, "procedural"))
        spans = []
        for j, (k, kind) in enumerate(opens):
            end = ctx.units[opens[j + 1][0]].start if j + 1 < len(opens) else len(text)
            spans.append((k, kind, ctx.units[k].start, end))
        turns = [s for s in spans if s[1] != "procedural"]
        if not turns:
            raise NoSpeakers(source, _("no speaker turn found"), _("check that the file is meeting minutes"))
        rule_first = next((x.start for x in ctx.rule.segments if x.kind != "procedural"), None) if ctx.rule else None
        # the rules already read the header up to their first turn; read it again only if ours differs
        header = ctx.rule.header if rule_first == turns[0][2] else parse_header(text, turns[0][2])
        people = rules._People(header)
        found = []
        for k, kind, start, end in spans:
            e = trim_end(text, start, end)
            if kind == "procedural":
                found.append((Segment(start, e, kind), start, -1))
                continue
            toks = speaker_window(ctx, k, e)
            token_feats, in_attr = token_features(ctx, toks, self.token_names) if toks else ([], [])
            tags = self.speakers.tag(token_feats) if toks else []
            closing = ctx.names_at_end and any(t != "O" and a for t, a in zip(tags, in_attr))
            if closing:  # the name in the attribution closing the remark is its speaker; those before are mentions
                tags = [t if a else "O" for t, a in zip(tags, in_attr)]
            names, last = _names(text, toks, tags)
            if closing:  # and a joint remark's other names after it: "(ý kiến các đ/c Hạnh, Mến, Cường)"
                joint = _attributed_names(ctx, start, e)
                if len(joint) > len(names) and names and joint[0] == names[0]:
                    names = joint
            speaker = ", ".join(names) if names else None
            if speaker is None:  # the model names nobody: take what the rules read here ("Đ/c Bí thư giải thích")
                rule_seg = ctx.rule_segment(start)
                speaker = rule_seg.speaker if rule_seg else None
            if speaker is None and kind == "discussion" and ctx.names_at_end:  # or the name closing the remark
                speaker = _attributed_name(ctx, start, e)
            if speaker is None and kind == "discussion":  # or the capitalised name right after a title
                speaker = _titled_name(toks) or _family_run(toks)
            if speaker is None and kind in ("chair_report", "chair_conclusion"):
                speaker = header.chair
            content = _content_start(text, ctx, k, e, last)
            if speaker is None and kind == "discussion":
                speaker = _office_named(text, marker_region(text, start, content, last, e), header)
                speaker = speaker or name_before_colon(toks)
                if speaker is None:  # a contribution names its speaker (codebook §2): "Các đ/c khác nhất trí …"
                    found.append((Segment(start, e, "procedural"), start, -1))
                    continue
            for n in names:
                people.add(n)
            found.append((Segment(start, e, kind, speaker), content, last))
        for seg, content, last in found:
            if seg.kind == "procedural":
                continue
            region = marker_region(text, seg.start, content, last, seg.end)
            if seg.kind == "chair_conclusion" and (seg.speaker is None or seg.speaker == header.chair):
                seg.role = "chair"
            elif seg.speaker and ", " in seg.speaker:
                seg.role = _highest([people.role(n, "") for n in seg.speaker.split(", ")])
            elif seg.speaker:
                rule_role = people.role(seg.speaker, region.lower())
                seg.role = self.roles(role_features(ctx, seg.kind, seg.start, region, seg.speaker, rule_role))
            else:
                seg.role = "chair"
            if seg.kind == "discussion" and sentences:
                seg.sentences = split_sentences(text, max(content, seg.start), seg.end)
        segments = [found_seg for found_seg, _content, _last in found if found_seg.start < found_seg.end]
        stated = ctx.rule.stated_remarks if ctx.rule is not None else None
        return SegmentedDocument(text=text, header=header, segments=segments, stated_remarks=stated)


def _names_in_line(ctx: DocContext, k: int) -> bool:
    """Whether unit k is under a discussion heading and the speaker the rules read there is written in it."""
    u = ctx.units[k]
    seg = ctx.rule_segment(u.start)
    return bool(seg and seg.speaker) and all(n in ctx.text[u.start : u.end] for n in seg.speaker.split(", "))


def _office_named(text: str, region: str, header) -> str | None:
    """The chair, where a turn names its speaker only by the cell's office ("- BT trả lời:", "Đồng chí chủ trì
    giải thích …"), else None."""
    said = region[rules._MARKER_BULLET.match(region).end() :].lower()
    if not header.chair or rules._GUEST_ROLE.search(said) or rules._COMMITTEE_ROLE.search(said):
        return None
    return header.chair if rules._CHAIR_ROLE.search(said) else None


_PRECEDENCE = ("chair", "secretary", "committee", "guest", "member")


def _highest(roles: list[str]) -> str:
    """Joint remarks take the highest of their speakers' roles (codebook §4.23)."""
    return min(roles, key=lambda r: _PRECEDENCE.index(r) if r in _PRECEDENCE else len(_PRECEDENCE))


def _attributed_names(ctx: DocContext, start: int, end: int) -> list[str]:
    """The names in the attribution closing a turn's last line: "… (ý kiến của đ/c Khải)" gives Khải,
    "… (Đ/c Hạnh, Mến và đ/c Lê Văn Cường, tổ 3)" gives all three; a role after them ends the list."""
    line_start = ctx.text.rfind("\n", 0, end) + 1  # the turn's last line, whole even where the turn opens in it
    attr = ctx.attributions.get(line_start)
    if not attr or not attr[2]:
        return []
    names = [ctx.text[line_start + attr[4] : line_start + attr[5]]]
    tail = ctx.text[line_start + attr[5] : min(end, ctx.text.find("\n", line_start) % (len(ctx.text) + 1))]
    for part in _NAME_LIST.split(tail.rstrip(" .;)]"))[1:]:
        words = part.split()
        if not words or not all(w[:1].isupper() for w in words) or len(words) > 5:
            break
        names.append(" ".join(words))
    return [n for n in names if n]


_NAME_LIST = re.compile(r"\s*(?:,|\bvà\b)\s*(?:(?:đồng chí|đ/c|Đ/c|Đồng chí)\s+)?")


def _attributed_name(ctx: DocContext, start: int, end: int) -> str | None:
    """The attribution's names as one speaker, or None."""
    return ", ".join(_attributed_names(ctx, start, end)) or None


def _titled_name(toks: list[tuple[int, int, str]]) -> str | None:
    """The capitalised words after a title at the start of a turn ("Chú Tấn nói thêm…"), or None."""
    words = [t[2].lower() for t in toks[:10]]
    for i in range(min(4, len(words))):
        family, span = title_family(words, i)
        if not family:
            continue
        name = []
        for _s, _e, word in toks[i + span : i + span + 4]:
            if not word[:1].isupper() or not word[:1].isalpha() or word.lower() in ROLE_HEADS:
                break
            name.append(word)
        return " ".join(name) or None
    return None


def _family_run(toks: list[tuple[int, int, str]]) -> str | None:
    """A full name among the first words of a turn, by its family name ("Quần chúng Lò Thị Mến xúc động …"),
    or None."""
    words = [t[2] for t in toks[:6]]
    for i, word in enumerate(words[:4]):
        if word[:1].isupper() and word.lower() in FAMILY_NAMES:
            run = [word]
            for w in words[i + 1 : i + 5]:
                if not (w[:1].isupper() and w[:1].isalpha()) or w.lower() in ROLE_HEADS:
                    break
                run.append(w)
            if len(run) >= 2:
                return " ".join(run)
    return None


def _name_word(word: str) -> bool:
    return word[:1].isupper() and word.isalpha() and word.lower() not in ROLE_HEADS


def _unfinished(text: str, span: list[int], grown: bool) -> bool:
    """Whether a tagged name stops on a middle name: "Văn" or "Thị", or one more middle name after those."""
    last = text[span[0] : span[1]].rsplit(" ", 1)[-1].lower()
    return last in ("văn", "thị") or (grown and last in MIDDLE_NAMES and span[1] - span[0] < 30)


def _names(text: str, toks: list[tuple[int, int, str]], tags: list[str]) -> tuple[list[str], int]:
    """The names the tags spell, in order, and the end offset of the last one (or -1)."""
    names, cur, last = [], None, -1
    grown = False
    for i, ((s, e, word), tag) in enumerate(zip(toks, tags)):
        low = word.lower()
        if not word[:1].isalpha() or low in ASKING_WORDS:  # not "3.5" of "3.5. Đại biểu …", nor "Đáp" of "Đáp (…):"
            tag = "O"
        if tag == "B-S" and cur and text[cur[1] : s] == " " and _name_word(word):
            cur[1] = e  # a name the tagger split in two, "Trần Anh | Khoa": two names need a comma or "và"
        elif tag == "B-S" or (tag == "I-S" and cur is None):
            if cur:
                names.append(cur)
            cur, grown = [s, e], False
            # nor does it begin with "Văn" or "Thị": the capitalised word before is its family name, even one
            # that is also a title ("Đ/c Ông Văn Bảy")
            if low in ("văn", "thị") and i and text[toks[i - 1][1] : s] == " ":
                before = toks[i - 1][2]
                if before[:1].isupper() and before.isalpha() and (not names or names[-1][1] < toks[i - 1][0]):
                    cur[0] = toks[i - 1][0]
        elif tag == "I-S":
            cur[1] = e
        elif cur and text[cur[1] : s] == " " and _name_word(word) and _unfinished(text, cur, grown):
            cur[1] = e  # a name does not end on "Thị" ("ý kiến đ/c Đinh Thị Thanh Mai")
            grown = True
        else:
            if cur:
                names.append(cur)
            cur = None
    if cur:
        names.append(cur)
    out = []
    prev_end = None
    if names:  # "Các đồng chí Khải, Duyên, Tước": the list's first name, before its first comma, is one of them
        head = _JOINT_HEAD.search(text, max(0, names[0][0] - 60), names[0][0])
        if head:
            names.insert(0, list(head.span(1)))
        elif _JOINT_OPEN.search(text, max(0, names[0][0] - 30), names[0][0]):
            # and the names listed after the last one the tagger found: "Các đồng chí Đỗ Thị Hậu, Mai Văn Lực,
            # Bùi Thị Oanh nhất trí"
            run = 1
            while run < len(names) and _JOINT_GAP.match(text[names[run - 1][1] : names[run][0]]):
                run += 1
            names = names[:run]
            while m := _NEXT_NAME.match(text, names[-1][1]):
                names.append(list(m.span(1)))
    for s, e in names:
        # a second name joins the first only as a joint remark ("Hùng, Lan và đ/c Minh"), never across a role
        if prev_end is not None and not _JOINT_GAP.match(text[prev_end:s]):
            break
        name = text[s:e].strip(" ,.-–")
        if name and name not in out:
            out.append(name)
            last = max(last, e)
        prev_end = e
    return out, last


def _content_start(text: str, ctx: DocContext, k: int, end: int, name_end: int) -> int:
    """Where the remark itself starts: after the marker's colon, the last table cell, or the bullet."""
    u = ctx.units[k]
    line = text[u.start : u.end]
    if "|" in line or "\t" in line:
        cuts = list(_CELL_SEP.finditer(text, u.start, u.end))
        if len(cuts) >= 2:
            return cuts[-1].end()
    limit = min(u.end, u.start + 200)
    after_name = max(u.start, name_end)
    colon = text.find(":", after_name, limit)
    if colon >= 0 and not _SENTENCE_BREAK.search(text, after_name, colon):
        after = colon + 1
        while after < u.end and text[after].isspace():
            after += 1
        if after < u.end:
            return after
        if k + 1 < len(ctx.units) and ctx.units[k + 1].start < end:
            nxt = ctx.units[k + 1].start
            m = _CONTENT_LABEL.match(text, nxt, end)
            return m.end() if m else nxt
    bullet = rules._MARKER_BULLET.match(text, u.start, u.end)
    return bullet.end() if bullet else u.start


__all__ = ["TurnFinder", "train", "sequences"]
