extension IOLoop {
    /// Tornado's `run_sync`: calls `body` with a `done` closure, then runs the loop until
    /// `done` is called (returning its value or throwing its error) or until `timeout` passes
    /// on the loop's clock (throwing `LoopTimeoutError`), or until
    /// `stop()` is called (throwing `LoopStoppedError`). For tests, examples and command-line
    /// tools; a library never calls it. Loop thread only; `done` must be called on the loop
    /// thread (from another thread, hop through `addCallback`). Later calls of `done` are ignored.
    public func runUntilComplete<T>(timeout: Duration,
                                    _ body: (_ done: @escaping (Result<T, any Error>) -> Void) -> Void) throws -> T {
        takeOwnership()
        precondition(!isRunning, "runUntilComplete inside a running loop")
        var outcome: Result<T, any Error>?
        let timer = callLater(timeout) { [unowned self] in
            if outcome == nil {
                outcome = .failure(LoopTimeoutError(timeout: timeout))
                self.stopRequested = true
            }
        }
        body { [unowned self] result in
            guard outcome == nil else { return }
            outcome = result
            self.stopRequested = true
        }
        if outcome == nil {
            run()
        } else {
            stopRequested = false
        }
        removeTimeout(timer)
        // run() also returns when someone calls stop() before `done`. Record that, so a `done`
        // arriving later is ignored instead of stopping whatever runs the loop next.
        let result = outcome ?? .failure(LoopStoppedError())
        outcome = result
        return try result.get()
    }
}
