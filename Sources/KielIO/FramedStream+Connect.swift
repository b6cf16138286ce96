import Dispatch
import Glibc

extension FramedStream {
    /// Opens a non-blocking TCP connection (IPv4 or IPv6, `TCP_NODELAY` on) and calls
    /// `completion` on the loop thread, exactly once and never before this call returns.
    ///
    /// A numeric `host` is used directly; a name is resolved with `getaddrinfo` on a
    /// background thread (the loop never blocks), and each address is tried in turn.
    /// `timeout` covers resolution and connecting, and the layer's handshake when there is a
    /// `layer` (TLS): the stream is handed over once that is done, and a handshake failure
    /// is the completion's error (`.layerFailed`). Loop thread only.
    public static func connect(loop: IOLoop, host: String, port: Int, timeout: Duration,
                               maxFrameSize: Int = 100 << 20, layer: (any StreamLayer)? = nil,
                               _ completion: @escaping (Result<FramedStream, IOError>) -> Void) {
        loop.assertInLoop()
        let attempt = ConnectAttempt(loop: loop, host: host, port: port, maxFrameSize: maxFrameSize,
                                     layer: layer, completion: completion)
        attempt.start(timeout: timeout)
    }
}

/// One connection attempt: resolve, try each address, give up at the timeout. Loop-confined;
/// kept alive by its timer and fd handler until it finishes.
final class ConnectAttempt {
    let loop: IOLoop
    let host: String
    let port: Int
    let maxFrameSize: Int
    let layer: (any StreamLayer)?
    /// The stream whose layer is still shaking hands.
    private var handshaking: FramedStream?
    private var completion: ((Result<FramedStream, IOError>) -> Void)?
    private var addresses: [SocketAddress] = []
    private var nextAddress = 0
    private var fd: Int32 = -1
    private var timer: TimeoutHandle?
    private var lastErrno: Int32 = ECONNREFUSED

    init(loop: IOLoop, host: String, port: Int, maxFrameSize: Int, layer: (any StreamLayer)?,
         completion: @escaping (Result<FramedStream, IOError>) -> Void) {
        self.layer = layer
        self.loop = loop
        self.host = host
        self.port = port
        self.maxFrameSize = maxFrameSize
        self.completion = completion
    }

    func start(timeout: Duration) {
        timer = loop.callLater(timeout) { [self] in self.timedOut() }
        guard (0...65535).contains(port) else {
            loop.callSoon { [self] in
                self.finish(.failure(.connectFailed(host: self.host, port: self.port, errno: EINVAL)))
            }
            return
        }
        if let address = SocketAddress(numericHost: host, port: port) {
            loop.callSoon { [self] in self.resolved(.success([address])) }
            return
        }
        let bound = LoopBound(self, loop: loop)
        let loop = self.loop, host = self.host, port = self.port
        DispatchQueue.global().async {
            let result = Resolver.resolve(host: host, port: port)
            loop.addCallback { bound.value.resolved(result) }
        }
    }

    private func resolved(_ result: Result<[SocketAddress], IOError>) {
        guard completion != nil else { return }
        switch result {
        case .failure(let error):
            finish(.failure(error))
        case .success(let list):
            addresses = list
            tryNextAddress()
        }
    }

    private func tryNextAddress() {
        while nextAddress < addresses.count {
            let address = addresses[nextAddress]
            nextAddress += 1
            let sock = socket(address.family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue
                                                    | SOCK_CLOEXEC.rawValue), 0)
            guard sock >= 0 else {
                lastErrno = errno
                continue
            }
            var on: Int32 = 1
            _ = setsockopt(sock, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            let rc = address.withSockAddr { Glibc.connect(sock, $0, $1) }
            if rc == 0 {
                fd = sock
                succeed()
                return
            }
            let code = errno
            if code == EINPROGRESS {
                fd = sock
                loop.addHandler(sock, events: .write) { [self] _ in self.connectReady() }
                return
            }
            KielLog.debug("connect \(address) failed: errno \(code)")
            lastErrno = code
            _ = Glibc.close(sock)
        }
        finish(.failure(.connectFailed(host: host, port: port, errno: lastErrno)))
    }

    private func connectReady() {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) != 0 { code = errno }
        loop.removeHandler(fd)
        if code == 0 {
            succeed()
        } else {
            lastErrno = code
            _ = Glibc.close(fd)
            fd = -1
            tryNextAddress()
        }
    }

    private func succeed() {
        let stream = FramedStream(loop: loop, fd: fd, host: host, port: port, maxFrameSize: maxFrameSize,
                                  layer: layer)
        fd = -1
        guard layer != nil else { return finish(.success(stream)) }
        handshaking = stream
        stream.onEstablished = { [self] in
            self.handshaking = nil
            stream.onClose = nil
            self.finish(.success(stream))
        }
        stream.onClose = { [self] error in
            self.handshaking = nil
            self.finish(.failure(error ?? .closed))
        }
        stream.startLayer()
    }

    private func timedOut() {
        timer = nil
        guard completion != nil else { return }
        if let stream = handshaking {
            handshaking = nil
            stream.onClose = nil
            stream.close()
        }
        if fd >= 0 {
            loop.removeHandler(fd)
            _ = Glibc.close(fd)
            fd = -1
        }
        finish(.failure(.connectTimedOut(host: host, port: port)))
    }

    private func finish(_ result: Result<FramedStream, IOError>) {
        guard let completion else { return }
        self.completion = nil
        if let timer { loop.removeTimeout(timer) }
        timer = nil
        completion(result)
    }
}
