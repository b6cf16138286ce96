import XCTest
import Kiel
@testable import KielCLI

/// `kiel group`'s ZooKeeper security properties: `zookeeper.auth` and `zookeeper.acl`.
final class ZooKeeperPropertiesTests: XCTestCase {
    func groupOptions(_ properties: [String]) throws -> GroupedConsumer<[UInt8]>.Options {
        let words = ["group", "-b", "h", "-z", "z", "-g", "g", "-t", "t"] + properties.flatMap { ["-X", $0] }
        guard case .group(let g) = try CommandLineSyntax.parse(words) else {
            throw UsageError("not a group command")
        }
        var options = GroupedConsumer<[UInt8]>.Options()
        g.properties.apply(to: &options)
        return options
    }

    func testCredentialsAndACLReachTheGroupedConsumer() throws {
        let options = try groupOptions(["zookeeper.auth=digest:kiel:pass:with:colons", "zookeeper.acl=creator"])
        XCTAssertEqual(options.zooKeeperCredentials, [.digest(user: "kiel", password: "pass:with:colons")])
        XCTAssertEqual(options.zooKeeperACL, ACL.creatorAll)
        XCTAssertEqual(try groupOptions(["zookeeper.auth=digest:u:p", "zookeeper.acl=creator-world-read"]).zooKeeperACL,
                       ACL.creatorAllWorldRead)
        let plain = try groupOptions([])
        XCTAssertEqual(plain.zooKeeperCredentials, [])
        XCTAssertEqual(plain.zooKeeperACL, ACL.openUnsafe)
        XCTAssertEqual(try groupOptions(["zookeeper.auth=ip:10.0.0.1", "zookeeper.acl=open"]).zooKeeperCredentials,
                       [ZooKeeperCredentials(scheme: "ip", bytes: Array("10.0.0.1".utf8))])
    }

    func testBadSettingsAreUsageErrors() {
        for (properties, text) in [(["zookeeper.auth=digest"], "SCHEME:CREDENTIALS"),
                                   (["zookeeper.auth=:u:p"], "SCHEME:CREDENTIALS"),
                                   (["zookeeper.auth=digest:"], "SCHEME:CREDENTIALS"),
                                   (["zookeeper.acl=private"], "creator, creator-world-read, open"),
                                   (["zookeeper.acl=creator"], "needs zookeeper.auth")] {
            XCTAssertThrowsError(try groupOptions(properties), "\(properties)") {
                XCTAssertTrue("\($0)".contains(text), "\(properties): \($0)")
            }
        }
        XCTAssertThrowsError(try CommandLineSyntax.parse(["consume", "-b", "h", "-t", "t", "-X", "zookeeper.auth=digest:u:p"])) {
            XCTAssertTrue("\($0)".contains("grouped consumers only"), "\($0)")
        }
    }

    func testCredentialsDoNotShowInDescriptions() {
        XCTAssertEqual("\(ZooKeeperCredentials.digest(user: "kiel", password: "secret"))", "digest:kiel:<password>")
        XCTAssertEqual("\(ZooKeeperCredentials(scheme: "x", bytes: [1, 2]))", "x:<2 bytes>")
    }
}
