"""Segmentation: header facts, speaker turns, and sentences of the normalised text."""
