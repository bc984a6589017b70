"""Sentence classifiers: the estimator contract, the rules, the linear model, and model directories."""

import json

import numpy as np
import pytest
from scipy.sparse import hstack
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.utils import estimator_checks as checks

from minutes_nlp.classifiers import available, get_classifier, model_store, primary_label
from minutes_nlp.classifiers.linear import LinearClassifier
from minutes_nlp.classifiers.model_store import ModelError
from minutes_nlp.classifiers.rules import RuleClassifier, rule_label

# Hand-written training sentences, labelled by the codebook.
TRAIN = [
    ("Đề nghị chi bộ phân công đảng viên phụ trách từng tổ để vận động đóng quỹ.", "proposal"),
    ("Tôi đề xuất tổ chức đối thoại với hộ kinh doanh trước khi ra quân.", "proposal"),
    ("Chi bộ nên đưa chỉ tiêu kết nạp đảng viên mới vào nghị quyết quý III.", "proposal"),
    ("Kiến nghị Đảng ủy xã sớm có văn bản chỉ đạo xử lý dứt điểm.", "proposal"),
    ("Cần bổ sung vào dự thảo giải pháp về chuyển đổi số.", "proposal"),
    ("Đề nghị khu phố làm văn bản gửi phường về đèn chiếu sáng.", "proposal"),
    ("Tình trạng xả rác ra kênh vẫn còn diễn ra, bà con rất bức xúc.", "complaint"),
    ("Hẻm 42 ngập nặng mỗi khi mưa lớn, đến nay chưa được khắc phục.", "complaint"),
    ("Thủ tục cấp phép còn rườm rà, người dân phải đi lại nhiều lần.", "complaint"),
    ("Một số đảng viên chưa gương mẫu đóng đảng phí đúng hạn.", "complaint"),
    ("Việc triển khai phần mềm mới còn chậm, gây khó khăn cho bộ phận một cửa.", "complaint"),
    ("Đèn đường đầu ngõ hỏng cả tháng nay vẫn chưa ai thay.", "complaint"),
    ("Trong tháng, tổ 3 đã vận động 12 hộ đăng ký gia đình văn hóa.", "report"),
    ("Bản thân tôi đã hoàn thành 100% hồ sơ được giao trước thời hạn.", "report"),
    ("Phòng Kế toán đã quyết toán xong quý II, thu đạt 96% kế hoạch.", "report"),
    ("Khu phố đã tổ chức hai đợt ra quân làm sạch môi trường.", "report"),
    ("Tháng tới tôi sẽ hoàn thành hồ sơ đất đai còn tồn.", "report"),
    ("Tổ 5 đã thu quỹ vì người nghèo được 4.500.000 đồng.", "report"),
    ("Tôi thống nhất với dự thảo báo cáo do đồng chí Bí thư trình bày.", "agreement"),
    ("Nhất trí cao với đánh giá của chi ủy về kết quả tháng qua.", "agreement"),
    ("Tôi không có ý kiến bổ sung.", "agreement"),
    ("Hoàn toàn đồng ý với ý kiến của đồng chí Hùng.", "agreement"),
    ("Báo cáo chuẩn bị công phu, đánh giá sát thực tế.", "agreement"),
    ("Thống nhất với phương hướng tháng tới.", "agreement"),
    ("Xin cảm ơn chi bộ.", "other"),
    ("Đồng chí cho hỏi kế hoạch tháng sau đã gửi cho các tổ chưa?", "other"),
    ("Tôi xin tiếp thu ý kiến của các đồng chí.", "other"),
    ("Tôi sẽ cố gắng hơn.", "other"),
    ("Mời đồng chí Lan phát biểu.", "other"),
    ("Em xin cảm ơn các anh chị đã giúp đỡ.", "other"),
]
X = [t for t, _ in TRAIN]
Y = [lab for _, lab in TRAIN]


@pytest.mark.parametrize(
    "text, label",
    [
        ("Đường Lê Lợi xuống cấp, đề nghị phường sớm sửa chữa.", "proposal"),  # codebook §4.2
        ("Tôi thống nhất với dự thảo, tuy nhiên đề nghị bổ sung chỉ tiêu phát triển đảng viên.", "proposal"),  # §4.1
        ("Nhất trí đề nghị kết nạp quần chúng Lê Văn A.", "agreement"),  # §4.8
        ("Xã đã có văn bản đề nghị huyện hỗ trợ.", "report"),  # §4.8
        ("Đề nghị các đồng chí góp ý thẳng vào từng người.", "other"),  # §4.12
        ("Hẻm 42 ngập nặng, bà con bức xúc.", "complaint"),
        ("Tôi thống nhất với báo cáo.", "agreement"),
        ("Xin cảm ơn chi bộ.", "other"),
    ],
)
def test_rules_follow_codebook_precedence_and_hard_cases(text, label):
    assert rule_label(text) == label


def test_registry_has_builtins_and_builds_by_name():
    assert {"rules", "linear", "spacy"} <= set(available())
    assert isinstance(get_classifier("linear", C=0.3), LinearClassifier)
    with pytest.raises(KeyError, match="unknown classifier"):
        get_classifier("nope")


@pytest.mark.parametrize("estimator", [RuleClassifier(), LinearClassifier()], ids=["rules", "linear"])
@pytest.mark.parametrize(
    "check",
    [
        checks.check_no_attributes_set_in_init,
        checks.check_get_params_invariance,
        checks.check_set_params,
        checks.check_parameters_default_constructible,
        checks.check_estimator_cloneable,
        checks.check_estimator_repr,
        checks.check_do_not_raise_errors_in_init_or_set_params,
    ],
    ids=lambda c: c.__name__,
)
def test_sklearn_estimator_checks_that_apply_to_text(estimator, check):
    check(type(estimator).__name__, estimator)


@pytest.mark.parametrize("estimator", [RuleClassifier(), LinearClassifier(min_df=1)], ids=["rules", "linear"])
def test_contract_fit_predict_proba(estimator):
    fitted = estimator.fit(X, Y)
    assert fitted is estimator
    proba = estimator.predict_proba(X)
    assert proba.shape == (len(X), len(estimator.classes_))
    assert np.allclose(proba.sum(axis=1), 1.0)
    pred = estimator.predict(X)
    assert list(pred) == [estimator.classes_[i] for i in proba.argmax(axis=1)]
    # dict items with context are accepted too
    items = [{"text": t, "prev": "", "position": 0, "n": 1, "role": "member"} for t in X]
    assert len(estimator.predict(items)) == len(X)


def test_linear_learns_and_generalises_to_paraphrases():
    model = LinearClassifier().fit(X, Y)
    assert (model.predict(X) == np.array(Y)).mean() > 0.9
    unseen = ["Đề nghị ban điều hành sớm sửa chữa cống thoát nước.", "Tôi hoàn toàn thống nhất với dự thảo nghị quyết."]
    assert list(model.predict(unseen)) == ["proposal", "agreement"]
    assert model.explain(unseen[:1])[0], "explanations name the features behind the decision"


def test_linear_is_deterministic_with_a_seed():
    a = LinearClassifier(seed=3).fit(X, Y).predict_proba(X)
    b = LinearClassifier(seed=3).fit(X, Y).predict_proba(X)
    assert np.allclose(a, b)


def test_linear_works_inside_sklearn_cross_validation():
    scores = cross_val_score(LinearClassifier(), X * 2, Y * 2, cv=2)
    assert len(scores) == 2


def test_model_directory_round_trip(tmp_path):
    model = LinearClassifier().fit(X, Y)
    model_store.save(model, tmp_path / "m", {"classifier": "linear", "seed": 13}, {"dev": {}})
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    assert card["storage"] == "native" and card["class"] == "minutes_nlp.classifiers.linear_predict:LinearPredictor"
    assert {"linear.npz", "linear.json"} <= {p.name for p in (tmp_path / "m").iterdir()}
    loaded = model_store.load(tmp_path / "m")
    assert np.allclose(loaded.predict_proba(X), model.predict_proba(X))
    assert list(loaded.predict(X)) == list(model.predict(X)) and loaded.explain(X[:1])[0]
    fresh = clone(loaded)  # what evaluate --cv trains on each fold
    assert isinstance(fresh, LinearClassifier) and fresh.get_params() == model.get_params()


def test_model_directory_refuses_tampered_file(tmp_path):
    model_store.save(RuleClassifier().fit(X, Y), tmp_path / "m", {"classifier": "rules"})
    with open(tmp_path / "m" / "model.skops", "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ModelError, match="changed after training"):
        model_store.load(tmp_path / "m")


def test_model_directory_refuses_untrusted_types(tmp_path):
    import datetime

    import skops.io as sio

    model_store.save(RuleClassifier().fit(X, Y), tmp_path / "m", {"classifier": "rules"})
    sio.dump({"when": datetime.timedelta(days=1)}, tmp_path / "m" / "model.skops")
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    card["model_sha256"] = model_store._tree_sha256(tmp_path / "m")  # an attacker who also rewrites the card
    (tmp_path / "m" / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="outside the allow-list"):
        model_store.load(tmp_path / "m")


def test_model_directory_refuses_other_format_version_and_missing_card(tmp_path):
    model_store.save(RuleClassifier().fit(X, Y), tmp_path / "m", {"classifier": "rules"})
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    card["format_version"] = 99
    (tmp_path / "m" / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="model format 99"):
        model_store.load(tmp_path / "m")
    with pytest.raises(ModelError, match="no card.json"):
        model_store.load(tmp_path)


def test_primary_label_by_precedence():
    assert primary_label(["report", "proposal", "other"]) == "proposal"
    assert primary_label(["other"]) == "other"
    assert primary_label(["agreement", "complaint"]) == "complaint"


def test_clone_keeps_parameters():
    assert clone(LinearClassifier(C=0.3, context=False)).get_params()["C"] == 0.3


def test_plugin_registered_by_entry_point_is_found_by_name(tmp_path, monkeypatch):
    """A researcher's package declares [project.entry-points."minutes_nlp.classifiers"]; we find it by name."""
    (tmp_path / "my_minutes_plugin.py").write_text(
        "from minutes_nlp.classifiers.rules import RuleClassifier\n\n"
        "class AlwaysAgree(RuleClassifier):\n"
        "    def predict(self, X):\n"
        "        import numpy as np\n"
        "        return np.array(['agreement'] * len(list(X)))\n",
        encoding="utf-8",
    )
    dist = tmp_path / "my_minutes_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: my-minutes-plugin\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(
        "[minutes_nlp.classifiers]\nalways = my_minutes_plugin:AlwaysAgree\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "always" in available()
    model = get_classifier("always").fit(X, Y)
    assert set(model.predict(X)) == {"agreement"}


def test_train_command_is_deterministic_with_a_seed(tmp_path):
    """Same corpus, same seed: the same metrics, the same model files byte for byte, the same probabilities."""
    from minutes_nlp.classifiers.train import train

    corpus = "tests/data/corpus/tiny.jsonl"
    a = train("linear", corpus, tmp_path / "a", seed=5, params={"min_df": 1}, train_split="train+dev")
    b = train("linear", corpus, tmp_path / "b", seed=5, params={"min_df": 1}, train_split="train+dev")
    assert a == b and "test" in a
    card = [json.loads((tmp_path / d / "card.json").read_text()) for d in "ab"]
    assert card[0]["model_sha256"] == card[1]["model_sha256"]
    ma, mb = model_store.load(tmp_path / "a"), model_store.load(tmp_path / "b")
    assert np.allclose(ma.predict_proba(X), mb.predict_proba(X))


def test_linear_predictor_gives_scikit_learns_probabilities():
    """The numpy predictor that labels sentences must score exactly as the fitted scikit-learn pipeline."""
    from scipy.sparse import hstack

    from minutes_nlp.classifiers.inputs import as_items
    from minutes_nlp.classifiers.linear_predict import sentence_tokens

    model = LinearClassifier(min_df=1).fit(X * 2, Y * 2)
    unseen = as_items(
        [
            {"text": "Đề nghị chi bộ sớm sửa chữa đèn đường hẻm 42.", "prev": "Hẻm 42 tối om.", "position": 1, "n": 2},
            "Tổ 5 đã thu quỹ được 3.000.000 đồng, đạt 90% kế hoạch.",
            "Tôi thống nhất.",
            "",
        ]
    )
    lexicon = model.predictor_.lexicon
    reference = hstack(
        [
            model.tokens_.transform([sentence_tokens(it, True, 3, lexicon) for it in unseen]),
            model.chars_.transform([it["text"].lower() for it in unseen]),
        ]
    ).tocsr()
    assert abs(reference - model.predictor_.features(unseen)).max() < 1e-12
    assert np.allclose(model.clf_.predict_proba(reference), model.predict_proba(unseen), atol=1e-12)


def test_shipped_model_features_in_bulk_equal_the_features_token_by_token():
    """Labelling looks n-grams up in bulk as integer keys and caches words' character n-grams: the matrix
    must be, bit for bit, the tf-idf of ``sentence_tokens`` and of each word's character n-grams."""
    from minutes_nlp.classifiers.inputs import as_items
    from minutes_nlp.classifiers.labels import load_model
    from minutes_nlp.classifiers.linear_predict import char_wb_ngrams, sentence_tokens

    model = load_model("default")
    first = "Hẻm 42 tối om, đề nghị chi bộ kiến nghị phường sửa đèn."
    items = as_items(
        [
            {"text": first, "position": 0, "n": 2, "role": "member"},
            {"text": "Tổ 5 thu quỹ đạt 90% kế hoạch.", "prev": first, "position": 1, "n": 2, "role": "member"},
            {"text": "Đồng chí Zyxw Qưert nhất trí; nhất trí!", "prev": "?", "role": "chair"},
            "Có ý kiến gì không?",
            "",
        ]
    )
    params = model.params
    tokens = [
        model.tokens.ids(sentence_tokens(it, params["context"], params["syllable_n"], model.lexicon)) for it in items
    ]
    chars = [
        [j for word in it["text"].lower().split() for j in model.chars.ids(char_wb_ngrams(word, *model.char_range))]
        for it in items
    ]
    expected = hstack([model.tokens.transform(tokens), model.chars.transform(chars)]).tocsr()
    for _ in range(2):  # the second time from the word cache
        got = model.features(items)
        assert (got.indptr == expected.indptr).all() and (got.indices == expected.indices).all()
        assert (got.data == expected.data).all()


def test_lexicon_joins_syllables_into_the_longest_known_word():
    from minutes_nlp.classifiers.linear_predict import lexicon_words

    lexicon = frozenset({"chi_bộ", "đề_nghị", "nguyễn_văn_hùng", "văn_hùng"})
    words = lexicon_words("đồng chí nguyễn văn hùng đề nghị chi bộ".split(), lexicon)
    assert words == ["đồng", "chí", "nguyễn_văn_hùng", "đề_nghị", "chi_bộ"]


def test_labelling_with_the_shipped_model_needs_no_scikit_learn():
    """scikit-learn and skops take over a second to import: a one-file analyze must not pay for them."""
    import subprocess
    import sys
    from pathlib import Path

    minutes = Path(__file__).resolve().parents[1] / "examples" / "bien-ban-to-dan-pho.txt"
    code = (
        "import sys; from minutes_nlp.analysis.analyzer import Analyzer; m = Analyzer('default')(sys.argv[1]); "
        "print(sum(s.label == 'proposal' for c in m.contributions for s in c.sentences) > 0, "
        "[k for k in ('sklearn', 'skops', 'pandas') if k in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code, str(minutes)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "[]"]


@pytest.mark.parametrize(
    "pattern, literal",
    [
        (r"\bđề nghị\b", "đề nghị"),
        (r"\bmong (?:chi bộ|các)", "mong "),
        (r"\bxin (?:nghiêm túc )?tiếp thu\b", "xin "),
        (r"\bsao?\b", "sa"),
        (r"\d+\s*%", ""),
        (r"^(?:tôi |em )?sẽ", ""),
    ],
)
def test_cue_literal_is_what_every_match_contains(pattern, literal):
    from minutes_nlp.classifiers.cues import _literal

    assert _literal(pattern) == literal


@pytest.mark.parametrize(
    "pattern, literals",
    [
        (r"\b(?:đề nghị|mời) (?:các )?đồng chí", ("đề nghị", "mời")),
        (r"\b(?:xin )?cảm ơn\b", ("cảm ơn",)),  # an optional group: what follows it
        (r"^(?:tôi |em )?(?:sẽ|hứa sẽ) cố gắng", ("sẽ", "hứa sẽ")),
        (r"\b(?:rất )*cảm ơn", ("",)),  # a group that may be absent or repeated tells nothing
        (r"\b(?:\d+|mấy) hộ", ("",)),
        (r"\bđã (?:có )?đề nghị", ("đã ",)),
    ],
)
def test_cue_literals_one_of_which_every_match_contains(pattern, literals):
    from minutes_nlp.classifiers.cues import _literals

    assert _literals(pattern) == literals


def test_cues_with_literal_prefilter_match_the_plain_regexes():
    import re

    from minutes_nlp.classifiers.cues import CUES, LABELS, OVERRIDES, cues

    def plain(text):
        low = text.lower()
        for p, label in OVERRIDES:
            m = re.search(p, low)
            if m:
                return [(label, m.group())]
        found = [(lab, m.group()) for lab in LABELS[:-1] for p in CUES[lab] if (m := re.search(p, low))]
        if re.search(r"\?\s*$", low) and not any(lab == "proposal" for lab, _ in found):
            return [("other", "?")]
        return found

    sentences = X + [
        "Xin nghiêm túc tiếp thu ý kiến các đồng chí.",
        "Mong chi bộ quan tâm hơn đến đảng viên cao tuổi.",
        "Tỷ lệ thu quỹ đạt 95 % kế hoạch, còn chậm ở tổ 2.",
        "Sao chi bộ không kiến nghị lên phường?",
    ]
    for text in sentences:
        assert cues(text) == plain(text), text
