/// Carries a loop-confined value through a `@Sendable` closure (typically into
/// `addCallback` from a background thread and back). Reading or writing `value` checks that
/// it happens on the loop thread. Any thread may hold or copy the box.
public struct LoopBound<Value>: @unchecked Sendable {
    private var stored: Value
    /// The loop whose thread may touch `value`.
    public let loop: IOLoop

    /// Boxes `value` for `loop`; may be called on any thread.
    public init(_ value: Value, loop: IOLoop) {
        self.stored = value
        self.loop = loop
    }

    /// The boxed value; reading or writing it off the loop thread traps.
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
