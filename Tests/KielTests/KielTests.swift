// Tests for Kiel.
