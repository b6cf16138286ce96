import Foundation
import KielIO

/// A distributed mutual-exclusion lock, compatible with kazoo's `Lock` on the same path.
///
/// Algorithm (the standard ZooKeeper lock): create an ephemeral sequential child
/// `<path>/<uuid-hex>__lock__<seq>`; list the children; the contender with the lowest
/// sequence number holds the lock. Otherwise watch only the immediate predecessor (the
/// contender with the next lower sequence) and check again when it changes, so a release
/// wakes one waiter, not all. The uuid prefix lets us find our own node again if the create
/// was applied but its answer lost with the connection.
///
/// Connection states: while `suspended` the lock is probably still held (the node is
/// ephemeral and the session may live); on `lost` (session expired or closed) the node is
/// gone and `onLost` is called if the lock was held. A pending `acquire` fails then.
///
/// A lock keeps itself alive while an operation of it is in flight (its callbacks hold it), so
/// a caller may drop its reference after `release`.
///
/// Loop-confined: create and use it on the client's loop thread.
public final class Lock {
    /// The session the lock lives in.
    public let client: ZooKeeperClient
    /// The lock's znode; contenders are its children.
    public let path: String
    /// Stored in our lock node (kazoo's `identifier`), for `contenders`-style inspection.
    public let identifier: String
    /// Called when the session holding the lock ends (the lock is no longer ours).
    public var onLost: (() -> Void)?
    /// Our node's prefix: 32 hex digits and `__lock__`, as kazoo names its nodes.
    public let prefix: String
    /// The ACL of the nodes the lock creates: the lock node (and missing ancestors) and our
    /// contender node.
    public let acl: [ACL]

    static let marker = "__lock__"

    private enum Phase { case idle, acquiring, held, releasing }
    private var phase = Phase.idle
    private var node: String?
    private var epoch = 0
    private var acquireCompletion: ((Result<Void, ZooKeeperError>) -> Void)?
    private var releaseCompletions: [(Result<Void, ZooKeeperError>) -> Void] = []
    private var retryAfterReconnect: (() -> Void)?
    private var listenerToken: Int?

    /// A lock on `path`, not yet asked for; `identifier` is stored in our contender node. The
    /// nodes it creates get `acl` (open to all by default).
    public init(client: ZooKeeperClient, path: String, identifier: String = "", acl: [ACL] = ACL.openUnsafe) {
        self.client = client
        self.path = path
        self.identifier = identifier
        self.acl = acl
        self.prefix = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() + Lock.marker
        listenerToken = client.addStateListener { [weak self] change in self?.stateChanged(change) }
    }

    deinit {
        if let listenerToken { client.removeStateListener(listenerToken) }
    }

    /// True between a successful `acquire` and `release` (or the session's loss).
    public var isAcquired: Bool { phase == .held }

    /// Our lock node's full path once created.
    public var nodePath: String? { node.map { PathRules.join(path, $0) } }

    /// Waits for the lock; the completion runs once the lock is ours, or with the error
    /// that ended the attempt (`.sessionExpired`, `.closed`, ...).
    public func acquire(_ completion: @escaping (Result<Void, ZooKeeperError>) -> Void) {
        guard phase == .idle else {
            client.loop.callSoon { completion(.failure(.badArguments)) }
            return
        }
        phase = .acquiring
        acquireCompletion = completion
        epoch += 1
        let current = epoch
        client.ensurePath(path, acl: acl) { result in
            guard self.epoch == current else { return }
            switch result {
            case .success: self.createNode(current)
            case .failure(let error): self.failed(error, retry: { self.createNode(current) })
            }
        }
    }

    /// Gives the lock up (deleting our node). Called while acquiring, it cancels the attempt,
    /// whose completion then fails with `.closed`.
    public func release(_ completion: @escaping (Result<Void, ZooKeeperError>) -> Void = { _ in }) {
        switch phase {
        case .idle:
            client.loop.callSoon { completion(.success(())) }
        case .releasing:
            releaseCompletions.append(completion)
        case .acquiring, .held:
            if phase == .acquiring, let cancelled = acquireCompletion {
                // Not inside release(): the caller may hold state the completion touches.
                acquireCompletion = nil
                client.loop.callSoon { cancelled(.failure(.closed)) }
            }
            phase = .releasing
            releaseCompletions.append(completion)
            epoch += 1
            deleteNode(epoch)
        }
    }

    // MARK: steps

    private func createNode(_ current: Int) {
        client.create(PathRules.join(path, prefix), data: Array(identifier.utf8),
                      mode: .ephemeralSequential, acl: acl) { result in
            guard self.epoch == current else {
                // Cancelled while the create was in flight: don't leave a contender behind.
                if case .success(let created) = result { self.client.delete(created) { _ in } }
                return
            }
            switch result {
            case .success(let created):
                self.node = String(created.split(separator: "/").last ?? "")
                self.check(current)
            case .failure(let error):
                self.failed(error, retry: { self.findOrCreate(current) })
            }
        }
    }

    /// After an unanswered create: our node may exist; find it by our prefix.
    private func findOrCreate(_ current: Int) {
        client.getChildren(path) { result in
            guard self.epoch == current else { return }
            switch result {
            case .success(let children):
                if let mine = children.first(where: { $0.hasPrefix(self.prefix) }) {
                    self.node = mine
                    self.check(current)
                } else {
                    self.createNode(current)
                }
            case .failure(let error):
                self.failed(error, retry: { self.findOrCreate(current) })
            }
        }
    }

    private func check(_ current: Int) {
        client.getChildren(path) { result in
            guard self.epoch == current, let node = self.node else { return }
            switch result {
            case .failure(let error):
                self.failed(error, retry: { self.check(current) })
            case .success(let children):
                guard children.contains(node) else {
                    // Our node vanished (deleted by someone): queue up again.
                    self.node = nil
                    return self.createNode(current)
                }
                guard let predecessor = Lock.predecessor(of: node, among: children) else {
                    self.phase = .held
                    return self.finishAcquire(.success(()))
                }
                self.client.exists(PathRules.join(self.path, predecessor), watch: { _ in
                    guard self.epoch == current else { return }
                    self.check(current)
                }) { result in
                    guard self.epoch == current else { return }
                    switch result {
                    case .success(nil): self.check(current)  // gone already: look again
                    case .success: break                    // wait for the watch
                    case .failure(let error): self.failed(error, retry: { self.check(current) })
                    }
                }
            }
        }
    }

    private func deleteNode(_ current: Int) {
        guard let node else { return deleteStrays(current) }
        client.delete(PathRules.join(path, node)) { result in
            guard self.epoch == current else { return }
            switch result {
            case .success, .failure(.noNode):
                self.node = nil
                self.finishRelease(.success(()))
            case .failure(.connectionLoss):
                self.retryAfterReconnect = { self.deleteNode(current) }
            case .failure(let error):
                self.node = nil
                self.finishRelease(.failure(error))
            }
        }
    }

    /// Released before our node was known: a create may still have been applied (its answer
    /// lost with the connection, or still on its way), and such a node would hold the lock
    /// until our session ends. Find every child with our prefix and delete it.
    private func deleteStrays(_ current: Int) {
        client.getChildren(path) { result in
            guard self.epoch == current else { return }
            switch result {
            case .success(let children):
                let strays = children.filter { $0.hasPrefix(self.prefix) }
                guard !strays.isEmpty else { return self.finishRelease(.success(())) }
                var left = strays.count
                var failure: ZooKeeperError?
                for stray in strays {
                    self.client.delete(PathRules.join(self.path, stray)) { result in
                        guard self.epoch == current else { return }
                        if case .failure(let error) = result, error != .noNode { failure = error }
                        left -= 1
                        guard left == 0 else { return }
                        switch failure {
                        case nil: self.finishRelease(.success(()))
                        case .connectionLoss?, .timeout?:
                            self.retryAfterReconnect = { self.deleteStrays(current) }
                        case let error?: self.finishRelease(.failure(error))
                        }
                    }
                }
            case .failure(.noNode):
                self.finishRelease(.success(()))
            case .failure(.connectionLoss), .failure(.timeout):
                self.retryAfterReconnect = { self.deleteStrays(current) }
            case .failure(let error):
                self.finishRelease(.failure(error))
            }
        }
    }

    /// Connection loss waits for the same session to come back; anything else ends the attempt.
    private func failed(_ error: ZooKeeperError, retry: @escaping () -> Void) {
        if error == .connectionLoss || error == .timeout {
            if client.state == .connected { retry() } else { retryAfterReconnect = retry }
            return
        }
        epoch += 1
        phase = .idle
        finishAcquire(.failure(error))
    }

    private func finishAcquire(_ result: Result<Void, ZooKeeperError>) {
        guard let completion = acquireCompletion else { return }
        acquireCompletion = nil
        completion(result)
    }

    private func finishRelease(_ result: Result<Void, ZooKeeperError>) {
        phase = .idle
        let completions = releaseCompletions
        releaseCompletions = []
        for completion in completions { completion(result) }
    }

    private func stateChanged(_ change: StateChange) {
        switch change {
        case .reconnected, .connected:
            if let retry = retryAfterReconnect {
                retryAfterReconnect = nil
                retry()
            }
        case .suspended:
            break
        case .lost(let reason):
            retryAfterReconnect = nil
            let wasHeld = phase == .held
            let error: ZooKeeperError = reason == .expired ? .sessionExpired : .closed
            epoch += 1
            node = nil
            switch phase {
            case .acquiring:
                phase = .idle
                finishAcquire(.failure(error))
            case .releasing:
                finishRelease(.success(()))  // the node died with the session
            case .held, .idle:
                phase = .idle
            }
            if wasHeld { onLost?() }
        }
    }

    // MARK: ordering (kazoo's contender rule)

    /// The sequence suffix of a contender (`...__lock__0000000042`), or nil for other children.
    static func sequence(of child: String) -> String? {
        guard let range = child.range(of: marker, options: .backwards) else { return nil }
        let digits = child[range.upperBound...]
        let body = digits.hasPrefix("-") ? digits.dropFirst() : digits
        guard body.count == 10, body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return String(digits)
    }

    /// The contender just before `node`, or nil if `node` comes first.
    static func predecessor(of node: String, among children: [String]) -> String? {
        guard let mine = sequence(of: node) else { return nil }
        var best: (sequence: String, name: String)?
        for child in children where child != node {
            guard let seq = sequence(of: child), seq < mine else { continue }
            if best == nil || seq > best!.sequence { best = (seq, child) }
        }
        return best?.name
    }
}
