import KielIO

/// The ZooKeeper operations. Paths are absolute and relative to the chroot, if any.
/// A `version` of -1 means "any version". A `watch` closure is armed only if the operation
/// succeeds (exists also arms it when the node is missing, to hear its creation); it fires at
/// most once.
extension ZooKeeperClient {
    /// Creates a node; answers the path created (with the sequence suffix for sequential
    /// modes). With `makeParents`, missing ancestors are created first (persistent, empty,
    /// with the same `acl`).
    public func create(_ path: String, data: [UInt8] = [], mode: CreateMode = .persistent,
                       acl: [ACL] = ACL.openUnsafe, makeParents: Bool = false,
                       _ completion: @escaping (Result<String, ZooKeeperError>) -> Void) {
        guard validate(path, sequential: mode.isSequential, completion) else { return }
        let request = CreateRequest(path: chroot(path), data: data, acl: acl, mode: mode)
        execute(request) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(.noNode) where makeParents:
                self.ensurePath(self.parent(of: path), acl: acl) { parentResult in
                    switch parentResult {
                    case .failure(let error): completion(.failure(error))
                    case .success:
                        self.create(path, data: data, mode: mode, acl: acl, makeParents: false,
                                    completion)
                    }
                }
            default:
                completion(result.map { self.unchroot($0) })
            }
        }
    }

    /// Creates `path` and any missing ancestors as empty persistent nodes with `acl`; succeeds
    /// if they already exist (whatever their ACL, also one that does not let this session
    /// create children there).
    public func ensurePath(_ path: String, acl: [ACL] = ACL.openUnsafe,
                           _ completion: @escaping (Result<Void, ZooKeeperError>) -> Void) {
        guard validate(path, completion) else { return }
        if path == "/" {
            loop.callSoon { completion(.success(())) }
            return
        }
        var remaining = PathRules.ancestors(of: path) + [path]
        func step() {
            guard !remaining.isEmpty else { return completion(.success(())) }
            let next = remaining.removeFirst()
            execute(CreateRequest(path: chroot(next), data: [], acl: acl, mode: .persistent)) { result in
                switch result {
                case .success, .failure(.nodeExists): step()
                case .failure(.noAuth):
                    // The server checks the parent's ACL before whether the node exists.
                    self.execute(ExistsRequest(path: self.chroot(next), watch: false)) { exists in
                        switch exists {
                        case .success: step()
                        case .failure(.noNode): completion(.failure(.noAuth))
                        case .failure(let error): completion(.failure(error))
                        }
                    }
                case .failure(let error): completion(.failure(error))
                }
            }
        }
        step()
    }

    /// Deletes a node with no children, if its version matches.
    public func delete(_ path: String, version: Int32 = -1,
                       _ completion: @escaping (Result<Void, ZooKeeperError>) -> Void) {
        guard validate(path, completion) else { return }
        execute(DeleteRequest(path: chroot(path), version: version), completion)
    }

    /// The node's stat, or nil if it does not exist.
    public func exists(_ path: String, watch: Watcher? = nil,
                       _ completion: @escaping (Result<Stat?, ZooKeeperError>) -> Void) {
        guard validate(path, completion) else { return }
        let server = chroot(path)
        execute(ExistsRequest(path: server, watch: watch != nil)) { [weak self] result in
            switch result {
            case .success(let stat):
                if let watch { self?.connection.watches.add(.data, path: server, watch) }
                completion(.success(stat))
            case .failure(.noNode):
                if let watch { self?.connection.watches.add(.exist, path: server, watch) }
                completion(.success(nil))
            case .failure(let error):
                completion(.failure(error))
            }
        }
    }

    /// The node's data and stat.
    public func getData(_ path: String, watch: Watcher? = nil,
                        _ completion: @escaping (Result<(data: [UInt8], stat: Stat), ZooKeeperError>) -> Void) {
        guard validate(path, completion) else { return }
        execute(GetDataRequest(path: chroot(path), watch: watch != nil), watching: .data, watch, completion)
    }

    /// Replaces the node's data if its version matches; answers the new stat.
    public func setData(_ path: String, data: [UInt8], version: Int32 = -1,
                        _ completion: @escaping (Result<Stat, ZooKeeperError>) -> Void) {
        guard validate(path, completion) else { return }
        execute(SetDataRequest(path: chroot(path), data: data, version: version), completion)
    }

    /// The names of the node's children (unordered, as the server lists them).
    public func getChildren(_ path: String, watch: Watcher? = nil,
                            _ completion: @escaping (Result<[String], ZooKeeperError>) -> Void) {
        guard validate(path, completion) else { return }
        execute(GetChildrenRequest(path: chroot(path), watch: watch != nil), watching: .child, watch, completion)
    }

    /// The node's children and its stat (getChildren2).
    public func getChildrenWithStat(_ path: String, watch: Watcher? = nil,
                                    _ completion: @escaping (Result<(children: [String], stat: Stat), ZooKeeperError>) -> Void) {
        guard validate(path, completion) else { return }
        execute(GetChildren2Request(path: chroot(path), watch: watch != nil), watching: .child, watch, completion)
    }

    /// Waits until the server we are connected to has caught up with the leader for `path`.
    public func sync(_ path: String, _ completion: @escaping (Result<String, ZooKeeperError>) -> Void) {
        guard validate(path, completion) else { return }
        execute(SyncRequest(path: chroot(path))) { [weak self] result in
            completion(result.map { self?.unchroot($0) ?? $0 })
        }
    }

    /// Applies all `ops` atomically, or none. On failure the error is
    /// `.transactionFailed(index:reason:)` naming the first operation that failed.
    public func multi(_ ops: [MultiOp],
                      _ completion: @escaping (Result<[MultiOpResult], ZooKeeperError>) -> Void) {
        for op in ops {
            let sequential: Bool
            if case .create(_, _, _, let mode) = op { sequential = mode.isSequential } else { sequential = false }
            guard validate(op.path, sequential: sequential, completion) else { return }
        }
        var w = JuteWriter()
        MultiRequest(ops: ops.map { $0.withPath(chroot($0.path)) }).encode(into: &w)
        connection.submit(.multi, body: w.bytes) { [weak self] reply in
            switch reply {
            case .failure(let error):
                completion(.failure(error))
            case .success(let (header, body)):
                var reader = body
                let results = reader.isAtEnd ? [] : MultiRequest.decodeResponse(from: &reader)
                if let error = reader.error {
                    return completion(.failure(.protocol("multi reply: \(error)")))
                }
                if let failure = MultiRequest.failure(in: results) {
                    return completion(.failure(failure))
                }
                if let error = ZooKeeperError(code: header.err) {
                    return completion(.failure(error))
                }
                completion(.success(results.map { result in
                    if case .create(let path) = result, let self { return .create(path: self.unchroot(path)) }
                    return result
                }))
            }
        }
    }

    /// Adds credentials to the session (e.g. scheme "digest", "user:password"); they are sent
    /// again on every reconnect. A scheme the server rejects ends the session: the completion
    /// and every pending operation fail with `.authFailed` and listeners hear
    /// `.lost(.authFailed)`.
    public func addAuth(scheme: String, credentials: [UInt8],
                        _ completion: @escaping (Result<Void, ZooKeeperError>) -> Void = { _ in }) {
        connection.addAuth(AuthRequest(scheme: scheme, auth: credentials), completion)
    }

    /// A node's ACL and stat.
    public func getACL(_ path: String,
                       _ completion: @escaping (Result<(acl: [ACL], stat: Stat), ZooKeeperError>) -> Void) {
        guard validate(path, completion) else { return }
        execute(GetACLRequest(path: chroot(path)), completion)
    }

    /// Replaces a node's ACL if its ACL version (`Stat.aversion`) matches.
    public func setACL(_ path: String, acl: [ACL], version: Int32 = -1,
                       _ completion: @escaping (Result<Stat, ZooKeeperError>) -> Void) {
        guard validate(path, completion) else { return }
        execute(SetACLRequest(path: chroot(path), acl: acl, version: version), completion)
    }

    // MARK: plumbing

    func execute<R: ZooKeeperRequest>(_ request: R,
                                      _ completion: @escaping (Result<R.Response, ZooKeeperError>) -> Void) {
        var w = JuteWriter()
        request.encode(into: &w)
        connection.submit(R.opCode, body: w.bytes) { reply in
            switch reply {
            case .failure(let error):
                completion(.failure(error))
            case .success(let (header, body)):
                if let error = ZooKeeperError(code: header.err) { return completion(.failure(error)) }
                var reader = body
                let value = R.decodeResponse(from: &reader)
                if let error = reader.error {
                    completion(.failure(.protocol("\(R.opCode) reply: \(error)")))
                } else {
                    completion(.success(value))
                }
            }
        }
    }

    /// Runs a read that may leave a watch; once it succeeds, `watch` (if any) is armed as a
    /// `kind` watch on the request's (chrooted) path.
    func execute<R: PathWatchRequest>(_ request: R, watching kind: WatchRegistry.Kind, _ watch: Watcher?,
                                      _ completion: @escaping (Result<R.Response, ZooKeeperError>) -> Void) {
        execute(request) { [weak self] result in
            if case .success = result, let watch { self?.connection.watches.add(kind, path: request.path, watch) }
            completion(result)
        }
    }

    /// Fails `completion` on a later turn unless `path` is a valid ZooKeeper path.
    func validate<T>(_ path: String, sequential: Bool = false,
                     _ completion: @escaping (Result<T, ZooKeeperError>) -> Void) -> Bool {
        if PathRules.isValid(path, sequential: sequential) { return true }
        loop.callSoon { completion(.failure(.badArguments)) }
        return false
    }

    func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
