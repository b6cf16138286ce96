/// A one-shot watch firing: what happened to which node (path relative to the chroot).
public struct WatchEvent: Equatable, Sendable {
    /// What happened to the node, named as ZooKeeper's `EventType`.
    public enum Kind: Equatable, Sendable {
        case nodeCreated
        case nodeDeleted
        case nodeDataChanged
        case nodeChildrenChanged
        /// The session expired before the node changed: the watch is gone and will not fire.
        case sessionExpired
        /// A server event type this client has no name for.
        case other(Int32)

        init(wireType: Int32) {
            switch wireType {
            case 1: self = .nodeCreated
            case 2: self = .nodeDeleted
            case 3: self = .nodeDataChanged
            case 4: self = .nodeChildrenChanged
            default: self = .other(wireType)
            }
        }
    }

    /// What happened.
    public var kind: Kind
    /// The node's path, relative to the chroot.
    public var path: String

    /// An event of `kind` on `path`.
    public init(kind: Kind, path: String) {
        self.kind = kind
        self.path = path
    }
}

/// A watch callback. Runs on the loop thread, once.
public typealias Watcher = (WatchEvent) -> Void

/// The watches this session has armed, by kind and (server-side, chrooted) path, following
/// ZooKeeper's rules: a data watch comes from getData or a successful exists, an exist watch
/// from exists on a missing node, a child watch from getChildren.
/// Loop-confined (owned by `ZooKeeperConnection`).
final class WatchRegistry {
    enum Kind { case data, exist, child }

    private(set) var data: [String: [Watcher]] = [:]
    private(set) var exist: [String: [Watcher]] = [:]
    private(set) var child: [String: [Watcher]] = [:]

    var isEmpty: Bool { data.isEmpty && exist.isEmpty && child.isEmpty }

    func add(_ kind: Kind, path: String, _ watcher: @escaping Watcher) {
        switch kind {
        case .data: data[path, default: []].append(watcher)
        case .exist: exist[path, default: []].append(watcher)
        case .child: child[path, default: []].append(watcher)
        }
    }

    /// Removes and returns the watchers an event of `type` on `path` fires.
    func take(type: Int32, path: String) -> [Watcher] {
        var fired: [Watcher] = []
        switch type {
        case 1, 3: // created, data changed
            fired += data.removeValue(forKey: path) ?? []
            fired += exist.removeValue(forKey: path) ?? []
        case 2: // deleted
            fired += data.removeValue(forKey: path) ?? []
            fired += exist.removeValue(forKey: path) ?? []
            fired += child.removeValue(forKey: path) ?? []
        case 4:
            fired += child.removeValue(forKey: path) ?? []
        default:
            break
        }
        return fired
    }

    /// Removes every watcher (session expiry or close), returning them with their paths.
    func takeAll() -> [(String, Watcher)] {
        var all: [(String, Watcher)] = []
        for (path, list) in data { all += list.map { (path, $0) } }
        for (path, list) in exist { all += list.map { (path, $0) } }
        for (path, list) in child { all += list.map { (path, $0) } }
        data = [:]; exist = [:]; child = [:]
        return all
    }

    /// SetWatches requests re-arming every watch, split so no request body passes `limit`
    /// bytes (servers reject frames over their jute.maxbuffer, 1 MB by default).
    func setWatchesRequests(relativeZxid: Int64, limit: Int = 128 * 1024) -> [SetWatchesRequest] {
        var requests: [SetWatchesRequest] = []
        var current = SetWatchesRequest(relativeZxid: relativeZxid, dataWatches: [],
                                        existWatches: [], childWatches: [])
        var size = 8 + 12
        func add(_ path: String, to keyPath: WritableKeyPath<SetWatchesRequest, [String]>) {
            let cost = 4 + path.utf8.count
            if size + cost > limit && size > 20 {
                requests.append(current)
                current = SetWatchesRequest(relativeZxid: relativeZxid, dataWatches: [],
                                            existWatches: [], childWatches: [])
                size = 20
            }
            current[keyPath: keyPath].append(path)
            size += cost
        }
        for path in data.keys.sorted() { add(path, to: \.dataWatches) }
        for path in exist.keys.sorted() { add(path, to: \.existWatches) }
        for path in child.keys.sorted() { add(path, to: \.childWatches) }
        if size > 20 { requests.append(current) }
        return requests
    }
}
