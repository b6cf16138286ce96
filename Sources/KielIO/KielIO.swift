// KielIO: the single-threaded poll() reactor (IOLoop), timers, non-blocking TCP and the
// length-prefixed frame stream that the Kafka and ZooKeeper clients are built on.
