import Foundation
import KielIO

/// A set of strings shared through one znode, stored as a JSON list (kiel's SharedSet, used for
/// a consumer group's partitions), e.g. `["topic:0", "topic:1"]`.
///
/// Algorithm: readers keep a data watch on `path` and get `onChange` with the decoded set
/// after every change. Writers (`add`, `remove`, `replace`) take the `Lock` at
/// `<path>/lock`, read the current list, write the new one only if it differs, and release
/// the lock, so concurrent writers (kiel's Python ones included) never lose an update.
///
/// Loop-confined: create and use it on the client's loop thread.
public final class SharedSet {
    /// The session the set is read and written through.
    public let client: ZooKeeperClient
    /// The znode holding the JSON list.
    public let path: String
    /// Called with the set after each change (and once after `start`).
    public var onChange: (Set<String>) -> Void
    /// The ACL of the nodes the set creates: its own node (and missing ancestors) and the
    /// lock's.
    public let acl: [ACL]

    private var started = false
    private var watchArmed = false
    /// Which `watch()` the live watcher belongs to: an exists watch left over from a deleted
    /// node that came back would otherwise re-arm a second, duplicate chain of watches.
    private var watchToken = 0
    private var listenerToken: Int?

    /// A set at `path`; nothing is read or watched until `start`. The nodes it creates get
    /// `acl` (open to all by default).
    public init(client: ZooKeeperClient, path: String, acl: [ACL] = ACL.openUnsafe,
                onChange: @escaping (Set<String>) -> Void = { _ in }) {
        self.client = client
        self.path = path
        self.acl = acl
        self.onChange = onChange
        listenerToken = client.addStateListener { [weak self] change in
            guard let self, self.started else { return }
            switch change {
            case .connected:
                self.watchArmed = false
                self.watch()
            case .reconnected:
                self.watch()
            case .suspended, .lost:
                break
            }
        }
    }

    deinit {
        if let listenerToken { client.removeStateListener(listenerToken) }
    }

    /// The znode of the lock that guards writes.
    public var lockPath: String { PathRules.join(path, "lock") }

    /// Ensures the znode and starts watching it.
    public func start(_ completion: @escaping (Result<Void, ZooKeeperError>) -> Void = { _ in }) {
        started = true
        client.ensurePath(path, acl: acl) { [weak self] result in
            if case .success = result { self?.watch() }
            completion(result)
        }
    }

    /// Adds `items` under the lock; the node is written only if the set changes.
    public func add(_ items: Set<String>, _ completion: @escaping (Result<Void, ZooKeeperError>) -> Void = { _ in }) {
        update({ $0.union(items) }, completion)
    }

    /// Removes `items` under the lock; the node is written only if the set changes.
    public func remove(_ items: Set<String>, _ completion: @escaping (Result<Void, ZooKeeperError>) -> Void = { _ in }) {
        update({ $0.subtracting(items) }, completion)
    }

    /// Makes the set exactly `items`, under the lock.
    public func replace(with items: Set<String>, _ completion: @escaping (Result<Void, ZooKeeperError>) -> Void = { _ in }) {
        update({ _ in items }, completion)
    }

    /// Reads the set once, without the lock.
    public func read(_ completion: @escaping (Result<Set<String>, ZooKeeperError>) -> Void) {
        client.getData(path) { result in
            completion(result.flatMap { SharedSet.decode($0.data) })
        }
    }

    private func update(_ change: @escaping (Set<String>) -> Set<String>,
                        _ completion: @escaping (Result<Void, ZooKeeperError>) -> Void) {
        let lock = Lock(client: client, path: lockPath, acl: acl)
        lock.acquire { [client, path] result in
            if case .failure(let error) = result { return completion(.failure(error)) }
            func finish(_ result: Result<Void, ZooKeeperError>) {
                lock.release { _ in completion(result) }
            }
            client.getData(path) { result in
                switch result.flatMap({ SharedSet.decode($0.data) }) {
                case .failure(let error):
                    finish(.failure(error))
                case .success(let existing):
                    let updated = change(existing)
                    if updated == existing { return finish(.success(())) }
                    client.setData(path, data: SharedSet.encode(updated)) { result in
                        finish(result.map { _ in () })
                    }
                }
            }
        }
    }

    private func watch() {
        guard !watchArmed else { return }
        watchArmed = true
        watchToken += 1
        let token = watchToken
        client.getData(path, watch: { [weak self] event in
            guard let self, token == self.watchToken else { return }
            self.watchArmed = false
            if event.kind != .sessionExpired { self.watch() }
        }) { [weak self] result in
            guard let self else { return }
            switch result.flatMap({ SharedSet.decode($0.data) }) {
            case .success(let items):
                self.onChange(items)
            case .failure(.noNode):
                // Deleted: report an empty set and wait for the node to come back.
                self.onChange([])
                self.client.exists(self.path, watch: { [weak self] event in
                    guard let self, event.kind != .sessionExpired, token == self.watchToken else { return }
                    self.watchArmed = false
                    self.watch()
                }) { [weak self] result in
                    guard let self else { return }
                    if case .success(_?) = result {
                        self.watchArmed = false
                        self.watch()
                    } else if case .failure = result {
                        self.watchArmed = false
                    }
                }
            case .failure:
                self.watchArmed = false
            }
        }
    }

    // MARK: JSON, as Python's json.dumps writes a list of strings (sorted here for stability)

    static func encode(_ items: Set<String>) -> [UInt8] {
        var out = "["
        for (index, item) in items.sorted().enumerated() {
            if index > 0 { out += ", " }
            out += "\""
            for scalar in item.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20 || scalar.value > 0x7E:
                    // ensure_ascii, like json.dumps: \uXXXX, surrogate pairs above the BMP.
                    for unit in String(scalar).utf16 {
                        let hex = String(unit, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    }
                default: out.unicodeScalars.append(scalar)
                }
            }
            out += "\""
        }
        return Array((out + "]").utf8)
    }

    /// Empty data (a fresh node) and JSON `null` read as the empty set.
    static func decode(_ data: [UInt8]) -> Result<Set<String>, ZooKeeperError> {
        if data.isEmpty { return .success([]) }
        guard let value = try? JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed]) else {
            return .failure(.protocol("shared set data is not JSON"))
        }
        if value is NSNull { return .success([]) }
        guard let list = value as? [Any] else { return .failure(.protocol("shared set data is not a JSON list")) }
        var items = Set<String>()
        for element in list {
            guard let string = element as? String else {
                return .failure(.protocol("shared set holds a non-string"))
            }
            items.insert(string)
        }
        return .success(items)
    }
}
