// KielIO: the single-threaded poll() reactor (IOLoop), timers, non-blocking TCP and the
// length-prefixed frame stream that the Kafka and ZooKeeper clients are built on.
//
// One thread rule for the whole module: everything is confined to the loop's thread except
// `IOLoop.addCallback` (and `IOLoop.stop`, which uses it), `TestClock`, `KielLog`, and plain
// values (`Deadline`, `Backoff`, errors). Debug builds check the loop-confined calls.
