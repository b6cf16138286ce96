// Tests for ZooKeeper.
