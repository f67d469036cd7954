"""Training schedule details: focused crops and the Sparse-Variation start epoch."""

import dataclasses
from dicentra_train.config import TrainConfig
from dicentra_train.data import CachedSplit, focus_margin, epoch_batches, read_dataset


def _split(dataset_path: str, tmp_path, config: TrainConfig) -> CachedSplit:
    dataset = read_dataset(dataset_path)
    return CachedSplit(dataset.images["train"], dataset.classes, config, str(tmp_path), dataset.sha256, "train")


def test_focused_crops_hold_a_point_away_from_their_edges(tiny_dataset, tmp_path):
    config = dataclasses.replace(TrainConfig(depth=3, base_width=4), crop=32, crop_focus=1.0)
    split = _split(tiny_dataset, tmp_path, config)
    pieces = [piece for batch in epoch_batches(split, 1, config) for piece in batch]
    assert len(pieces) == len(split)
    margin = focus_margin(32)
    for piece in pieces:
        points = [p for name in split.classes for p in split.entries[piece.index].points[name]]
        inside = [
            (x, y) for x, y in points
            if piece.left + margin <= x <= piece.left + piece.width - margin
            and piece.top + margin <= y <= piece.top + piece.height - margin
        ]
        assert inside, f"crop at ({piece.left}, {piece.top}) of {split.entries[piece.index].id} holds no point"
        assert piece.top % 4 == 0 and piece.left % 4 == 0


def test_without_focus_the_crop_sequence_is_unchanged_by_the_option(tiny_dataset, tmp_path):
    base = dataclasses.replace(TrainConfig(depth=3, base_width=4), crop=32)
    split = _split(tiny_dataset, tmp_path, base)
    explicit_zero = dataclasses.replace(base, crop_focus=0.0)
    assert epoch_batches(split, 2, base) == epoch_batches(split, 2, explicit_zero)


def test_the_sparse_variation_term_starts_at_its_epoch():
    config = TrainConfig(lam=0.2, sv_start_epoch=5)
    assert [config.training_lambda(epoch) for epoch in (1, 4, 5, 9)] == [0.0, 0.0, 0.2, 0.2]
    assert TrainConfig(lam=0.2).training_lambda(1) == 0.2
