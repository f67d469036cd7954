"""The loss against values computed by hand (eqs. 2–4) and finite differences."""

import math

import pytest
import torch

from dicentra_train.loss import batch_loss, forward_differences, per_image_loss, sparse_variation


def test_forward_differences_use_the_next_pixel_and_are_zero_past_the_edge():
    phi = torch.tensor([[[[1.0, 3.0], [4.0, 8.0]]]])
    down, right = forward_differences(phi)
    # down(u, v) = φ(u, v) − φ(u+1, v); the last row has no neighbour below → 0
    assert down[0, 0].tolist() == [[1 - 4, 3 - 8], [0, 0]]
    # right(u, v) = φ(u, v) − φ(u, v+1); the last column → 0
    assert right[0, 0].tolist() == [[1 - 3, 0], [4 - 8, 0]]


def test_sparse_variation_equals_the_hand_computed_sum():
    phi = torch.tensor([[[[0.5, 0.0], [0.0, 0.0]]]], dtype=torch.float64)
    rho, eps = 0.1, 1e-8
    # pixel (0,0): ∇ = (0.5, 0.5), φ = 0.5 → sqrt(0.01·0.5 + 0.81·0.25 + ε)
    # pixel (0,1): ∇ = (0 − 0, 0) = 0, φ = 0 → sqrt(ε); (1,0): ∇ = (0, 0) → sqrt(ε); (1,1): sqrt(ε)
    expected = math.sqrt(0.01 * 0.5 + 0.81 * 0.25 + eps) + 3 * math.sqrt(eps)
    assert sparse_variation(phi, rho, eps).item() == pytest.approx(expected, rel=1e-12)


def test_boundary_pixels_see_a_zero_difference_outward():
    # A spot on the last row and column: its only differences point inward from its neighbours.
    phi = torch.tensor([[[[0.0, 0.0], [0.0, 1.0]]]], dtype=torch.float64)
    rho, eps = 0.5, 0.0
    # (0,1): down = 0 − 1 = −1, right = 0 (edge) → sqrt(0.25·1) = 0.5
    # (1,0): down = 0 (edge), right = 0 − 1 = −1 → 0.5
    # (1,1): both 0 (edges), φ = 1 → sqrt(0.25·1) = 0.5;   (0,0): 0
    assert sparse_variation(phi, rho, eps).item() == pytest.approx(1.5, rel=1e-12)


def test_per_image_loss_adds_l2_and_lambda_times_sv_and_sums_classes():
    phi = torch.tensor([[[[0.5, 0.0], [0.0, 0.0]]], [[[0.0, 0.0], [0.0, 1.0]]]], dtype=torch.float64)
    phi = phi.reshape(1, 2, 2, 2)  # one image, two classes
    target = torch.tensor([[[[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]]], dtype=torch.float64)
    lam, rho, eps = 0.2, 0.1, 1e-8
    l2 = (0.5 - 1.0) ** 2 + 1.0 ** 2
    sv_first = math.sqrt(0.01 * 0.5 + 0.81 * 0.25 + eps) + 3 * math.sqrt(eps)
    # second class: spot at (1,1): (0,1) and (1,0) have |∇|² = 1 → sqrt(0.01 + ε); (1,1): sqrt(0.81 + ε)
    sv_second = 2 * math.sqrt(0.01 + eps) + math.sqrt(0.81 + eps) + math.sqrt(eps)
    value = per_image_loss(phi, target, lam, rho, eps)
    assert value.item() == pytest.approx(l2 + lam * (sv_first + sv_second), rel=1e-6)


def test_lambda_zero_is_the_plain_l2_loss_and_the_batch_loss_is_the_mean():
    phi = torch.tensor([[[[0.2, 0.4]]], [[[0.0, 1.0]]]])
    target = torch.tensor([[[[0.0, 1.0]]], [[[0.0, 0.0]]]])
    per_image = per_image_loss(phi, target, 0.0, 0.1, 1e-8)
    assert per_image.tolist() == pytest.approx([0.04 + 0.36, 1.0])
    assert batch_loss(phi, target, 0.0, 0.1, 1e-8).item() == pytest.approx((0.40 + 1.0) / 2)


def test_gradient_matches_finite_differences():
    torch.manual_seed(0)
    phi = torch.rand(2, 2, 5, 4, dtype=torch.float64, requires_grad=True)
    target = torch.rand(2, 2, 5, 4, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda p: batch_loss(p, target, 0.2, 0.1, 1e-8), (phi,), eps=1e-6, atol=1e-5)
