/// Carries a loop-confined value through a `@Sendable` closure (typically into
/// `addCallback` from a background thread and back). Reading or writing `value` checks that
/// it happens on the loop thread. Any thread may hold or copy the box.
public struct LoopBound<Value>: @unchecked Sendable {
    private var stored: Value
    public let loop: IOLoop

    public init(_ value: Value, loop: IOLoop) {
        self.stored = value
        self.loop = loop
    }

    public var value: Value {
        get {
            loop.assertInLoop()
            return stored
        }
        set {
            loop.assertInLoop()
            stored = newValue
        }
    }
}
