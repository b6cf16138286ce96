import Foundation

/// Certificates for the TLS tests, made with the `openssl` command the first time they are
/// asked for and kept for the rest of the test process: a CA; a server certificate from it for
/// 127.0.0.1 and localhost (subject alternative names); the same server key with an expired
/// certificate and with one for another host; a client certificate from the CA (its key also
/// encrypted, with `clientKeyPassword`); and a second CA that signed nothing the server uses.
/// Any thread may ask.
public struct TestCertificates: Sendable {
    public let directory: String
    public var caFile: String { directory + "/ca.pem" }
    public var otherCAFile: String { directory + "/other-ca.pem" }
    /// A directory holding only `ca.pem`, in OpenSSL's hashed layout.
    public var caDirectory: String { directory + "/ca-dir" }
    public var serverKey: String { directory + "/server.key" }
    public var serverCertificate: String { directory + "/server.pem" }
    public var expiredCertificate: String { directory + "/expired.pem" }
    public var wrongHostCertificate: String { directory + "/wrong-host.pem" }
    public var clientCertificate: String { directory + "/client.pem" }
    public var clientKey: String { directory + "/client.key" }
    public var encryptedClientKey: String { directory + "/client-encrypted.key" }
    public let clientKeyPassword = "kiel-secret"

    /// The set for this test process, made on first use.
    public static func shared() throws -> TestCertificates {
        try made.get()
    }

    private static let made: Result<TestCertificates, any Error> = Result { try TestCertificates(makingIn: ChildProcess.scratchDirectory("certs")) }

    private init(makingIn directory: String) throws {
        self.directory = directory
        let openssl = try Self.executable("openssl")
        func run(_ arguments: [String]) throws { _ = try TestServices.run(openssl, arguments) }
        func write(_ name: String, _ text: String) throws {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        func key(_ name: String) throws {
            try run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", directory + "/" + name])
        }
        func authority(_ name: String, _ subject: String) throws {
            try key(name + ".key")
            try run(["req", "-x509", "-new", "-key", directory + "/\(name).key", "-out", directory + "/\(name).pem",
                     "-days", "30", "-subj", subject, "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        }
        /// A certificate for `key` signed by the CA, valid for `days` (-1: expired yesterday).
        func issue(_ name: String, key: String, subject: String, extensions: String, days: Int) throws {
            try write(name + ".ext", extensions)
            try run(["req", "-new", "-key", directory + "/" + key, "-subj", subject, "-out", directory + "/\(name).csr"])
            try run(["x509", "-req", "-in", directory + "/\(name).csr", "-CA", caFile, "-CAkey", directory + "/ca.key",
                     "-CAcreateserial", "-out", directory + "/\(name).pem", "-days", String(days),
                     "-extfile", directory + "/\(name).ext"])
        }

        try authority("ca", "/CN=Kiel Test CA")
        try authority("other-ca", "/CN=Kiel Unrelated CA")
        try key("server.key")
        let serverUse = "extendedKeyUsage=serverAuth\n"
        try issue("server", key: "server.key", subject: "/CN=localhost",
                  extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1\n" + serverUse, days: 30)
        try issue("expired", key: "server.key", subject: "/CN=localhost",
                  extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1\n" + serverUse, days: -1)
        try issue("wrong-host", key: "server.key", subject: "/CN=broker.example.com",
                  extensions: "subjectAltName=DNS:broker.example.com,IP:192.0.2.7\n" + serverUse, days: 30)
        try key("client.key")
        try issue("client", key: "client.key", subject: "/CN=kiel-client",
                  extensions: "extendedKeyUsage=clientAuth\n", days: 30)
        try run(["pkey", "-in", clientKey, "-aes256", "-passout", "pass:\(clientKeyPassword)", "-out", encryptedClientKey])
        try FileManager.default.createDirectory(atPath: caDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: caFile, toPath: caDirectory + "/ca.pem")
        try run(["rehash", caDirectory])
    }

    /// The path of `name` on the PATH (or in the sbin folders Debian puts daemons in).
    public static func executable(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
            let candidate = folder + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestServicesError("\(name) is not installed: run scripts/install.sh")
    }
}
