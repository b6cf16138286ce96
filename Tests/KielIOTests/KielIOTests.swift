// Tests for KielIO.
