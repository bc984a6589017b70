"""SpacyTextcatClassifier keeps the scikit-learn contract, learns, and saves without pickle."""

import json

import numpy as np
import pytest
from sklearn.base import clone

from minutes_nlp.classifiers.inputs import LABELS
from minutes_nlp.classifiers.spacy_textcat import SpacyTextcatClassifier
from minutes_nlp.errors import MinutesError

TRAIN = [
    ("Đề nghị chi bộ phân công đảng viên phụ trách từng tổ dân phố để vận động đóng quỹ.", "proposal"),
    ("Tôi đề xuất tổ chức đối thoại với hộ kinh doanh trước khi ra quân dẹp vỉa hè.", "proposal"),
    ("Chi bộ nên đưa chỉ tiêu kết nạp đảng viên mới vào nghị quyết quý III.", "proposal"),
    ("Kiến nghị Đảng ủy phường sớm có văn bản chỉ đạo xử lý dứt điểm.", "proposal"),
    ("Theo tôi, cần bổ sung vào dự thảo nghị quyết giải pháp về chuyển đổi số.", "proposal"),
    ("Đề nghị bổ sung vào báo cáo số liệu về thu ngân sách.", "proposal"),
    ("Đề nghị phường sớm sửa chữa đường Lê Lợi trước mùa mưa.", "proposal"),
    ("Tôi đề nghị chi bộ giao chỉ tiêu cụ thể cho từng chi ủy viên.", "proposal"),
    ("Tình trạng xả rác ra kênh vẫn còn diễn ra, bà con rất bức xúc.", "complaint"),
    ("Hẻm 42 ngập nặng mỗi khi mưa lớn, đến nay vẫn chưa được khắc phục.", "complaint"),
    ("Thủ tục cấp giấy phép xây dựng còn rườm rà, người dân phải đi lại nhiều lần.", "complaint"),
    ("Một số đảng viên chưa gương mẫu đóng đảng phí đúng hạn.", "complaint"),
    ("Việc triển khai phần mềm mới còn chậm, gây khó khăn cho bộ phận một cửa.", "complaint"),
    ("Đèn đường trong hẻm bị hư đã ba tháng nhưng chưa được thay.", "complaint"),
    ("Hồ sơ chờ định giá hơn hai tháng, người dân rất bức xúc.", "complaint"),
    ("Tiếng ồn từ quán karaoke vẫn còn, bà con phản ánh nhiều lần.", "complaint"),
    ("Trong tháng, tổ 3 đã vận động 12 hộ đăng ký hộ gia đình văn hóa.", "report"),
    ("Bản thân tôi đã hoàn thành 100% hồ sơ được giao trước thời hạn.", "report"),
    ("Phòng Kế toán đã quyết toán xong quý II, thu đạt 96% kế hoạch.", "report"),
    ("Khu phố đã tổ chức ra quân làm sạch môi trường hai đợt với 80 lượt người tham gia.", "report"),
    ("Tổ 5 đã thu quỹ vì người nghèo được 4.500.000 đồng.", "report"),
    ("Tháng tới tôi sẽ hoàn thành hồ sơ thẩm định còn lại.", "report"),
    ("Chi hội phụ nữ đã tổ chức thăm hỏi 15 hộ có hoàn cảnh khó khăn.", "report"),
    ("Đoàn thanh niên đã ra quân dọn vệ sinh kênh rạch ba lần trong tháng.", "report"),
    ("Tôi thống nhất với dự thảo báo cáo do đồng chí Bí thư trình bày.", "agreement"),
    ("Nhất trí cao với đánh giá của chi ủy về kết quả tháng qua.", "agreement"),
    ("Tôi không có ý kiến bổ sung.", "agreement"),
    ("Hoàn toàn đồng ý với ý kiến của đồng chí Hùng.", "agreement"),
    ("Báo cáo chuẩn bị công phu, đánh giá sát thực tế.", "agreement"),
    ("Tôi nhất trí với dự thảo nghị quyết.", "agreement"),
    ("Thống nhất với nội dung đồng chí Bí thư vừa trình bày.", "agreement"),
    ("Tôi đồng ý với báo cáo của chi ủy.", "agreement"),
    ("Xin cảm ơn chi bộ.", "other"),
    ("Đồng chí cho hỏi kế hoạch tháng sau đã gửi cho các tổ chưa?", "other"),
    ("Tôi sẽ cố gắng hơn.", "other"),
    ("Tôi xin tiếp thu ý kiến của các đồng chí.", "other"),
    ("Mời đồng chí Lan phát biểu.", "other"),
    ("Xin chào các đồng chí.", "other"),
    ("Tôi xin cảm ơn các đồng chí đã góp ý.", "other"),
    ("Xin tiếp thu và cảm ơn.", "other"),
]
X = [text for text, _ in TRAIN]
Y = [label for _, label in TRAIN]
# With 40 sentences (>= 20) fit holds 4 out; a few epochs keep the whole module well under a minute.
FAST = {"max_epochs": 8, "patience": 8, "seed": 13}


@pytest.fixture(scope="module")
def fitted():
    return SpacyTextcatClassifier(**FAST).fit(X, Y)


def test_fit_returns_self_and_sets_classes_in_label_order():
    clf = SpacyTextcatClassifier(max_epochs=1)
    assert clf.fit(X, Y) is clf
    assert list(clf.classes_) == list(LABELS)
    assert isinstance(clf.classes_, np.ndarray)


def test_classes_are_restricted_to_the_labels_seen():
    subset = [(t, lab) for t, lab in TRAIN if lab in ("agreement", "complaint")]
    clf = SpacyTextcatClassifier(max_epochs=1).fit([t for t, _ in subset], [lab for _, lab in subset])
    assert list(clf.classes_) == ["complaint", "agreement"]
    assert clf.predict_proba(["Tôi nhất trí."]).shape == (1, 2)


def test_predict_proba_has_one_row_per_sentence_summing_to_one(fitted):
    proba = fitted.predict_proba(X[:7])
    assert proba.shape == (7, len(fitted.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert (proba >= 0).all()
    assert list(fitted.predict(X[:7])) == list(fitted.classes_[proba.argmax(axis=1)])


def test_learns_the_tiny_training_set(fitted):
    accuracy = np.mean(fitted.predict(X) == np.array(Y))
    assert accuracy >= 0.9


def test_same_seed_gives_identical_models(fitted):
    again = SpacyTextcatClassifier(**FAST).fit(X, Y)
    np.testing.assert_array_equal(again.predict_proba(X), fitted.predict_proba(X))


def test_str_and_dict_inputs_are_both_accepted(fitted):
    text = "Đề nghị chi bộ tổ chức đối thoại với bà con."
    as_str = fitted.predict_proba([text])
    as_dict = fitted.predict_proba(
        [{"text": text, "prev": "Hẻm 42 ngập nặng.", "position": 1, "n": 2, "role": "member"}]
    )
    np.testing.assert_allclose(as_str, as_dict)  # without use_context the previous sentence is ignored
    dict_fit = SpacyTextcatClassifier(max_epochs=1).fit([{"text": t} for t in X], Y)
    assert dict_fit.predict([text]).shape == (1,)


def test_context_mode_trains_and_predicts_on_dicts():
    items = [{"text": t, "prev": X[i - 1] if i % 8 else "", "position": i % 8, "n": 8} for i, t in enumerate(X)]
    clf = SpacyTextcatClassifier(max_epochs=2, use_context=True).fit(items, Y)
    assert clf.predict_proba(items[:3]).shape == (3, 5)
    assert clf.predict(["Tôi nhất trí."]).shape == (1,)  # plain strings mean "no context"


def test_save_and_load_round_trip_gives_identical_probabilities(fitted, tmp_path):
    fitted.save_model(tmp_path / "model")
    meta = json.loads((tmp_path / "model" / "textcat.json").read_text(encoding="utf-8"))
    assert meta["classes"] == list(fitted.classes_)
    loaded = SpacyTextcatClassifier.load_model(tmp_path / "model")
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    assert loaded.get_params() == fitted.get_params()
    assert not list((tmp_path / "model").rglob("*.pkl"))


def test_load_refuses_a_missing_folder(tmp_path):
    with pytest.raises(MinutesError, match="no such model folder") as info:
        SpacyTextcatClassifier.load_model(tmp_path / "nothing")
    assert str(tmp_path / "nothing") in str(info.value)


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda p: (p / "textcat.json").unlink(), "missing"),
        (lambda p: (p / "textcat.json").write_text("{not json", encoding="utf-8"), "corrupt"),
        (lambda p: (p / "textcat.json").write_text('{"format": 99}', encoding="utf-8"), "format"),
        (lambda p: (p / "spacy" / "config.cfg").write_text("[nlp\n", encoding="utf-8"), "cannot be loaded"),
    ],
)
def test_load_refuses_a_corrupt_folder(fitted, tmp_path, damage, reason):
    path = tmp_path / "model"
    fitted.save_model(path)
    damage(path)
    with pytest.raises(MinutesError, match=reason) as info:
        SpacyTextcatClassifier.load_model(path)
    assert str(path) in str(info.value)


def test_clone_copies_parameters_and_not_the_fitted_state(fitted):
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "nlp_") and not hasattr(copy, "classes_")


def test_get_params_and_set_params_agree():
    clf = SpacyTextcatClassifier()
    assert clf.set_params(max_epochs=3, dropout=0.1, use_context=True) is clf
    params = clf.get_params()
    assert (params["max_epochs"], params["dropout"], params["use_context"]) == (3, 0.1, True)
    assert SpacyTextcatClassifier(**params).get_params() == params


def test_a_custom_config_path_is_used(tmp_path):
    from minutes_nlp.classifiers.spacy_textcat import DEFAULT_CONFIG

    cfg = tmp_path / "bow1.cfg"
    cfg.write_text(
        DEFAULT_CONFIG.read_text(encoding="utf-8").replace("ngram_size = 3", "ngram_size = 1"), encoding="utf-8"
    )
    clf = SpacyTextcatClassifier(max_epochs=1, config_path=cfg).fit(X, Y)
    assert clf.nlp_.config["components"]["textcat"]["model"]["ngram_size"] == 1


def test_fit_rejects_unknown_labels_and_a_single_class():
    with pytest.raises(ValueError, match="unknown labels"):
        SpacyTextcatClassifier(max_epochs=1).fit(X[:2], ["proposal", "idea"])
    with pytest.raises(ValueError, match="at least 2 labels"):
        SpacyTextcatClassifier(max_epochs=1).fit(X[:2], ["proposal", "proposal"])


def test_predict_before_fit_says_so():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SpacyTextcatClassifier().predict(["Tôi nhất trí."])
