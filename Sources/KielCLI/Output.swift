#if canImport(Glibc)
import Glibc
#endif

/// Writes straight to file descriptors 1 and 2, retrying short writes. Callers batch their
/// lines (one write per fetched batch) so this stays cheap.
enum FileHandleOutput {
    static func stdout(_ text: String) { write(fd: 1, Array(text.utf8)) }
    static func stderr(_ text: String) { write(fd: 2, Array(text.utf8)) }

    static func write(fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}
