import KielIO

/// How a grouped consumer (either kind) connects: loads metadata, asking again after a
/// backoff while no broker answers and giving up at once on a TLS or authentication failure,
/// then joins. The caller hears once: the join's result; or the last error, when joining takes
/// longer than `timeout` (the consumer goes on trying); or `.closed`, when the consumer closes
/// first. Each failure on the way also goes to `onError`.
///
/// Loop-confined.
final class GroupConnect {
    /// How long the caller waits before hearing it has not joined yet.
    static let timeout: Duration = .seconds(30)

    private let loop: IOLoop
    private let cluster: Cluster
    private let group: String
    private let join: (@escaping (Result<Void, KielError>) -> Void) -> Void
    private var backoff: Backoff
    private var completion: ((Result<Void, KielError>) -> Void)?
    private var timer: TimeoutHandle?
    private var lastError: KielError?
    private var cancelled = false
    /// Failures on the way (metadata not loaded yet, say), as they happen.
    var onError: ((KielError) -> Void)?

    /// `join` runs once metadata is in and answers when the member is in the group.
    init(loop: IOLoop, cluster: Cluster, group: String,
         join: @escaping (@escaping (Result<Void, KielError>) -> Void) -> Void) {
        self.loop = loop
        self.cluster = cluster
        self.group = group
        self.join = join
        backoff = Backoff(initial: cluster.options.connection.reconnectBackoffInitial,
                          maximum: cluster.options.connection.reconnectBackoffMax)
    }

    func start(_ completion: @escaping (Result<Void, KielError>) -> Void) {
        self.completion = completion
        timer = loop.callLater(Self.timeout) { [weak self] in
            guard let self else { return }
            self.timer = nil
            self.answer(.failure(self.lastError ?? .timeout("joining group \(self.group)")))
        }
        bootstrap()
    }

    /// Stops trying; a caller still waiting hears `.closed` on a later turn (not inside the
    /// consumer's `close`, whose caller may hold state the completion touches).
    func cancel() {
        cancelled = true
        guard let pending = completion else { return }
        completion = nil
        loop.cancelTimeout(&timer)
        loop.callSoon { pending(.failure(.closed)) }
    }

    /// Remembers a failure of the join itself, for a caller who hears at the timeout.
    func note(_ error: KielError) { lastError = error }

    private func bootstrap() {
        cluster.start { [weak self] result in
            guard let self, !self.cancelled else { return }
            switch result {
            case .failure(let error):
                self.lastError = error
                self.onError?(error)
                // A TLS or authentication failure won't heal by asking again.
                if error.endsConnection { return self.answer(.failure(error)) }
                self.loop.callLater(self.backoff.next()) { [weak self] in
                    guard let self, !self.cancelled else { return }
                    self.bootstrap()
                }
            case .success:
                self.join { [weak self] result in self?.answer(result) }
            }
        }
    }

    private func answer(_ result: Result<Void, KielError>) {
        guard let completion else { return }
        self.completion = nil
        loop.cancelTimeout(&timer)
        completion(result)
    }
}
