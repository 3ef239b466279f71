"""Pairwise precision, recall and F1 of clusters against the true persons."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int


def _pairs(counts: pl.Expr) -> pl.Expr:
    return (counts * (counts - 1) // 2).sum()


def pairwise_scores(clusters: pl.DataFrame, truth: pl.DataFrame) -> Scores:
    """Compare `clusters` (record_id, person_id) with `truth` (record_id, person_id)."""
    joined = clusters.rename({"person_id": "predicted"}).join(
        truth.rename({"person_id": "true"}), on="record_id", how="inner"
    )
    true_pairs = joined.group_by("true").len().select(_pairs(pl.col("len"))).item()
    predicted = joined.group_by("predicted").len().select(_pairs(pl.col("len"))).item()
    correct = joined.group_by("predicted", "true").len().select(_pairs(pl.col("len"))).item()
    precision = correct / predicted if predicted else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, true_pairs, predicted, correct)
