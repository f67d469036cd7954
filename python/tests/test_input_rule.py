"""The input rule: grey conversion, normalisation and padding."""

import numpy as np
import pytest
from PIL import Image

from dicentra_train.images import normalise, pad, padded_size, prepare, read_grey


def test_paper_padding_888_by_1008_becomes_896_by_1008_for_depth_4():
    assert padded_size(888, 1008, 2 ** 4) == (896, 1008)
    assert prepare(np.zeros((888, 1008), np.float32), {"kind": "minmax"}, 16, "reflect").shape == (896, 1008)


def test_reflect_padding_mirrors_without_repeating_the_edge():
    image = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    padded = pad(image, 4, "reflect")
    # rows: 1 → 4 by reflecting (a single row reflects onto itself); columns: 3 → 4 adds 2
    assert padded.shape == (4, 4)
    assert padded[0].tolist() == [1, 2, 3, 2]
    edge = pad(image, 4, "edge")
    assert edge[0].tolist() == [1, 2, 3, 3]
    constant = pad(image, 4, "constant")
    assert constant[0].tolist() == [1, 2, 3, 0] and constant[3].tolist() == [0, 0, 0, 0]


def test_minmax_and_percentile_normalisation():
    image = np.array([[10.0, 20.0], [30.0, 50.0]], dtype=np.float32)
    assert normalise(image, {"kind": "minmax"}).tolist() == [[0.0, 0.25], [0.5, 1.0]]
    assert normalise(np.full((2, 2), 7.0), {"kind": "minmax"}).tolist() == [[0, 0], [0, 0]]
    # percentiles 0 and 50 of [10, 20, 30, 50] by linear interpolation: 10 and 25
    result = normalise(image, {"kind": "percentile", "low": 0, "high": 50})
    assert result.ravel().tolist() == pytest.approx([0.0, 10 / 15, 1.0, 1.0])


def test_colour_is_mixed_by_bt601_and_16_bit_keeps_its_scale(tmp_path):
    rgb = np.zeros((2, 2, 3), np.uint8)
    rgb[0, 0] = (200, 100, 50)
    Image.fromarray(rgb).save(tmp_path / "c.png")
    grey = read_grey(str(tmp_path / "c.png"))
    assert grey[0, 0] == pytest.approx(0.299 * 200 + 0.587 * 100 + 0.114 * 50, abs=1e-4)
    deep = np.array([[0, 1000], [40000, 65535]], dtype=np.uint16)
    Image.fromarray(deep).save(tmp_path / "d.png")
    assert read_grey(str(tmp_path / "d.png")).tolist() == [[0, 1000], [40000, 65535]]
