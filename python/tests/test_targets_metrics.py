"""Targets peak at the annotated points; Fig. 2 counting on hand-drawn masks."""

import numpy as np

from dicentra_train.metrics import Counts, count_components
from dicentra_train.targets import gaussian_target, gt_disks


def test_target_is_exactly_one_in_the_cell_of_each_point_and_never_above():
    points = [(10.0, 6.0), (30.9, 21.5)]  # [x, y] in input pixels, stride 4
    target = gaussian_target(points, (8, 10), 4, 1.5)
    assert target[1, 2] == 1.0  # y 6 → row 1, x 10 → column 2
    assert target[5, 7] == 1.0  # y 21.5 → row 5, x 30.9 → column 7
    assert target.max() == 1.0
    # one cell away the Gaussian has fallen to exp(−1 / (2σ²))
    assert np.isclose(target[1, 3], np.exp(-1 / (2 * 1.5 ** 2)))
    assert np.argwhere(target == 1.0).tolist() == [[1, 2], [5, 7]]


def test_close_points_combine_by_maximum():
    target = gaussian_target([(2.0, 2.0), (6.0, 2.0)], (2, 4), 4, 1.0)
    assert target[0, 0] == 1.0 and target[0, 1] == 1.0


def test_gt_disks_hold_cells_within_the_radius_and_the_point_cell():
    disk = gt_disks([(10.0, 10.0)], (5, 5), 4, 4.0)
    # cell centres at 2, 6, 10, 14, 18; within 4 px of (10, 10): (10,10), (6,10), (14,10), (10,6), (10,14)
    assert sorted(map(tuple, np.argwhere(disk).tolist())) == [(1, 2), (2, 1), (2, 2), (2, 3), (3, 2)]
    tiny = gt_disks([(1.0, 1.0)], (5, 5), 4, 0.5)  # radius too small for any centre: the point's cell
    assert np.argwhere(tiny).tolist() == [[0, 0]]


def test_components_are_eight_connected():
    mask = np.array([[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 1], [1, 1, 0, 1]], dtype=bool)
    # {(0,0),(1,1)} join diagonally (4-connectivity would split them); {(0,3)}; {(2,3),(3,3)}; {(3,0),(3,1)}
    assert count_components(mask) == 4


def test_fig2_counting_tp_fp_fn():
    gt = np.zeros((1, 6, 6), dtype=bool)
    gt[0, 0:2, 0:2] = True  # object A, found
    gt[0, 4:6, 4:6] = True  # object B, missed
    heat = np.zeros((1, 6, 6), dtype=np.float32)
    heat[0, 1, 1] = 0.9  # hits A
    heat[0, 0, 4] = 0.8  # a false alarm
    heat[0, 3, 0] = 0.4  # below T_C
    counts = Counts(["dicentric"])
    counts.add(heat, gt, 0.5)
    assert (counts.tp[0], counts.fp[0], counts.fn[0]) == (1, 1, 1)
    assert counts.precision() == {"dicentric": 0.5} and counts.recall() == {"dicentric": 0.5}
    empty = Counts(["dicentric"])
    empty.add(np.zeros((1, 6, 6), np.float32), np.zeros((1, 6, 6), bool), 0.5)
    assert empty.precision() == {"dicentric": None} and empty.recall() == {"dicentric": None}
